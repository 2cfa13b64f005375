package io.strand.tools.launcher;

/**
 * A command line the launcher does not accept: exit 2. With a message, it is printed as
 * {@code strand-cluster: <message>}; without one (no command given), the usage is printed instead.
 */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
