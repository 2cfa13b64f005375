package io.strand.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;

/**
 * One partition's log, the face the broker uses (Kafka's {@code UnifiedLog}): append as leader or follower, read,
 * timestamp lookups, leader epochs, truncation, DeleteRecords, retention, checkpoints, durability, close. It
 * validates appends and hands every job to its part:
 * <ul>
 *   <li>{@link LogLoader}: open, stray-file cleanup, topic id, recovery scan and truncation of a torn tail;
 *   <li>{@link LocalLog}: the log's state (offsets, lifecycle) and every change to it under the log lock — appends,
 *       truncation, DeleteRecords, retention, the cleaner's swap, checkpoints, close and delete;
 *   <li>{@link LogSegments}: the segments and their segment-level changes; each {@link LogSegment} with its
 *       {@link SegmentIndexes} (the one place for per-segment index files) and {@link SegmentRecovery};
 *   <li>{@link LogReader}: lock-free reads and timestamp lookups; {@link LogRetention}: which segments expire;
 *       {@link LogCheckpoints}: checkpoint, topic id, clean-shutdown marker; {@link LeaderEpochCache};
 *   <li>{@link GroupCommit}: fsyncs, the durable end offset, durable waiters and listeners.
 * </ul>
 *
 * <p>Locks — one discipline for every class of the log, outer to inner:
 * <ol>
 *   <li><b>the log lock</b> (private to {@link LocalLog}): serialises every mutation and guards the segments, writes
 *       of the offsets and the lifecycle state, the epoch cache's changes and the checkpoint state. Group commit's
 *       fsync pass holds it only to plan ({@link LocalLog#planFsync}), never while it fsyncs.
 *   <li><b>the durable lock</b> (private to {@link GroupCommit}): durable waiters, truncation generation, last flush
 *       time. Taken inside the log lock or alone; the log lock is never taken while holding it.
 *   <li><b>leaf locks</b>: the epoch cache's monitor and each index's read-write lock; nothing is taken inside them.
 * </ol>
 * No future is completed and no listener is called with the log lock or the durable lock held, so callbacks may call
 * back into the log.
 *
 * <p>Threads: appenders (the broker's request threads, a follower's fetcher) append under the log lock, then ask for
 * an fsync without a lock. Readers ({@link #read}, {@link #batchesFrom}, timestamp lookups, offset getters) take no
 * lock and never block the writer: they read the volatile log end offset first, and the writer publishes segment
 * sizes and index entries before it. fsyncs run on the flusher threads ({@code strand-wal-flusher-N}, shared by the
 * logs of a {@link LogManager}), which only fsync, publish the durable offset, complete durable futures and post
 * notifications; durable listeners run on the executor given to {@link #addDurableListener(LongConsumer, Executor)}.
 * Retention, time-based flushes, checkpoints and delayed file deletion run on the scheduler thread
 * ({@code strand-wal-scheduler-1}).
 *
 * <p>Durability: with {@link LogConfig#fsyncBeforeAck()} (the default) every append asks for a group-commit fsync;
 * one fsync covers every append that arrived before it started. Without it, Kafka's {@code flush.messages} /
 * {@code flush.ms} policy applies and the durable end offset is the log end offset.
 */
public final class PartitionLog implements Closeable {
    // ListOffsets special timestamps (ListOffsetsRequest)
    static final long EARLIEST_TIMESTAMP = -2L;
    static final long LATEST_TIMESTAMP = -1L;
    static final long MAX_TIMESTAMP = -3L;
    static final long EARLIEST_LOCAL_TIMESTAMP = -4L;

    private final LocalLog local;
    private final LogReader reader;
    private final GroupCommit groupCommit;
    private final LogRuntime runtime;
    private final boolean ownsRuntime;
    private final CleanableLog cleanable;

    private PartitionLog(LocalLog local, LogRuntime runtime, boolean ownsRuntime) {
        this.local = local;
        this.reader = new LogReader(local.segments(), local.epochCache(), local.lifecycle()::readFailure);
        this.groupCommit = local.groupCommit();
        this.runtime = runtime;
        this.ownsRuntime = ownsRuntime;
        this.cleanable = new CleanableLog(this, local);
    }

