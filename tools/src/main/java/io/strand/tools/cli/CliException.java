package io.strand.tools.cli;

import java.util.List;

/** The command ran but failed: exit code 1, one line naming what and why. */
public final class CliException extends RuntimeException {
    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Throws the failures of a command that went on past them as one CliException, "a; b"; nothing if there are none. */
    public static void throwIfAny(List<String> failures) {
        if (!failures.isEmpty()) {
            throw new CliException(String.join("; ", failures));
        }
    }
}
