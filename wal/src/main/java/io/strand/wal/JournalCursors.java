package io.strand.wal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The logs attached to one journal, each by its {@link JournalCursor}, and the lowest journal position any of them
 * still needs (what the journal may not release yet).
 *
 * <p>Thread-safe: logs attach and detach from any thread; {@link #oldestNeeded} reads only the cursors' volatile
 * fields, no lock.
 */
final class JournalCursors {
    private final Set<JournalCursor> cursors = ConcurrentHashMap.newKeySet();

    void attach(JournalCursor cursor) {
        cursors.add(cursor);
    }

    void detach(JournalCursor cursor) {
        cursors.remove(cursor);
    }

    /**
     * The lowest journal position a log still needs: the checkpoint position of a log with entries past it (-1: all
     * of its entries), {@code end} when no log needs any.
     */
    long oldestNeeded(long end) {
        long keepFrom = end;
        for (JournalCursor c : cursors) {
            if (c.pins()) keepFrom = Math.min(keepFrom, c.checkpointPosition);
        }
        return keepFrom;
    }
}