    /**
     * Opens (creating if needed) a standalone log in {@code dir} with its own flusher and scheduler threads, which
     * {@link #close()} stops. Brokers use {@link LogManager}, which shares threads between logs.
     */
    public static PartitionLog open(Path dir, TopicPartition tp, Uuid topicId, LogConfig config) {
        return open(dir, tp, topicId, config, Time.SYSTEM);
    }

    /** As {@link #open(Path, TopicPartition, Uuid, LogConfig)}, with a clock (tests). */
    public static PartitionLog open(Path dir, TopicPartition tp, Uuid topicId, LogConfig config, Time time) {
        LogRuntime rt = LogRuntime.standalone(time);
        try {
            return open(dir, tp, topicId, config, rt, true);
        } catch (RuntimeException e) {
            rt.close();
            throw e;
        }
    }

    static PartitionLog open(
            Path dir, TopicPartition tp, Uuid topicId, LogConfig config, LogRuntime runtime, boolean ownsRuntime) {
        String logPrefix = "[Log " + tp + " dir=" + dir.getParent() + "] ";
        try {
            LogLoader.LoadedLog loaded = LogLoader.load(dir, topicId, config, runtime, logPrefix);
            return new PartitionLog(new LocalLog(tp, dir, config, runtime, logPrefix, loaded), runtime, ownsRuntime);
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot open the log of " + tp + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    // ============================================================================================== accessors

    LocalLog local() {
        return local;
    }

    public TopicPartition topicPartition() {
        return local.topicPartition();
    }

    public Uuid topicId() {
        return local.topicId();
    }

    public Path dir() {
        return local.dir();
    }

    public LogConfig config() {
        return local.config();
    }

    /** Applies a new configuration: size/time/index settings at the next roll, flush and retention settings at once. */
    public void updateConfig(LogConfig c) {
        local.updateConfig(c);
    }

    public long logStartOffset() {
        return local.logStartOffset();
    }

    public long logEndOffset() {
        return local.logEndOffset();
    }

    public long sizeInBytes() {
        return local.segments().sizeInBytes();
    }

    public int numberOfSegments() {
        return local.segments().count();
    }

    public long highWatermark() {
        return local.highWatermark();
    }

    /** Stores the high watermark, clamped to [logStartOffset, logEndOffset]; checkpointed periodically and on close. */
    public void updateHighWatermark(long hw) {
        local.updateHighWatermark(hw);
    }

    @Override
    public String toString() {
        return "PartitionLog(" + topicPartition() + ", start=" + logStartOffset() + ", end=" + logEndOffset() + ", dir="
                + dir() + ")";
    }

    // ============================================================================================== append

    /**
     * Leader append: validates every batch (see {@link BatchValidator}), assigns offsets in place starting at the log
     * end offset, stamps {@code partitionLeaderEpoch}, stamps LOG_APPEND_TIME when configured, and appends all
     * batches or none. Records {@code leaderEpoch -> first offset} in the epoch cache when the epoch is new.
     *
     * @throws CorruptRecordException                                   CRC or framing failure (CORRUPT_MESSAGE)
     * @throws org.apache.kafka.common.errors.RecordTooLargeException      a batch above {@code message.max.bytes}
     * @throws org.apache.kafka.common.errors.RecordBatchTooLargeException the append above {@code segment.bytes}
     * @throws org.apache.kafka.common.InvalidRecordException              magic other than 2, bad counts or offset deltas,
     *                                                                   a control batch (see {@link #appendControlAsLeader})
     * @throws KafkaStorageException                                     I/O failure, or the log is closed
     * @throws LogDirFullException                                       the append would take the log directory below its free-space floor (nothing written)
     */
    public AppendResult appendAsLeader(MemoryRecords records, int leaderEpoch) {
        return appendAsLeader(records, leaderEpoch, BatchValidator.Origin.CLIENT);
    }

    /**
     * Leader append of transaction markers for the transaction coordinator (WriteTxnMarkers): control batches as
     * kafka-clients' {@code MemoryRecords.withEndTransactionMarker} builds them (with any base offset). Validated,
     * given offsets from the log end offset and {@code partitionLeaderEpoch}, stamped with LOG_APPEND_TIME when
     * configured, and appended all or none, exactly as {@link #appendAsLeader} does for data; the same free-space and
     * offline checks. An ABORT marker's transaction is then recorded with {@link #appendAbortedTransaction}.
     *
     * @throws org.apache.kafka.common.InvalidRecordException a batch that is not a control batch (or as {@link
     *     #appendAsLeader})
     */
    public AppendResult appendControlAsLeader(MemoryRecords records, int leaderEpoch) {
        return appendAsLeader(records, leaderEpoch, BatchValidator.Origin.COORDINATOR);
    }

    private AppendResult appendAsLeader(MemoryRecords records, int leaderEpoch, BatchValidator.Origin origin) {
        local.lifecycle().ensureUsable();
        LogConfig cfg = local.config();
        ByteBuffer buf = BatchValidator.writableBuffer(records);
        List<BatchHeader> batches = BatchValidator.validate(topicPartition(), buf, cfg, origin);
        long appendTime = -1;
        if (cfg.messageTimestampType() == TimestampType.LOG_APPEND_TIME && !batches.isEmpty()) {
            appendTime = runtime.time.milliseconds();
            batches = BatchValidator.stampLogAppendTime(buf, batches, appendTime);
        }
        runtime.space.ensureRoom(dir().getParent(), topicPartition(), buf.remaining());
        return local.appendAsLeader(buf, dataOf(buf, batches), batches, leaderEpoch, appendTime, cfg);
    }

    /**
     * Follower append: batches keep the leader's offsets, epochs and timestamps; data and control batches (replicated
     * transaction markers) alike. Validates framing, magic, CRC and sizes; the first batch must start at or after the
     * log end offset (after it when the leader's cleaner removed what lay between, as Kafka allows) and offsets must
     * increase. Updates the epoch cache from the batches' partition leader epochs. A trailing
     * partial batch (as a fetch may return) is ignored.
     *
     * @throws UnexpectedAppendOffsetException when the first offset is below the log end offset
     */
    public AppendResult appendAsFollower(MemoryRecords records) {
        local.lifecycle().ensureUsable();
        LogConfig cfg = local.config();
        ByteBuffer buf = records.buffer().duplicate();
        List<BatchHeader> batches =
                BatchValidator.validate(topicPartition(), buf, cfg, BatchValidator.Origin.REPLICATION);
        runtime.space.ensureRoom(dir().getParent(), topicPartition(), buf.remaining());
        return local.appendAsFollower(dataOf(buf, batches), batches, cfg);
    }

    /**
     * Startup, before the journal is attached: applies one entry of the directory's {@link WriteAheadJournal} unless
     * it is older than this log's checkpoint position or belongs to another topic id. An append that starts below
     * the log end (the segment already had some of it, or an older version) truncates there first; a truncation
     * marker truncates; an aborted transaction is recorded again (a duplicate is ignored).
     */
    void replay(JournalEntry e) {
        if (e.position() < local.journaling().cursor.checkpointPosition) return;
        Uuid id = topicId();
        if (id != null && !Uuid.ZERO_UUID.equals(id) && !Uuid.ZERO_UUID.equals(e.topicId()) && !id.equals(e.topicId()))
            return;
        switch (e.type()) {
            case JournalEntry.APPEND -> {
                ByteBuffer buf = e.payload().duplicate();
                List<BatchHeader> batches =
                        BatchValidator.validate(topicPartition(), buf, config(), BatchValidator.Origin.REPLICATION);
                if (batches.isEmpty() || batches.get(batches.size() - 1).lastOffset() < logStartOffset()) return;
                long first = batches.get(0).baseOffset();
                if (first < logEndOffset()) local.truncateTo(Math.max(first, logStartOffset()));
                local.appendAsFollower(dataOf(buf, batches), batches, config());
            }
            case JournalEntry.TRUNCATE -> local.truncateTo(Math.max(e.baseOffset(), logStartOffset()));
            case JournalEntry.RESTART -> local.truncateFullyAndStartAt(e.baseOffset());
            case JournalEntry.ABORTED_TXN -> {
                AbortedTxn txn = e.abortedTxn();
                if (txn.lastOffset() < logEndOffset() && txn.lastOffset() >= logStartOffset())
                    local.appendAbortedTransaction(txn);
            }
            default -> throw new KafkaStorageException("Unknown journal entry type " + e.type() + " for " + this);
        }
    }

    /**
     * Records an aborted transaction whose ABORT marker (at {@code txn.lastOffset()}) is already appended: the entry
     * goes into the transaction index ({@code .txnindex}) of the segment that holds the marker, normally the active
     * one. An entry whose last offset is not above the last entry of that index is ignored, so adding the entries
     * again (the broker does when it rebuilds its producer state from the log after a restart) is harmless; so is one
     * whose segment was deleted. The entry is fsynced with its segment, at the latest before the recovery point passes
     * its marker. Serialised with the other mutations by the log lock.
     *
     * <p>Entries must come in marker order: the broker appends an ABORT marker and records its transaction before it
     * appends the next marker of the partition (as Kafka does both in one append under its partition lock), since an
     * entry that arrives after one with a later marker in the same segment is ignored as a duplicate.
     *
     * @throws IllegalArgumentException when {@code txn.lastOffset()} is not below the log end offset, or
     *     {@code firstOffset} is negative or above it
     * @throws KafkaStorageException I/O failure (the log goes offline), or the log is not open
     */
    public void appendAbortedTransaction(AbortedTxn txn) {
        local.appendAbortedTransaction(txn);
    }

    /**
     * The aborted transactions that overlap a fetch of {@code [startOffset, upperBoundOffset)}: every recorded entry
     * with {@code lastOffset >= startOffset} and {@code firstOffset < upperBoundOffset}, in offset order, from the
     * segment holding {@code startOffset} onward (Kafka's {@code collectAbortedTxns}, for Fetch at
     * {@code read_committed}). Takes no lock and never blocks the writer.
     *
     * @throws KafkaStorageException I/O failure reading an index, or the log is closed
     */
    public List<AbortedTxn> abortedTransactions(long startOffset, long upperBoundOffset) {
        local.lifecycle().ensureReadable();
        return reader.abortedTransactions(startOffset, upperBoundOffset);
    }

    /** The whole batches of {@code buf}: from its position to the end of the last validated batch. */
    private static ByteBuffer dataOf(ByteBuffer buf, List<BatchHeader> batches) {
        int setSize =
                batches.isEmpty() ? 0 : (int) batches.get(batches.size() - 1).nextPosition();
        ByteBuffer data = buf.duplicate();
        data.limit(data.position() + setSize);
        return data;
    }

    /** Forces a roll of a non-empty active segment (tests, and Kafka's roll on demand). */
    void roll() {
        local.roll();
    }

    // ============================================================================================== read

    /**
     * Reads whole batches starting with the one that contains {@code startOffset}, up to {@code maxBytes}, never
     * including a batch whose last offset is {@code >= maxOffsetExclusive}. With {@code minOneBatch}, a first batch
     * larger than {@code maxBytes} is returned whole. Never blocks the writer.
     *
     * @throws OffsetOutOfRangeException when startOffset is below the log start or above the log end offset
     * @throws CorruptRecordException    when a batch to be returned fails its checks (named in the message and the log)
     */
    public LogReadResult read(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
        long end = local.logEndOffset();
        long start = local.logStartOffset();
        if (startOffset < start || startOffset > end) throw outOfRange(startOffset, start, end);
        local.lifecycle().ensureReadable();
        long maxOffset = Math.min(maxOffsetExclusive, end);
        if (startOffset >= maxOffset || maxBytes < 0) return new LogReadResult(MemoryRecords.EMPTY, start, end);
        LogReadResult r = reader.read(startOffset, maxBytes, maxOffset, minOneBatch, start, end);
        if (r == null) throw outOfRange(startOffset, local.logStartOffset(), local.logEndOffset());
        return r;
    }

    private OffsetOutOfRangeException outOfRange(long offset, long start, long end) {
        return new OffsetOutOfRangeException("Offset " + offset + " is out of range for " + topicPartition()
                + ": log start offset " + start + ", log end offset " + end);
    }

    /**
     * Batches from the one containing {@code offset} to the log end offset at the time of the call, read onto the
     * heap one at a time and CRC-checked (for rebuilding producer state).
     */
    public Iterable<RecordBatch> batchesFrom(long offset) {
        return reader.batchesFrom(offset, local.logEndOffset());
    }

    /**
     * ListOffsets: the first offset whose record timestamp is {@code >= timestamp} (with the record's timestamp and
     * its batch's leader epoch), or empty if there is none. Also answers Kafka's special timestamps: -2 (earliest),
     * -4 (earliest local), -1 (latest) and -3 (max timestamp).
     */
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) {
        local.lifecycle().ensureReadable();
        long start = local.logStartOffset();
        long end = local.logEndOffset();
        if (timestamp == EARLIEST_TIMESTAMP || timestamp == EARLIEST_LOCAL_TIMESTAMP)
            return Optional.of(reader.earliest(start));
        if (timestamp == LATEST_TIMESTAMP) return Optional.of(reader.latest(end));
        if (timestamp == MAX_TIMESTAMP) return offsetOfMaxTimestamp();
        if (timestamp < 0) return Optional.empty();
        return reader.offsetForTimestamp(timestamp, start, end);
    }

    /** The first record with the largest timestamp in the log (ListOffsets MAX_TIMESTAMP), or empty. */
    public Optional<TimestampOffset> offsetOfMaxTimestamp() {
        local.lifecycle().ensureReadable();
        return reader.offsetOfMaxTimestamp(local.logStartOffset());
    }

    // ============================================================================================== epochs

    /** Records that {@code epoch} starts at {@code startOffset} (a new leader), removing entries that contradict it. */
    public void assignEpochStartOffset(int epoch, long startOffset) {
        local.assignEpochStartOffset(epoch, startOffset);
    }

    public OptionalInt latestEpoch() {
        return local.epochCache().latestEpoch();
    }

    /** Kafka's OffsetsForLeaderEpoch semantics; see {@link LeaderEpochCache#endOffsetFor}. */
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        return local.epochCache().endOffsetFor(epoch, local.logEndOffset());
    }

