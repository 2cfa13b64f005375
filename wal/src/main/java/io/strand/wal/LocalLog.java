package io.strand.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one partition log and every change to it (Kafka's {@code LocalLog}, with the log start offset and
 * high watermark that Kafka keeps one level up): the log lock, the segments, the three offsets (log start, log end,
 * high watermark), the lifecycle (open, offline after an I/O error, closed, deleted), the leader-epoch cache and the
 * checkpoints; appends after validation, aborted transactions, rolls, truncation, DeleteRecords, retention, the log
 * cleaner's swap, checkpoint writes, close and delete. {@link PartitionLog} is its public face; the lock discipline
 * of the whole log is stated there.
 *
 * <p>The log lock ({@code lock}) is private to this class: every method here that changes something takes it, and
 * what it calls while holding it ({@link LogSegments}' mutators, {@link LogCheckpoints}, the epoch cache,
 * {@link GroupCommit#generation()}, {@link GroupCommit#onTruncated}, {@link GroupCommit#flushedTo}) says so. It guards
 * the segments (map, active segment, directory-sync flag), writes of the offsets and of the lifecycle state, the
 * epoch cache's changes and the checkpoint state. Inside it {@link GroupCommit}'s durable lock may be taken, never
 * the reverse; no future is completed and no listener called while it is held. The offsets and the state are
 * volatile, so readers never lock. {@link #fail} takes the lock itself (re-entrant), so any thread holding no durable
 * lock may call it. Callers: appenders (request threads, replica fetchers), the scheduler thread (retention,
 * checkpoints), flusher threads ({@link #planFsync}, {@link #fail}) and the log manager (close, delete).
 */
final class LocalLog {
    private static final Logger log = LoggerFactory.getLogger(LocalLog.class);

    private final TopicPartition topicPartition;
    private final LogRuntime runtime;
    private final String logPrefix;
    private volatile Uuid topicId;
    private volatile Path dir;
    private volatile LogConfig config;

    private final ReentrantLock lock = new ReentrantLock();
    private final LogSegments segments;
    private final LeaderEpochCache epochCache;
    private final GroupCommit groupCommit;
    private final LogCheckpoints checkpoints;

    // written under the log lock, read anywhere
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long highWatermark;
    private final LogLifecycle lifecycle;
    /** The log's use of its directory's journal, if it has one. */
    private final LogJournaling journaling;

    LocalLog(
            TopicPartition tp,
            Path dir,
            LogConfig config,
            LogRuntime runtime,
            String logPrefix,
            LogLoader.LoadedLog loaded) {
        this.topicPartition = tp;
        this.lifecycle = new LogLifecycle(tp);
        this.dir = dir;
        this.config = config;
        this.runtime = runtime;
        this.logPrefix = logPrefix;
        this.topicId = loaded.topicId();
        this.segments = loaded.segments();
        this.epochCache = loaded.epochCache();
        this.logStartOffset = loaded.logStartOffset();
        this.logEndOffset = loaded.logEndOffset();
        this.highWatermark = loaded.highWatermark();
        this.groupCommit = new GroupCommit(this, segments, runtime, logPrefix, loaded.logEndOffset());
        this.journaling = new LogJournaling(
                this, groupCommit, new JournalCursor(dir.getFileName().toString(), topicId, loaded.journalPosition()));
        this.checkpoints = new LogCheckpoints(logPrefix, offsets(), loaded.cleanShutdown());
        // the epoch cache throws KafkaStorageException itself; the log goes offline off its monitor
        epochCache.onIoError((what, e) -> runtime.execute("log failure", () -> fail(what, e)));
    }

    // ============================================================================================== accessors

    TopicPartition topicPartition() {
        return topicPartition;
    }

    Uuid topicId() {
        return topicId;
    }

    Path dir() {
        return dir;
    }

    LogConfig config() {
        return config;
    }

    LogSegments segments() {
        return segments;
    }

    LeaderEpochCache epochCache() {
        return epochCache;
    }

    GroupCommit groupCommit() {
        return groupCommit;
    }

    LogJournaling journaling() {
        return journaling;
    }

    ReentrantLock lock() {
        return lock;
    }

    void updateConfig(LogConfig c) {
        LogConfig old = this.config;
        this.config = c;
        // the journal holds a durable-mode log's whole history past its checkpoint: none of a relaxed one's
        if (journaling.journal() != null && old.fsyncBeforeAck() != c.fsyncBeforeAck()) journaling.checkpointAt(-1);
        groupCommit.configChanged(old, c);
    }

    long logStartOffset() {
        return logStartOffset;
    }

    long logEndOffset() {
        return logEndOffset;
    }

    long highWatermark() {
        return highWatermark;
    }

    /** Stores the high watermark, clamped to [logStartOffset, logEndOffset]. */
    void updateHighWatermark(long hw) {
        lock.lock();
        try {
            highWatermark = Math.max(logStartOffset, Math.min(hw, logEndOffset));
        } finally {
            lock.unlock();
        }
    }

    // ============================================================================================== append

    /**
     * Leader: assigns offsets from the log end offset to validated {@code batches} (in {@code buf}; {@code data} is
     * their bytes), stamps the leader epoch, appends, and records the epoch's start. Then asks for durability.
     */
    AppendResult appendAsLeader(
            ByteBuffer buf,
            ByteBuffer data,
            List<BatchHeader> batches,
            int leaderEpoch,
            long appendTime,
            LogConfig cfg) {
        long first;
        long next;
        long maxTs = RecordBatch.NO_TIMESTAMP;
        int count = 0;
        boolean rolled;
        long journalEnd = -1;
        lock.lock();
        try {
            lifecycle.ensureUsable();
            first = logEndOffset;
            if (batches.isEmpty())
                return new AppendResult(first, first - 1, appendTime, RecordBatch.NO_TIMESTAMP, 0, 0, logStartOffset);
            prepareForMutation();
            List<BatchHeader> assigned =
                    BatchValidator.assignOffsets(buf, data.position(), batches, first, leaderEpoch);
            for (BatchHeader a : assigned) {
                maxTs = Math.max(maxTs, a.maxTimestamp());
                count += a.recordCount();
            }
            next = assigned.get(assigned.size() - 1).nextOffset();
            rolled = appendLocked(data, assigned, maxTs, cfg);
            if (leaderEpoch >= 0) epochCache.assignLazily(leaderEpoch, first);
            journalEnd = journaling.append(cfg, JournalEntry.APPEND, first, data, next);
        } finally {
            lock.unlock();
        }
        groupCommit.afterAppend(cfg, next, rolled, journalEnd < 0 ? null : journaling.journal(), journalEnd);
        return new AppendResult(first, next - 1, appendTime, maxTs, count, data.remaining(), logStartOffset);
    }

    /** Follower: appends validated batches that keep the leader's offsets; see {@link PartitionLog#appendAsFollower}. */
    AppendResult appendAsFollower(ByteBuffer data, List<BatchHeader> batches, LogConfig cfg) {
        long first;
        long next;
        long maxTs = RecordBatch.NO_TIMESTAMP;
        int count = 0;
        boolean rolled;
        long journalEnd = -1;
        lock.lock();
        try {
            lifecycle.ensureUsable();
            if (batches.isEmpty())
                return new AppendResult(
                        logEndOffset, logEndOffset - 1, -1, RecordBatch.NO_TIMESTAMP, 0, 0, logStartOffset);
            first = batches.get(0).baseOffset();
            if (first < logEndOffset) // above it: a gap the leader's cleaner left
            throw new UnexpectedAppendOffsetException(
                        "Follower append to " + topicPartition + " starts at offset " + first + " but the log ends at "
                                + logEndOffset,
                        first,
                        batches.get(batches.size() - 1).lastOffset());
            prepareForMutation();
            for (BatchHeader h : batches) {
                maxTs = Math.max(maxTs, h.maxTimestamp());
                count += h.recordCount();
            }
            next = batches.get(batches.size() - 1).nextOffset();
            rolled = appendLocked(data, batches, maxTs, cfg);
            for (BatchHeader h : batches) {
                if (h.partitionLeaderEpoch() >= 0) epochCache.assignLazily(h.partitionLeaderEpoch(), h.baseOffset());
            }
            journalEnd = journaling.append(cfg, JournalEntry.APPEND, first, data, next);
        } finally {
            lock.unlock();
        }
        groupCommit.afterAppend(cfg, next, rolled, journalEnd < 0 ? null : journaling.journal(), journalEnd);
        return new AppendResult(first, next - 1, -1, maxTs, count, data.remaining(), logStartOffset);
    }

    /** Rolls if needed, appends to the active segment, publishes the new log end offset. Log lock held. */
    private boolean appendLocked(ByteBuffer data, List<BatchHeader> batches, long maxTs, LogConfig cfg) {
        boolean rolled;
        try {
            rolled = segments.append(dir, data, batches, maxTs, cfg, runtime.time.milliseconds());
        } catch (IOException e) {
            throw fail("append to " + segments.active().logFile(), e);
        }
        logEndOffset = batches.get(batches.size() - 1).nextOffset();
        return rolled;
    }

    /** Forces a roll of a non-empty active segment (tests, and Kafka's roll on demand). */
    void roll() {
        lock.lock();
        try {
            lifecycle.ensureUsable();
            if (segments.active().size() == 0) return;
            prepareForMutation();
            segments.roll(dir, logEndOffset, config, runtime.time.milliseconds());
        } catch (IOException e) {
            throw fail("roll", e);
        } finally {
            lock.unlock();
        }
        if (!config.fsyncBeforeAck()) groupCommit.requestFlush(); // Kafka flushes a rolled segment in the background
    }

    // ============================================================================================== epochs

    /** Records that {@code epoch} starts at {@code startOffset} (a new leader), removing entries that contradict it. */
    void assignEpochStartOffset(int epoch, long startOffset) {
        lock.lock();
        try {
            lifecycle.ensureUsable();
            epochCache.assign(epoch, startOffset);
        } finally {
            lock.unlock();
        }
    }

    // ============================================================================================== truncation

    /** See {@link PartitionLog#truncateTo}. */
    void truncateTo(long offset) {
        if (offset < 0)
            throw new IllegalArgumentException("Cannot truncate " + topicPartition + " to negative offset " + offset);
        lock.lock();
        try {
            lifecycle.ensureUsable();
            if (offset >= logEndOffset) {
                epochCache.truncateFromEnd(offset); // no data to cut, but epochs from the end go (as Kafka)
                return;
            }
            if (offset < segments.firstBaseOffset()) {
                truncateFullyAndStartAtLocked(offset);
            } else {
                prepareForMutation();
                log.info("{}Truncating to offset {} (log end offset {})", logPrefix, offset, logEndOffset);
                long newEnd = segments.truncateTo(offset, config, runtime.time.milliseconds());
                logEndOffset = newEnd;
                epochCache.truncateFromEnd(newEnd);
                logStartOffset = Math.min(logStartOffset, newEnd);
                highWatermark = Math.min(highWatermark, newEnd);
                groupCommit.onTruncated(newEnd, false);
                journaling.marker(config, JournalEntry.TRUNCATE, newEnd);
                segments.active().flush();
                CheckpointFile.fsyncDir(dir);
                writeCheckpoint();
            }
        } catch (IOException e) {
            throw fail("truncation to " + offset, e);
        } finally {
            lock.unlock();
        }
        groupCommit.durableAdvanced();
    }

    /** See {@link PartitionLog#truncateFullyAndStartAt}. */
    void truncateFullyAndStartAt(long newStartOffset) {
        if (newStartOffset < 0) throw new IllegalArgumentException("Negative start offset " + newStartOffset);
        lock.lock();
        try {
            lifecycle.ensureUsable();
            truncateFullyAndStartAtLocked(newStartOffset);
        } catch (IOException e) {
            throw fail("full truncation", e);
        } finally {
            lock.unlock();
        }
        groupCommit.durableAdvanced();
    }

    private void truncateFullyAndStartAtLocked(long newStart) throws IOException {
        prepareForMutation();
        log.info(
                "{}Truncating fully and starting at offset {} (log was {}..{})",
                logPrefix,
                newStart,
                logStartOffset,
                logEndOffset);
        segments.deleteAllAndStartAt(dir, newStart, "full truncation", config, runtime.time.milliseconds());
        epochCache.clear();
        logStartOffset = newStart;
        logEndOffset = newStart;
        highWatermark = newStart;
        groupCommit.onTruncated(newStart, true);
        journaling.marker(config, JournalEntry.RESTART, newStart);
        CheckpointFile.fsyncDir(dir);
        writeCheckpoint();
    }

    /** See {@link PartitionLog#deleteRecordsBefore}. */
    void deleteRecordsBefore(long offset) {
        lock.lock();
        try {
            lifecycle.ensureUsable();
            if (offset > highWatermark)
                throw new OffsetOutOfRangeException("Cannot move the log start offset of " + topicPartition + " to "
                        + offset + " beyond the high watermark " + highWatermark);
            if (offset <= logStartOffset) return;
            log.info("{}Moving the log start offset from {} to {}", logPrefix, logStartOffset, offset);
            logStartOffset = offset;
            epochCache.truncateFromStart(offset);
            segments.deleteBelow(offset, this::prepareForMutation);
            journaling.flushPastLogStart(logStartOffset, logEndOffset);
            writeCheckpoint();
        } catch (IOException e) {
            throw fail("deleting records", e);
        } finally {
            lock.unlock();
        }
    }

    /** See {@link PartitionLog#deleteExpiredSegments}; {@link LogRetention} decides. */
    int deleteExpiredSegments(long nowMs) {
        lock.lock();
        try {
            if (!lifecycle.isUsable()) return 0;
            List<LogRetention.Expired> expired =
                    LogRetention.select(segments, logStartOffset, highWatermark, config, nowMs);
            if (expired.isEmpty()) return 0;
            prepareForMutation();
            segments.removeExpired(expired);
            if (segments.firstBaseOffset() > logStartOffset) {
                logStartOffset = segments.firstBaseOffset();
                epochCache.truncateFromStart(logStartOffset);
            }
            journaling.flushPastLogStart(logStartOffset, logEndOffset);
            CheckpointFile.fsyncDir(dir);
            writeCheckpoint();
            return expired.size();
        } catch (IOException e) {
            throw fail("retention", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The cleaner's swap ({@link LogSegments#replace}), unless the log was truncated since {@code truncationsSeen}
     * ({@link LogSegments#truncations()}). Returns whether it swapped; if not, the caller deletes {@code cleaned}.
     */
    boolean replaceSegments(List<LogSegment> old, LogSegment cleaned, long truncationsSeen) {
        lock.lock();
        try {
            lifecycle.ensureUsable();
            if (segments.truncations() != truncationsSeen) return false;
            prepareForMutation();
            return segments.replace(dir, old, cleaned);
        } catch (IOException e) {
            throw fail("replacing segments", e);
        } finally {
            lock.unlock();
        }
    }

    /** See {@link PartitionLog#appendAbortedTransaction} and {@link LogSegments#appendAbortedTxn}. */
    void appendAbortedTransaction(AbortedTxn txn) {
        lock.lock();
        try {
            lifecycle.ensureUsable();
            boolean added =
                    segments.appendAbortedTxn(txn, logEndOffset, groupCommit.recoveryPoint(), this::prepareForMutation);
            if (added)
                journaling.append(
                        config,
                        JournalEntry.ABORTED_TXN,
                        txn.lastOffset(),
                        JournalEntry.abortedTxnPayload(txn),
                        logEndOffset);
        } catch (IOException e) {
            throw fail("appending to the transaction index", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * For {@link GroupCommit}'s fsync pass, which calls it holding no lock: under the log lock, the target (log end
     * offset), the truncation generation, the segments from the recovery point on and whether the directory needs
     * an fsync ({@link LogSegments#planFsync}). Null when the log is not open.
     */
    GroupCommit.FsyncPlan planFsync() {
        lock.lock();
        try {
            if (!lifecycle.isUsable()) return null;
            return segments.planFsync(logEndOffset, groupCommit.generation(), groupCommit.recoveryPoint());
        } finally {
            lock.unlock();
        }
    }

    // ============================================================================================== checkpoints

    /** See {@link PartitionLog#checkpoint}. */
    void checkpoint() {
        lock.lock();
        try {
            if (!lifecycle.isUsable()) return;
            writeCheckpoint();
        } catch (IOException e) {
            throw fail("checkpoint", e);
        } finally {
            lock.unlock();
        }
    }

    private LogCheckpoints.Offsets offsets() {
        return new LogCheckpoints.Offsets(
                Math.min(groupCommit.recoveryPoint(), logEndOffset),
                highWatermark,
                logStartOffset,
                journaling.cursor.checkpointPosition);
    }

    /** Log lock held. */
    void writeCheckpoint() throws IOException {
        checkpoints.write(dir, epochCache, offsets());
    }

    // ============================================================================================== lifecycle

    /** Before the first mutation after a clean start: the clean-shutdown marker goes (durably). Log lock held. */
    private void prepareForMutation() {
        try {
            checkpoints.removeCleanMarker(dir);
        } catch (IOException e) {
            throw fail("removing the clean-shutdown marker", e);
        }
    }

    LogLifecycle lifecycle() {
        return lifecycle;
    }

    /**
     * An I/O error takes the log offline (as Kafka takes the log dir offline): appends fail from now on, and the log
     * manager hears of it. Takes the log lock (re-entrant for callers that hold it); never called with the durable
     * lock held.
     */
    KafkaStorageException fail(String what, IOException e) {
        KafkaStorageException ex = new KafkaStorageException(
                "I/O error in " + what + " for " + topicPartition + " in " + dir + ": " + e.getMessage(), e);
        if (goOffline(ex, e)) runtime.reportIoError(dir.getParent(), ex);
        return ex;
    }

    /** Its log directory went offline (another log's I/O error): as {@link #fail}, without reporting it again. */
    void takeOffline(String reason) {
        goOffline(new KafkaStorageException(reason), null);
    }

    private boolean goOffline(KafkaStorageException ex, IOException cause) {
        lock.lock();
        try {
            if (!lifecycle.goOffline(ex)) return false;
            if (cause != null) log.error("{}{}; the log is offline", logPrefix, ex.getMessage(), cause);
            else log.warn("{}Offline: {}", logPrefix, ex.getMessage());
        } finally {
            lock.unlock();
        }
        runtime.execute("fail durable waiters", () -> groupCommit.failWaiters(ex));
        return true;
    }

    /** See {@link PartitionLog#close}; the log's runtime (if it owns one) is the facade's to stop. */
    void close() {
        long durableUpTo = -1;
        lock.lock();
        try {
            LogLifecycle.State was = lifecycle.state();
            if (lifecycle.isClosedOrDeleted()) return;
            if (was == LogLifecycle.State.OPEN) {
                try {
                    segments.flushFrom(groupCommit.recoveryPoint());
                    groupCommit.flushedTo(logEndOffset);
                    journaling.flushedToEnd();
                    segments.active().onBecomeInactive();
                    segments.active().flushIndexes();
                    writeCheckpoint();
                    durableUpTo = logEndOffset;
                } catch (IOException | RuntimeException e) {
                    log.error("{}Clean close failed; the next open will recover", logPrefix, e);
                    lifecycle.set(LogLifecycle.State.CLOSED);
                    segments.closeAll();
                    return;
                }
            }
            lifecycle.set(LogLifecycle.State.CLOSED);
            journaling.detach();
            segments.closeAll();
            if (was == LogLifecycle.State.OPEN) checkpoints.writeCleanMarker(dir);
        } finally {
            lock.unlock();
            groupCommit.shutdown(durableUpTo, new KafkaStorageException("The log of " + topicPartition + " is closed"));
        }
    }

    /**
     * Renames the directory to {@code <topic>-<partition>.<id>-delete} and deletes it after {@code file.delete.delay.ms},
     * so slices already handed out stay readable until then.
     */
    void markDeletedAndScheduleRemoval(Path renamedDir) {
        lock.lock();
        try {
            if (lifecycle.state() == LogLifecycle.State.DELETED) return;
            lifecycle.set(LogLifecycle.State.DELETED);
            journaling.detach();
            try {
                Files.move(dir, renamedDir);
                dir = renamedDir;
                CheckpointFile.fsyncDir(renamedDir.getParent());
            } catch (IOException e) {
                log.error("{}Failed to rename {} for deletion", logPrefix, dir, e);
            }
        } finally {
            lock.unlock();
        }
        groupCommit.shutdown(-1, new KafkaStorageException("The log of " + topicPartition + " was deleted"));
        Path toDelete = dir;
        runtime.scheduleDelete("log directory " + toDelete, () -> {
            segments.closeQuietly();
            org.apache.kafka.common.utils.Utils.delete(toDelete.toFile());
        });
    }

    /** Records the topic id of a log created before it had one (writes {@code partition.metadata}). */
    void assignTopicId(Uuid id) {
        lock.lock();
        try {
            LogCheckpoints.writeTopicId(dir, id);
            topicId = id;
        } catch (IOException e) {
            throw fail("writing " + LogCheckpoints.PARTITION_METADATA_FILE, e);
        } finally {
            lock.unlock();
        }
    }
}
