package io.strand.wal;

import org.apache.kafka.common.Uuid;

/**
 * One partition log's place in its directory's {@link WriteAheadJournal}: the log's name there, the journal position
 * its checkpoint holds (entries of the log before it are already in its fsynced segments, or superseded by a
 * truncation), and the end of its last entry. The journal keeps every file from the checkpoint position of a log
 * whose last entry is past it.
 *
 * <p>Thread-safety: {@link #checkpointPosition} is written under the log lock, {@link #lastEntryEnd} under the
 * journal's lock; both are read anywhere.
 */
final class JournalCursor {
    final String logName;
    final byte[] logNameBytes;
    volatile Uuid topicId;
    /** Journal position in the log's checkpoint; -1 when it has none (all its entries apply). */
    volatile long checkpointPosition;
    /** End position of the log's last journal entry; -1 when it wrote none since the broker started. */
    volatile long lastEntryEnd = -1;

    JournalCursor(String logName, Uuid topicId, long checkpointPosition) {
        this.logName = logName;
        this.logNameBytes = JournalEntry.nameBytes(logName);
        this.topicId = topicId;
        this.checkpointPosition = checkpointPosition;
    }

    /** Whether the log has entries the journal must keep (written after its checkpoint position). */
    boolean pins() {
        return lastEntryEnd > checkpointPosition;
    }
}