    public List<EpochEntry> epochEntries() {
        return local.epochCache().entries();
    }

    // ============================================================================================== truncation

    /**
     * Drops every batch at or above {@code offset} (the whole batch containing {@code offset}). Segments above it
     * are deleted (after the file-delete delay); the epoch cache, high watermark, recovery point and durable waiters
     * above the new end are brought in line. The new end is fsynced before this returns.
     */
    public void truncateTo(long offset) {
        local.truncateTo(offset);
    }

    /** Deletes the whole log and starts it empty at {@code newStartOffset} (a replica behind the leader's log start). */
    public void truncateFullyAndStartAt(long newStartOffset) {
        local.truncateFullyAndStartAt(newStartOffset);
    }

    /**
     * DeleteRecords: moves the log start offset up to {@code offset} (at most the high watermark) and deletes
     * segments wholly below it. The new log start offset is checkpointed before this returns.
     *
     * @throws OffsetOutOfRangeException when {@code offset} is above the high watermark
     */
    public void deleteRecordsBefore(long offset) {
        local.deleteRecordsBefore(offset);
    }

    /**
     * Retention (see {@link LogRetention}): deletes expired closed segments, oldest first and only below the high
     * watermark, and segments wholly below the log start offset; moves the log start offset up. Returns the number
     * of segments deleted.
     */
    public int deleteExpiredSegments(long nowMs) {
        return local.deleteExpiredSegments(nowMs);
    }

