package io.strand.tools.launcher;

/**
 * A launcher command cannot go on: the message is printed as {@code strand-cluster: <message>} and
 * the command exits 1 (what the shell script's {@code strand_die} did).
 */
final class ClusterException extends Exception {
    private static final long serialVersionUID = 1L;

    ClusterException(String message) {
        super(message);
    }
}
