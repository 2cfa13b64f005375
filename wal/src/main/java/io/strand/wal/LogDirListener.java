package io.strand.wal;

/**
 * Hears that a log directory changed state (went offline, went below its free-space floor, or came back above it);
 * reads {@link LogManager#logDirStates()} for what is true now. Called on a WAL thread: must not block on the logs.
 */
@FunctionalInterface
public interface LogDirListener {
    void onLogDirsChanged();
}