    // ============================================================================================== durability

    /** Every offset below this is fsynced (durable mode), or the log end offset (relaxed mode). */
    public long durableEndOffset() {
        return groupCommit.durableEndOffset();
    }

    /** The offset below which everything is fsynced, whatever the mode: the recovery point. */
    public long recoveryPoint() {
        return groupCommit.recoveryPoint();
    }

    /**
     * Completes once {@link #durableEndOffset()} {@code >= endOffset} (at once if it already is), on the flusher
     * thread that made it durable. Completes exceptionally with {@link KafkaStorageException} if the log is closed,
     * deleted or fails first, or is truncated below {@code endOffset} ({@link LogTruncatedException}).
     */
    public CompletableFuture<Void> awaitDurable(long endOffset) {
        return groupCommit.awaitDurable(endOffset);
    }

    /**
     * Calls {@code listener} with the new durable end offset on {@code executor} (the broker's request threads):
     * never on a flusher thread, never under a lock, one call at a time, with strictly increasing values (lower again
     * only after a truncation). A burst of advances runs at most one task per listener; the task reads the latest
     * value, so none is missed.
     */
    public void addDurableListener(LongConsumer listener, Executor executor) {
        groupCommit.addListener(listener, executor);
    }

    /**
     * As {@link #addDurableListener(LongConsumer, Executor)}, but run on the thread that advanced the offset (a
     * flusher, or the appender in relaxed mode): only for listeners that just record the value.
     */
    public void addDurableListener(LongConsumer listener) {
        groupCommit.addListener(listener, Runnable::run);
    }

