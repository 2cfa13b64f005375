package io.strand.tools;

/** The command ran but failed: exit code 1, one line naming what and why. */
final class CliException extends RuntimeException {
    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
