package io.strand.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One partition log's use of its directory's {@link WriteAheadJournal}: the entries it writes (appends, aborted
 * transactions, truncation markers) while in durable mode, and the journal checkpoint that fsyncs its segments and
 * moves its checkpoint's journal position. Without an attached journal every method is a no-op.
 *
 * <p>Locks: {@link #append} and {@link #marker} are called with the log lock held (the journal's lock nests inside
 * it); {@link #checkpointAt} takes the log lock itself and fsyncs without it.
 */
final class LogJournaling {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final LocalLog owner;
    private final GroupCommit groupCommit;
    final JournalCursor cursor;
    /** Set once, after the journal's replay; null without a journal. */
    private volatile WriteAheadJournal journal;

    LogJournaling(LocalLog owner, GroupCommit groupCommit, JournalCursor cursor) {
        this.owner = owner;
        this.groupCommit = groupCommit;
        this.cursor = cursor;
    }

    WriteAheadJournal journal() {
        return journal;
    }

    /**
     * Writes an entry when a journal is attached and {@code cfg} is durable, and notes for the group commit where it
     * ends ({@code logEnd}: the log end offset after it). Returns its end position, -1 when not journaled. Log lock.
     */
    long append(LogConfig cfg, byte type, long baseOffset, ByteBuffer payload, long logEnd) {
        WriteAheadJournal j = journal;
        if (j == null || !cfg.fsyncBeforeAck()) return -1;
        long end = j.append(cursor, type, baseOffset, payload);
        groupCommit.journaled(end, logEnd);
        return end;
    }

    /**
     * A truncation marker ({@link JournalEntry#TRUNCATE} or {@link JournalEntry#RESTART}). Log lock held. Not waited
     * for: every later entry of the log lies after it, so whatever is acknowledged after the truncation is durable
     * only with it; a crash before it is fsynced can bring back what the truncation removed, never acknowledged
     * data (as in Kafka, whose truncations are not fsynced; the follower truncates again after its restart). The
     * syncer fsyncs it at once. Waiting here, under the log lock, would also let a durable callback that takes the
     * log lock on the syncer thread deadlock with it.
     */
    void marker(LogConfig cfg, byte type, long offset) {
        append(cfg, type, offset, EMPTY, offset);
    }

    /** The log's segments were just fsynced to its end (log lock held): the checkpoint position moves to now. */
    void flushedToEnd() {
        WriteAheadJournal j = journal;
        if (j != null) cursor.checkpointPosition = Math.max(cursor.checkpointPosition, j.end());
    }

    /**
     * When retention or DeleteRecords moved the log start offset past the recovery point (log lock held): the
     * segments are fsynced to the log end and the checkpoint position moves to now, so that no replay starts below
     * the log start. The caller writes the checkpoint.
     */
    void flushPastLogStart(long logStartOffset, long logEndOffset) throws IOException {
        if (journal == null || logStartOffset <= groupCommit.recoveryPoint()) return;
        owner.segments().flushFrom(groupCommit.recoveryPoint());
        groupCommit.flushedTo(logEndOffset);
        flushedToEnd();
    }

    /**
     * From now on durable-mode appends go through {@code j} (after its replay). A log whose checkpoint has no journal
     * position yet, or {@code checkpointNow} (it was replayed), is checkpointed at the journal's end first.
     */
    void attach(WriteAheadJournal j, boolean checkpointNow) {
        if (checkpointNow || cursor.checkpointPosition < 0) checkpointAt(j.end());
        journal = j;
        owner.segments().journaled();
        j.attach(cursor);
    }

    void detach() {
        WriteAheadJournal j = journal;
        if (j != null) j.detach(cursor);
    }

    /**
     * Journal checkpoint: fsyncs the segments up to the log end and moves the checkpoint's journal position to
     * {@code position} (the journal's end at that moment when negative), so that the journal can release the files
     * before it. No lock held.
     */
    void checkpointAt(long position) {
        ReentrantLock lock = owner.lock();
        GroupCommit.FsyncPlan plan;
        long at;
        lock.lock();
        try {
            if (!owner.lifecycle().isUsable()) return;
            at = position >= 0 ? position : journal.end();
            plan = owner.planFsync();
        } finally {
            lock.unlock();
        }
        if (plan == null || !groupCommit.fsync(plan, false)) return;
        lock.lock();
        try {
            if (!owner.lifecycle().isUsable() || groupCommit.generation() != plan.generation()) return;
            cursor.checkpointPosition = Math.max(cursor.checkpointPosition, at);
            owner.writeCheckpoint();
        } catch (IOException e) {
            throw owner.fail("checkpoint", e);
        } finally {
            lock.unlock();
        }
    }
}