    public void removeDurableListener(LongConsumer listener) {
        groupCommit.removeListener(listener);
    }

    /** fsyncs everything appended so far, on the calling thread. */
    public void flush() {
        groupCommit.flushNow();
    }

    /** Relaxed mode: fsync when {@code flush.ms} has passed since the last one. Called by the log manager's scheduler. */
    void maybeFlushByTime(long nowMs) {
        groupCommit.maybeFlushByTime(nowMs);
    }

    // ============================================================================================== lifecycle

    /** Writes recovery point, high watermark and log start offset atomically if they changed since the last write. */
    public void checkpoint() {
        local.checkpoint();
    }

    /**
     * Takes the log offline as an I/O error would (its log directory failed): appends and durable waits fail from
     * now on with {@code KafkaStorageException}. No-op if it is not open.
     */
    void takeOffline(String reason) {
        local.takeOffline(reason);
    }

    /** Whether the log's directory is below its free-space floor (appends refused; a follower stops fetching). */
    public boolean belowFreeSpaceFloor() {
        return runtime.space.anyBelow() && runtime.space.below(dir().getParent());
    }

    /**
     * Clean close: fsyncs everything, trims the active segment's indexes, checkpoints (recovery point = log end),
     * closes the files and leaves the clean-shutdown marker, so the next open skips recovery. Pending
     * {@link #awaitDurable} futures that are not yet durable fail.
     */
    @Override
    public void close() {
        try {
            local.close();
        } finally {
            if (ownsRuntime) runtime.close();
        }
    }

    /** Renames the directory for deletion and deletes it after {@code file.delete.delay.ms}. Used by the log manager. */
    void markDeletedAndScheduleRemoval(Path renamedDir) {
        local.markDeletedAndScheduleRemoval(renamedDir);
    }

    /** Records the topic id of a log created before it had one (writes {@code partition.metadata}). */
    void assignTopicId(Uuid id) {
        local.assignTopicId(id);
    }

    /** The log cleaner's view of this log (compaction); the broker sets its hints there. */
    public CleanableLog cleanable() {
        return cleanable;
    }

    // ============================================================================================== test hooks

    LogSegment activeSegmentForTest() {
        return local.segments().active();
    }

    List<LogSegment> segmentsForTest() {
        return new ArrayList<>(local.segments().all());
    }
}
