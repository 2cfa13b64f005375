package io.strand.tools;

/** The command line is wrong: exit code 2, one line naming the problem. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }

    UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
