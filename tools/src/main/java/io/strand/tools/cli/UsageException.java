package io.strand.tools.cli;

/** The command line is wrong: exit code 2, one line naming the problem. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code value} if it is positive; otherwise the usage error "FLAG must be positive, was VALUE". */
    public static int requirePositive(String flag, int value) {
        if (value <= 0) {
            throw new UsageException(flag + " must be positive, was " + value);
        }
        return value;
    }
}
