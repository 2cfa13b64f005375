package io.strand.tools.cli;

/** The command ran but failed: exit code 1, one line naming what and why. */
public final class CliException extends RuntimeException {
    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
