package io.strand.wal;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's log: a directory of segments ({@link LogSegment}), a leader-epoch cache, and a checkpoint of
 * recovery point, high watermark and log start offset.
 *
 * <p>Thread-safety: appends, truncations, rolls, retention and close are serialised by the log's lock. Reads,
 * timestamp lookups and offset getters take no log lock and never block the writer: they read the volatile log end
 * offset first, then segment sizes and index entries, which the writer publishes before the log end offset.
 *
 * <p>Durability: with {@link LogConfig#fsyncBeforeAck()} (the default) every append asks for a group-commit fsync
 * on the shared flusher threads; one fsync covers every append that arrived before it started, and
 * {@link #durableEndOffset()} / {@link #awaitDurable(long)} / durable listeners report its progress. Without it,
 * Kafka's {@code flush.messages} / {@code flush.ms} policy applies and the durable end offset is the log end offset.
 */
public final class PartitionLog implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(PartitionLog.class);

    static final String CHECKPOINT_FILE = "log-offsets.checkpoint";
    static final String CLEAN_SHUTDOWN_FILE = "clean.shutdown";
    static final String PARTITION_METADATA_FILE = "partition.metadata";
    private static final int CHECKPOINT_VERSION = 0;

    // ListOffsets special timestamps (ListOffsetsRequest)
    static final long EARLIEST_TIMESTAMP = -2L;
    static final long LATEST_TIMESTAMP = -1L;
    static final long MAX_TIMESTAMP = -3L;
    static final long EARLIEST_LOCAL_TIMESTAMP = -4L;

    private static final int FLUSH_IDLE = 0;
    private static final int FLUSH_SCHEDULED = 1;
    private static final int FLUSH_RUNNING = 2;
    private static final int FLUSH_RUNNING_AGAIN = 3;

    private final TopicPartition topicPartition;
    private volatile Uuid topicId;
    private volatile Path dir;
    private volatile LogConfig config;
    private final LogRuntime runtime;
    private final boolean ownsRuntime;
    private final String logPrefix;

    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private volatile LogSegment activeSegment;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long highWatermark;
    private final LeaderEpochCache epochCache;

    // durability state, guarded by durableLock
    private final Object durableLock = new Object();
    /** Everything below it is fsynced: the recovery point. */
    private volatile long flushedOffset;
    /** Bumped by every truncation; a flush that started before one does not advance {@link #flushedOffset}. */
    private long generation;

    private final TreeMap<Long, List<CompletableFuture<Void>>> durableWaiters = new TreeMap<>();
    /** Number of distinct offsets waited for; lets the append path skip the lock when nobody waits. */
    private volatile int waiterCount;

    private final CopyOnWriteArrayList<LongConsumer> durableListeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger flushState = new AtomicInteger(FLUSH_IDLE);
    private final Object listenerLock = new Object();
    /** Last value given to the durable listeners (lowered by truncation). */
    private final java.util.concurrent.atomic.AtomicLong lastNotifiedDurable =
            new java.util.concurrent.atomic.AtomicLong(-1);

    private volatile long lastFlushMs;
    private volatile boolean dirNeedsSync;

    // group-commit linger (durable mode): see lingerForGroup()
    /** Durable-mode appends so far. */
    private final java.util.concurrent.atomic.AtomicLong appendCount = new java.util.concurrent.atomic.AtomicLong();
    /** appendCount when the last fsync pass captured its target, and the size of the group it covered. */
    private long capturedAppendCount;

    private long lastGroupSize;
    private long lastFsyncNanos;
    private volatile Thread lingeringFlusher;
    private volatile long lingerTarget = Long.MAX_VALUE;
    /** Upper bound of a linger, whatever the fsync time. */
    static final long MAX_LINGER_NANOS = 1_000_000L;

    private volatile boolean cleanMarkerPresent;
    private volatile boolean closed;
    private volatile boolean deleted;
    private volatile KafkaStorageException failure;
    private String lastCheckpoint = "";

    private PartitionLog(
            Path dir, TopicPartition tp, Uuid topicId, LogConfig config, LogRuntime runtime, boolean ownsRuntime)
            throws IOException {
        this.dir = dir;
        this.topicPartition = tp;
        this.topicId = topicId;
        this.config = config;
        this.runtime = runtime;
        this.ownsRuntime = ownsRuntime;
        this.logPrefix = "[Log " + tp + " dir=" + dir.getParent() + "] ";
        this.epochCache = new LeaderEpochCache(dir, logPrefix);
    }

    // ============================================================================================== opening

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
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                CheckpointFile.fsyncDir(dir.getParent());
            }
            PartitionLog pl = new PartitionLog(dir, tp, topicId, config, runtime, ownsRuntime);
            try {
                pl.load();
            } catch (IOException | RuntimeException e) {
                for (LogSegment seg : pl.segments.values()) seg.closeQuietly();
                throw e;
            }
            return pl;
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot open the log of " + tp + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    private void load() throws IOException {
        long now = runtime.time.milliseconds();
        LogConfig cfg = config;
        TreeSet<Long> bases = new TreeSet<>();
        List<Path> strayIndexes = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.endsWith(LogSegment.DELETED_SUFFIX) || name.endsWith(CheckpointFile.TMP_SUFFIX)) {
                    Files.deleteIfExists(p);
                } else if (name.endsWith(LogSegment.LOG_SUFFIX)) {
                    bases.add(parseBase(p, LogSegment.LOG_SUFFIX));
                } else if (name.endsWith(LogSegment.INDEX_SUFFIX) || name.endsWith(LogSegment.TIME_INDEX_SUFFIX)) {
                    strayIndexes.add(p);
                }
            }
        }
        for (Path p : strayIndexes) {
            String name = p.getFileName().toString();
            String prefix = name.substring(0, name.indexOf('.'));
            if (!bases.contains(Long.parseLong(prefix))) Files.deleteIfExists(p);
        }
        Optional<Uuid> onDisk = readTopicId(dir);
        if (topicId == null || Uuid.ZERO_UUID.equals(topicId)) {
            topicId = onDisk.orElse(Uuid.ZERO_UUID);
        } else if (onDisk.isEmpty()) {
            writeTopicId(dir, topicId);
        } else if (!onDisk.get().equals(topicId)) {
            throw new InconsistentTopicIdException("The log in " + dir + " belongs to topic id " + onDisk.get()
                    + ", not " + topicId + " (the log manager deletes such a log before creating the new one)");
        }

        long[] cp = readCheckpoint();
        long recoveryPoint = cp[0];
        long checkpointHw = cp[1];
        long checkpointLso = cp[2];
        boolean clean = Files.exists(dir.resolve(CLEAN_SHUTDOWN_FILE));

        if (bases.isEmpty()) {
            long base = Math.max(0, checkpointLso);
            LogSegment seg = LogSegment.create(dir, base, cfg.maxIndexSizeBytes(), now);
            segments.put(base, seg);
            activeSegment = seg;
            logStartOffset = base;
            logEndOffset = base;
            dirNeedsSync = true;
            epochCache.truncateFromEnd(base);
            epochCache.truncateFromStart(base);
        } else {
            long last = bases.last();
            Long floor = bases.floor(recoveryPoint);
            long recoverFrom = clean ? Long.MAX_VALUE : floor == null ? bases.first() : floor;
            for (long base : bases) {
                LogSegment seg = LogSegment.open(
                        dir,
                        base,
                        cfg.maxIndexSizeBytes(),
                        cfg.indexIntervalBytes(),
                        base == last,
                        base >= recoverFrom,
                        now);
                segments.put(base, seg);
            }
            activeSegment = segments.lastEntry().getValue();
            if (clean) {
                logEndOffset = activeSegment.readNextOffset();
                log.debug(
                        "{}Loaded after a clean shutdown: {} segments, log end offset {}",
                        logPrefix,
                        segments.size(),
                        logEndOffset);
            } else {
                recover(recoveryPoint, now);
            }
            logStartOffset = Math.max(checkpointLso, segments.firstKey());
            if (logStartOffset > logEndOffset) {
                log.warn(
                        "{}Log start offset {} is beyond the log end offset {}: starting an empty log there",
                        logPrefix,
                        logStartOffset,
                        logEndOffset);
                long start = logStartOffset;
                for (LogSegment s : new ArrayList<>(segments.values()))
                    removeAndDelete(s, "log start offset beyond the log end");
                LogSegment seg = LogSegment.create(dir, start, cfg.maxIndexSizeBytes(), now);
                segments.put(start, seg);
                activeSegment = seg;
                logEndOffset = start;
                epochCache.clear();
                CheckpointFile.fsyncDir(dir);
            }
            deleteSegmentsBelowStart();
            epochCache.truncateFromStart(logStartOffset);
        }
        highWatermark = clamp(checkpointHw, logStartOffset, logEndOffset);
        flushedOffset = logEndOffset;
        lastFlushMs = now;
        cleanMarkerPresent = clean;
        lastCheckpoint = checkpointContent();
    }

    private static long parseBase(Path p, String suffix) {
        String name = p.getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - suffix.length()));
    }

    /** Unclean start: validate everything from the segment holding the recovery point; truncate at the first bad batch. */
    private void recover(long recoveryPoint, long now) throws IOException {
        LogConfig cfg = config;
        Long fromKey = segments.floorKey(recoveryPoint);
        if (fromKey == null) fromKey = segments.firstKey();
        long expectedNext = -1;
        List<LogSegment> toRecover =
                new ArrayList<>(segments.tailMap(fromKey, true).values());
        log.info(
                "{}Recovering {} segment(s) from offset {} (recovery point {}) after an unclean shutdown",
                logPrefix,
                toRecover.size(),
                fromKey,
                recoveryPoint);
        LogSegment lastGood = null;
        for (int i = 0; i < toRecover.size(); i++) {
            LogSegment seg = toRecover.get(i);
            if (expectedNext >= 0 && seg.baseOffset() < expectedNext) {
                log.warn(
                        "{}Segment {} starts at offset {} inside the previous segment (which ends at {}); deleting it and every later segment",
                        logPrefix,
                        seg.logFile(),
                        seg.baseOffset(),
                        expectedNext);
                deleteFrom(toRecover, i);
                break;
            }
            LogSegment.RecoveryResult r = seg.recover(cfg.indexIntervalBytes(), (h, pos) -> {
                if (h.partitionLeaderEpoch() >= 0) epochCache.assignLazily(h.partitionLeaderEpoch(), h.baseOffset());
            });
            lastGood = seg;
            expectedNext = r.nextOffset();
            if (r.truncatedBytes() > 0) {
                log.warn(
                        "{}Truncated segment {} at position {} (offset {}): {}; dropped {} bytes",
                        logPrefix,
                        seg.logFile(),
                        r.validBytes(),
                        r.problemOffset() >= 0 ? r.problemOffset() : r.nextOffset(),
                        r.problem(),
                        r.truncatedBytes());
                deleteFrom(toRecover, i + 1);
                break;
            }
        }
        // everything we kept is fsynced now, so that the recovery point may move to the log end
        for (LogSegment seg : toRecover) {
            if (segments.containsKey(seg.baseOffset())) seg.flush();
        }
        activeSegment = segments.lastEntry().getValue();
        for (LogSegment seg : segments.values()) {
            if (seg != activeSegment && toRecover.contains(seg)) seg.trimIndexes();
        }
        activeSegment.makeActive(cfg.maxIndexSizeBytes());
        logEndOffset = lastGood == activeSegment ? expectedNext : activeSegment.readNextOffset();
        epochCache.truncateFromEnd(logEndOffset);
        epochCache.flushIfDirty();
        CheckpointFile.fsyncDir(dir);
    }

    private void deleteFrom(List<LogSegment> list, int from) throws IOException {
        for (int j = from; j < list.size(); j++) {
            LogSegment later = list.get(j);
            log.warn(
                    "{}Deleting segment {} (base offset {}) after the truncation point",
                    logPrefix,
                    later.logFile(),
                    later.baseOffset());
            segments.remove(later.baseOffset());
            later.closeAndDelete();
        }
    }

    // ============================================================================================== accessors

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    public Path dir() {
        return dir;
    }

    public LogConfig config() {
        return config;
    }

    /** Applies a new configuration: size/time/index settings at the next roll, flush and retention settings at once. */
    public void updateConfig(LogConfig c) {
        LogConfig old = this.config;
        this.config = c;
        if (c.fsyncBeforeAck() && !old.fsyncBeforeAck()) requestFlush();
        else if (!c.fsyncBeforeAck()) durableAdvanced();
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    public long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) total += s.size();
        return total;
    }

    public int numberOfSegments() {
        return segments.size();
    }

    public long highWatermark() {
        return highWatermark;
    }

    /** Stores the high watermark, clamped to [logStartOffset, logEndOffset]; checkpointed periodically and on close. */
    public void updateHighWatermark(long hw) {
        lock.lock();
        try {
            highWatermark = clamp(hw, logStartOffset, logEndOffset);
        } finally {
            lock.unlock();
        }
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(v, hi));
    }

    @Override
    public String toString() {
        return "PartitionLog(" + topicPartition + ", start=" + logStartOffset + ", end=" + logEndOffset + ", dir=" + dir
                + ")";
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
     * @throws org.apache.kafka.common.InvalidRecordException              magic other than 2, bad counts or offset deltas
     * @throws KafkaStorageException                                     I/O failure, or the log is closed
     */
    public AppendResult appendAsLeader(MemoryRecords records, int leaderEpoch) {
        ensureUsable();
        LogConfig cfg = config;
        ByteBuffer buf = writableBuffer(records);
        List<BatchHeader> batches = BatchValidator.validate(topicPartition, buf, cfg, true);
        long appendTime = -1;
        if (cfg.messageTimestampType() == TimestampType.LOG_APPEND_TIME && !batches.isEmpty()) {
            appendTime = runtime.time.milliseconds();
            stampLogAppendTime(buf, batches, appendTime);
            batches = reparse(buf, batches);
        }
        int setSize =
                batches.isEmpty() ? 0 : (int) batches.get(batches.size() - 1).nextPosition();
        ByteBuffer data = buf.duplicate();
        data.limit(data.position() + setSize);
        long first;
        long next;
        long maxTs = RecordBatch.NO_TIMESTAMP;
        int count = 0;
        lock.lock();
        try {
            ensureUsable();
            first = logEndOffset;
            if (batches.isEmpty())
                return new AppendResult(first, first - 1, appendTime, RecordBatch.NO_TIMESTAMP, 0, 0, logStartOffset);
            prepareForMutation();
            List<BatchHeader> assigned = new ArrayList<>(batches.size());
            next = first;
            for (BatchHeader h : batches) {
                int at = data.position() + (int) h.position();
                buf.putLong(at + BatchHeader.BASE_OFFSET_OFFSET, next);
                buf.putInt(at + BatchHeader.PARTITION_LEADER_EPOCH_OFFSET, leaderEpoch);
                BatchHeader a = new BatchHeader(
                        h.position(),
                        next,
                        h.sizeInBytes(),
                        leaderEpoch,
                        h.magic(),
                        h.crc(),
                        h.attributes(),
                        h.lastOffsetDelta(),
                        h.baseTimestamp(),
                        h.maxTimestamp(),
                        h.recordCount());
                assigned.add(a);
                maxTs = Math.max(maxTs, a.maxTimestamp());
                count += h.recordCount();
                next = a.nextOffset();
            }
            appendLocked(data, assigned, maxTs, cfg);
            if (leaderEpoch >= 0) epochCache.assignLazily(leaderEpoch, first);
        } finally {
            lock.unlock();
        }
        afterAppend(cfg, next);
        return new AppendResult(first, next - 1, appendTime, maxTs, count, setSize, logStartOffset);
    }

    /**
     * Follower append: batches keep the leader's offsets, epochs and timestamps. Validates framing, magic, CRC and
     * sizes; the first batch must start at the log end offset and offsets must increase. Updates the epoch cache
     * from the batches' partition leader epochs. A trailing partial batch (as a fetch may return) is ignored.
     *
     * @throws UnexpectedAppendOffsetException when the first offset is not the log end offset
     */
    public AppendResult appendAsFollower(MemoryRecords records) {
        ensureUsable();
        LogConfig cfg = config;
        ByteBuffer buf = records.buffer().duplicate();
        List<BatchHeader> batches = BatchValidator.validate(topicPartition, buf, cfg, false);
        int setSize =
                batches.isEmpty() ? 0 : (int) batches.get(batches.size() - 1).nextPosition();
        ByteBuffer data = buf.duplicate();
        data.limit(data.position() + setSize);
        long first;
        long next;
        long maxTs = RecordBatch.NO_TIMESTAMP;
        int count = 0;
        lock.lock();
        try {
            ensureUsable();
            if (batches.isEmpty())
                return new AppendResult(
                        logEndOffset, logEndOffset - 1, -1, RecordBatch.NO_TIMESTAMP, 0, 0, logStartOffset);
            first = batches.get(0).baseOffset();
            if (first != logEndOffset)
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
            appendLocked(data, batches, maxTs, cfg);
            for (BatchHeader h : batches) {
                if (h.partitionLeaderEpoch() >= 0) epochCache.assignLazily(h.partitionLeaderEpoch(), h.baseOffset());
            }
        } finally {
            lock.unlock();
        }
        afterAppend(cfg, next);
        return new AppendResult(first, next - 1, -1, maxTs, count, setSize, logStartOffset);
    }

    private static ByteBuffer writableBuffer(MemoryRecords records) {
        ByteBuffer src = records.buffer();
        if (!src.isReadOnly()) return src.duplicate();
        ByteBuffer copy = ByteBuffer.allocate(src.remaining());
        copy.put(src.duplicate()).flip();
        return copy;
    }

    private static void stampLogAppendTime(ByteBuffer buf, List<BatchHeader> batches, long now) {
        for (BatchHeader h : batches) {
            ByteBuffer slice = buf.duplicate();
            int at = buf.position() + (int) h.position();
            slice.limit(at + h.sizeInBytes()).position(at);
            MutableRecordBatch b =
                    MemoryRecords.readableRecords(slice.slice()).batchIterator().next();
            b.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, now);
        }
    }

    private static List<BatchHeader> reparse(ByteBuffer buf, List<BatchHeader> batches) {
        List<BatchHeader> out = new ArrayList<>(batches.size());
        for (BatchHeader h : batches)
            out.add(BatchHeader.parse(buf, buf.position() + (int) h.position(), h.position()));
        return out;
    }

    /** Rolls if needed and appends to the active segment; publishes the new log end offset. Lock held. */
    private void appendLocked(ByteBuffer data, List<BatchHeader> batches, long maxTs, LogConfig cfg) {
        BatchHeader firstBatch = batches.get(0);
        BatchHeader lastBatch = batches.get(batches.size() - 1);
        try {
            maybeRoll(data.remaining(), maxTs, firstBatch.baseOffset(), lastBatch.lastOffset(), batches.size(), cfg);
            activeSegment.append(data, batches, cfg.indexIntervalBytes());
        } catch (IOException e) {
            throw fail("append to " + activeSegment.logFile(), e);
        }
        logEndOffset = lastBatch.nextOffset();
    }

    private void maybeRoll(int setSize, long maxTs, long firstOffset, long lastOffset, int batchCount, LogConfig cfg)
            throws IOException {
        LogSegment seg = activeSegment;
        if (seg.size() == 0) return;
        long now = runtime.time.milliseconds();
        boolean full = (long) seg.size() + setSize > cfg.segmentBytes();
        boolean old = seg.timeWaitedForRoll(now, maxTs) > cfg.segmentMs();
        boolean indexFull = seg.indexesFull(batchCount);
        boolean offsetOverflow = lastOffset - seg.baseOffset() > Integer.MAX_VALUE;
        if (full || old || indexFull || offsetOverflow) {
            log.debug(
                    "{}Rolling new segment at offset {} (size {}, full {}, time {}, index full {}, offset overflow {})",
                    logPrefix,
                    firstOffset,
                    seg.size(),
                    full,
                    old,
                    indexFull,
                    offsetOverflow);
            roll(firstOffset, cfg);
        }
    }

    private void roll(long newBase, LogConfig cfg) throws IOException {
        LogSegment old = activeSegment;
        old.onBecomeInactive();
        LogSegment seg = LogSegment.create(dir, newBase, cfg.maxIndexSizeBytes(), runtime.time.milliseconds());
        segments.put(newBase, seg);
        activeSegment = seg;
        dirNeedsSync = true;
        if (!cfg.fsyncBeforeAck()) requestFlush(); // Kafka flushes a rolled segment in the background
    }

    /** Forces a roll of a non-empty active segment (tests, and Kafka's roll on demand). */
    void roll() {
        lock.lock();
        try {
            ensureUsable();
            if (activeSegment.size() == 0) return;
            prepareForMutation();
            roll(logEndOffset, config);
        } catch (IOException e) {
            throw fail("roll", e);
        } finally {
            lock.unlock();
        }
    }

    private void afterAppend(LogConfig cfg, long newEnd) {
        if (cfg.fsyncBeforeAck()) {
            long n = appendCount.incrementAndGet();
            Thread lingering = lingeringFlusher;
            if (lingering != null && n >= lingerTarget) java.util.concurrent.locks.LockSupport.unpark(lingering);
            requestFlush();
        } else {
            if (cfg.flushDueByMessages(newEnd - flushedOffset)) requestFlush();
            durableAdvanced();
        }
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
        long end = logEndOffset;
        long start = logStartOffset;
        if (startOffset < start || startOffset > end)
            throw new OffsetOutOfRangeException("Offset " + startOffset + " is out of range for " + topicPartition
                    + ": log start offset " + start + ", log end offset " + end);
        ensureReadable();
        long maxOffset = Math.min(maxOffsetExclusive, end);
        if (startOffset >= maxOffset || maxBytes < 0) return new LogReadResult(MemoryRecords.EMPTY, start, end);
        try {
            Map.Entry<Long, LogSegment> e = segments.floorEntry(startOffset);
            if (e == null) {
                // retention or a full truncation removed the segment after the range check above
                throw new OffsetOutOfRangeException("Offset " + startOffset + " is out of range for " + topicPartition
                        + ": log start offset " + logStartOffset + ", log end offset " + logEndOffset);
            }
            while (e != null) {
                LogSegment seg = e.getValue();
                FileSlice slice = seg.read(startOffset, maxBytes, maxOffset, minOneBatch, seg.size());
                if (slice != null)
                    return new LogReadResult(slice.sizeInBytes() == 0 ? MemoryRecords.EMPTY : slice, start, end);
                e = segments.higherEntry(e.getKey());
            }
        } catch (IOException ex) {
            throw readFailure(ex);
        }
        return new LogReadResult(MemoryRecords.EMPTY, start, end);
    }

    private KafkaStorageException readFailure(IOException e) {
        if (closed || deleted) return new KafkaStorageException("The log of " + topicPartition + " is closed", e);
        return new KafkaStorageException("Read from the log of " + topicPartition + " failed: " + e.getMessage(), e);
    }

    /**
     * Batches from the one containing {@code offset} to the log end offset at the time of the call, read onto the
     * heap one at a time and CRC-checked (for rebuilding producer state).
     */
    public Iterable<RecordBatch> batchesFrom(long offset) {
        long end = logEndOffset;
        return () -> new Iterator<>() {
            private Map.Entry<Long, LogSegment> entry = initialEntry();
            private long pos = -1;
            private RecordBatch nextBatch;

            private Map.Entry<Long, LogSegment> initialEntry() {
                Map.Entry<Long, LogSegment> e = segments.floorEntry(offset);
                return e != null ? e : segments.firstEntry();
            }

            @Override
            public boolean hasNext() {
                if (nextBatch != null) return true;
                try {
                    while (entry != null) {
                        LogSegment seg = entry.getValue();
                        int limit = seg.size();
                        if (pos < 0) {
                            BatchHeader h = seg.findBatch(offset, limit);
                            pos = h == null ? limit : h.position();
                        }
                        if (pos < limit) {
                            BatchHeader h = seg.readValidHeader(pos, limit);
                            if (h.baseOffset() >= end) return false;
                            pos = h.nextPosition();
                            if (h.lastOffset() < offset) continue;
                            nextBatch = seg.readBatch(h);
                            return true;
                        }
                        entry = segments.higherEntry(entry.getKey());
                        pos = entry == null ? -1 : 0;
                    }
                    return false;
                } catch (IOException e) {
                    throw readFailure(e);
                }
            }

            @Override
            public RecordBatch next() {
                if (!hasNext()) throw new NoSuchElementException();
                RecordBatch b = nextBatch;
                nextBatch = null;
                return b;
            }
        };
    }

    // ============================================================================================== timestamps

    /**
     * ListOffsets: the first offset whose record timestamp is {@code >= timestamp} (with the record's timestamp and
     * its batch's leader epoch), or empty if there is none. Also answers Kafka's special timestamps: -2 (earliest),
     * -4 (earliest local), -1 (latest) and -3 (max timestamp).
     */
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) {
        ensureReadable();
        long start = logStartOffset;
        long end = logEndOffset;
        if (timestamp == EARLIEST_TIMESTAMP || timestamp == EARLIEST_LOCAL_TIMESTAMP)
            return Optional.of(new TimestampOffset(RecordBatch.NO_TIMESTAMP, start, epochCache.epochForOffset(start)));
        if (timestamp == LATEST_TIMESTAMP)
            return Optional.of(new TimestampOffset(
                    RecordBatch.NO_TIMESTAMP, end, epochCache.latestEpoch().orElse(-1)));
        if (timestamp == MAX_TIMESTAMP) return offsetOfMaxTimestamp();
        if (timestamp < 0) return Optional.empty();
        try {
            Long from = segments.floorKey(start);
            for (LogSegment seg : (from == null ? segments : segments.tailMap(from, true)).values()) {
                if (seg.maxTimestampSoFar() < timestamp) continue;
                TimestampOffset r = seg.findOffsetByTimestamp(timestamp, start);
                if (r != null && r.offset() < end)
                    return Optional.of(
                            new TimestampOffset(r.timestamp(), Math.max(r.offset(), start), r.leaderEpoch()));
            }
        } catch (IOException e) {
            throw readFailure(e);
        }
        return Optional.empty();
    }

    /** The first record with the largest timestamp in the log (ListOffsets MAX_TIMESTAMP), or empty. */
    public Optional<TimestampOffset> offsetOfMaxTimestamp() {
        ensureReadable();
        LogSegment best = null;
        for (LogSegment seg : segments.values()) {
            if (seg.maxTimestampSoFar() >= 0 && (best == null || seg.maxTimestampSoFar() > best.maxTimestampSoFar()))
                best = seg;
        }
        if (best == null) return Optional.empty();
        try {
            TimestampOffset r = best.maxTimestampAndOffset();
            if (r == null || r.offset() < logStartOffset) return Optional.empty();
            return Optional.of(r);
        } catch (IOException e) {
            throw readFailure(e);
        }
    }

    // ============================================================================================== epochs

    /** Records that {@code epoch} starts at {@code startOffset} (a new leader), removing entries that contradict it. */
    public void assignEpochStartOffset(int epoch, long startOffset) {
        lock.lock();
        try {
            ensureUsable();
            epochCache.assign(epoch, startOffset);
        } finally {
            lock.unlock();
        }
    }

    public OptionalInt latestEpoch() {
        return epochCache.latestEpoch();
    }

    /** Kafka's OffsetsForLeaderEpoch semantics; see {@link LeaderEpochCache#endOffsetFor}. */
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        return epochCache.endOffsetFor(epoch, logEndOffset);
    }

    public List<EpochEntry> epochEntries() {
        return epochCache.entries();
    }

    // ============================================================================================== truncation and
    // deletion

    /**
     * Drops every batch at or above {@code offset} (the whole batch containing {@code offset}). Segments above it
     * are deleted (after the file-delete delay); the epoch cache, high watermark, recovery point and durable waiters
     * above the new end are brought in line. The new end is fsynced before this returns.
     */
    public void truncateTo(long offset) {
        if (offset < 0)
            throw new IllegalArgumentException("Cannot truncate " + topicPartition + " to negative offset " + offset);
        lock.lock();
        try {
            ensureUsable();
            if (offset >= logEndOffset) return;
            if (offset < segments.firstKey()) {
                truncateFullyAndStartAtLocked(offset);
            } else {
                truncateToLocked(offset);
            }
        } finally {
            lock.unlock();
        }
        durableAdvanced();
    }

    private void truncateToLocked(long offset) {
        try {
            prepareForMutation();
            log.info("{}Truncating to offset {} (log end offset {})", logPrefix, offset, logEndOffset);
            for (LogSegment seg :
                    new ArrayList<>(segments.tailMap(offset, false).values()))
                removeAndDelete(seg, "truncation to " + offset);
            LogSegment seg = segments.lastEntry().getValue();
            long now = runtime.time.milliseconds();
            seg.truncateTo(offset, now);
            if (seg != activeSegment) {
                seg.makeActive(config.maxIndexSizeBytes());
                activeSegment = seg;
            }
            long newEnd = seg.readNextOffset();
            logEndOffset = newEnd;
            epochCache.truncateFromEnd(newEnd);
            logStartOffset = Math.min(logStartOffset, newEnd);
            highWatermark = Math.min(highWatermark, newEnd);
            truncateDurable(newEnd);
            seg.flush();
            CheckpointFile.fsyncDir(dir);
            writeCheckpoint();
        } catch (IOException e) {
            throw fail("truncation to " + offset, e);
        }
    }

    /** Deletes the whole log and starts it empty at {@code newStartOffset} (a replica behind the leader's log start). */
    public void truncateFullyAndStartAt(long newStartOffset) {
        if (newStartOffset < 0) throw new IllegalArgumentException("Negative start offset " + newStartOffset);
        lock.lock();
        try {
            ensureUsable();
            truncateFullyAndStartAtLocked(newStartOffset);
        } finally {
            lock.unlock();
        }
        durableAdvanced();
    }

    private void truncateFullyAndStartAtLocked(long newStart) {
        try {
            prepareForMutation();
            log.info(
                    "{}Truncating fully and starting at offset {} (log was {}..{})",
                    logPrefix,
                    newStart,
                    logStartOffset,
                    logEndOffset);
            for (LogSegment seg : new ArrayList<>(segments.values())) removeAndDelete(seg, "full truncation");
            LogSegment seg = LogSegment.create(dir, newStart, config.maxIndexSizeBytes(), runtime.time.milliseconds());
            segments.put(newStart, seg);
            activeSegment = seg;
            epochCache.clear();
            logStartOffset = newStart;
            logEndOffset = newStart;
            highWatermark = newStart;
            truncateDurable(newStart);
            synchronized (durableLock) {
                flushedOffset = newStart;
            }
            CheckpointFile.fsyncDir(dir);
            writeCheckpoint();
        } catch (IOException e) {
            throw fail("full truncation", e);
        }
    }

    /**
     * DeleteRecords: moves the log start offset up to {@code offset} (at most the high watermark) and deletes
     * segments wholly below it. The new log start offset is checkpointed before this returns.
     *
     * @throws OffsetOutOfRangeException when {@code offset} is above the high watermark
     */
    public void deleteRecordsBefore(long offset) {
        lock.lock();
        try {
            ensureUsable();
            if (offset > highWatermark)
                throw new OffsetOutOfRangeException("Cannot move the log start offset of " + topicPartition + " to "
                        + offset + " beyond the high watermark " + highWatermark);
            if (offset <= logStartOffset) return;
            log.info("{}Moving the log start offset from {} to {}", logPrefix, logStartOffset, offset);
            logStartOffset = offset;
            epochCache.truncateFromStart(offset);
            deleteSegmentsBelowStart();
            writeCheckpoint();
        } catch (IOException e) {
            throw fail("deleting records", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Retention: deletes closed segments (never the active one) that are older than {@code retention.ms} (by their
     * largest timestamp) or that make the log larger than {@code retention.bytes}, oldest first, and only below the
     * high watermark (Kafka's rule: nothing unreplicated is deleted). Also deletes segments wholly below the log
     * start offset. Moves the log start offset up. Returns the number of segments deleted.
     */
    public int deleteExpiredSegments(long nowMs) {
        lock.lock();
        try {
            if (closed || deleted || failure != null) return 0;
            LogConfig cfg = config;
            int deletedCount = 0;
            long size = sizeInBytes();
            while (segments.size() > 1) {
                Map.Entry<Long, LogSegment> first = segments.firstEntry();
                LogSegment seg = first.getValue();
                Long nextBase = segments.higherKey(first.getKey());
                if (nextBase == null || seg == activeSegment) break;
                boolean belowStart = nextBase <= logStartOffset;
                boolean replicated = nextBase <= highWatermark;
                boolean byTime =
                        cfg.retentionMs() >= 0 && nowMs - seg.largestTimestampForRetention() > cfg.retentionMs();
                boolean bySize = cfg.retentionBytes() >= 0 && size - seg.size() >= cfg.retentionBytes();
                if (!(belowStart || (replicated && (byTime || bySize)))) break;
                if (deletedCount == 0) prepareForMutation();
                String reason = belowStart
                        ? "below the log start offset " + logStartOffset
                        : byTime
                                ? "retention.ms " + cfg.retentionMs() + " exceeded (largest timestamp "
                                        + seg.largestTimestampForRetention() + ")"
                                : "retention.bytes " + cfg.retentionBytes() + " exceeded (log size " + size + ")";
                log.info(
                        "{}Deleting segment {} (offsets {}..{}): {}",
                        logPrefix,
                        seg.logFile(),
                        seg.baseOffset(),
                        nextBase - 1,
                        reason);
                size -= seg.size();
                removeAndDelete(seg, reason);
                deletedCount++;
            }
            if (deletedCount > 0) {
                if (segments.firstKey() > logStartOffset) {
                    logStartOffset = segments.firstKey();
                    epochCache.truncateFromStart(logStartOffset);
                }
                CheckpointFile.fsyncDir(dir);
                writeCheckpoint();
            }
            return deletedCount;
        } catch (IOException e) {
            throw fail("retention", e);
        } finally {
            lock.unlock();
        }
    }

    /** Deletes segments whose next segment starts at or below the log start offset. Lock held (or loading). */
    private void deleteSegmentsBelowStart() throws IOException {
        boolean any = false;
        while (segments.size() > 1) {
            Map.Entry<Long, LogSegment> first = segments.firstEntry();
            Long nextBase = segments.higherKey(first.getKey());
            if (nextBase == null || nextBase > logStartOffset) break;
            if (!any) prepareForMutation();
            any = true;
            removeAndDelete(first.getValue(), "below the log start offset " + logStartOffset);
        }
        if (any) dirNeedsSync = true;
    }

    /** Removes a segment from the log now; its files are renamed and deleted after {@code file.delete.delay.ms}. */
    private void removeAndDelete(LogSegment seg, String reason) throws IOException {
        segments.remove(seg.baseOffset());
        seg.renameForDeletion();
        runtime.scheduleDelete("segment " + seg.logFile() + " (" + reason + ")", seg::closeAndDelete);
    }

    // ============================================================================================== durability

    /** Every offset below this is fsynced (durable mode), or the log end offset (relaxed mode). */
    public long durableEndOffset() {
        return config.fsyncBeforeAck() ? flushedOffset : logEndOffset;
    }

    /** The offset below which everything is fsynced, whatever the mode: the recovery point. */
    public long recoveryPoint() {
        return flushedOffset;
    }

    /**
     * Completes once {@link #durableEndOffset()} {@code >= endOffset} (at once if it already is). Completes
     * exceptionally with {@link KafkaStorageException} if the log is closed, deleted or fails first, or is truncated
     * below {@code endOffset} ({@link LogTruncatedException}).
     */
    public CompletableFuture<Void> awaitDurable(long endOffset) {
        if (durableEndOffset() >= endOffset) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (durableLock) {
            if (closed || deleted || failure != null) {
                f.completeExceptionally(unusable());
                return f;
            }
            if (endOffset > logEndOffset) {
                f.completeExceptionally(new LogTruncatedException("Offset " + endOffset
                        + " is beyond the log end offset " + logEndOffset + " of " + topicPartition));
                return f;
            }
            durableWaiters.computeIfAbsent(endOffset, k -> new ArrayList<>(2)).add(f);
            waiterCount = durableWaiters.size();
        }
        completeWaiters(durableEndOffset());
        return f;
    }

    /** Called (on a flusher thread, or the appending thread in relaxed mode) with the new durable end offset. */
    public void addDurableListener(LongConsumer listener) {
        durableListeners.add(listener);
    }

    public void removeDurableListener(LongConsumer listener) {
        durableListeners.remove(listener);
    }

    /** fsyncs everything appended so far, on the calling thread. */
    public void flush() {
        if (closed || deleted) return;
        flushOnce();
    }

    /** Asks for a group-commit fsync on a flusher thread. */
    void requestFlush() {
        while (true) {
            int s = flushState.get();
            if (s == FLUSH_IDLE) {
                if (flushState.compareAndSet(FLUSH_IDLE, FLUSH_SCHEDULED)) {
                    if (!runtime.submitFlush(this::runFlush)) flushState.set(FLUSH_IDLE);
                    return;
                }
            } else if (s == FLUSH_RUNNING) {
                if (flushState.compareAndSet(FLUSH_RUNNING, FLUSH_RUNNING_AGAIN)) return;
            } else {
                return; // a flush that has not started yet will cover this append
            }
        }
    }

    private void runFlush() {
        flushState.set(FLUSH_RUNNING);
        try {
            if (!closed && !deleted) {
                if (config.fsyncBeforeAck() && !"false".equals(System.getProperty("strand.wal.linger")))
                    lingerForGroup();
                flushOnce();
            }
        } catch (RuntimeException e) {
            log.error("{}Group-commit flush failed", logPrefix, e);
        }
        if (!flushState.compareAndSet(FLUSH_RUNNING, FLUSH_IDLE)) {
            flushState.set(FLUSH_SCHEDULED);
            if (!runtime.submitFlush(this::runFlush)) flushState.set(FLUSH_IDLE);
        }
    }

    /**
     * Group-commit linger. An fsync covers the appends that arrived before it started; appenders woken by the
     * previous fsync append again a few microseconds later and would otherwise just miss the next one, so that
     * in steady state each fsync covers only about half of the waiting appenders. When fewer appends are pending
     * than the last fsync covered, wait (on this flusher thread) until as many have arrived, or for at most half
     * the last fsync's duration (bounded by {@link #MAX_LINGER_NANOS}). A lone appender never waits: its group
     * size is one.
     */
    private void lingerForGroup() {
        long group;
        long base;
        long fsyncNanos;
        lock.lock();
        try {
            group = lastGroupSize;
            base = capturedAppendCount;
            fsyncNanos = lastFsyncNanos;
        } finally {
            lock.unlock();
        }
        if (group <= 1 || appendCount.get() - base >= group) return;
        long deadline = System.nanoTime() + Math.min(fsyncNanos / 2, MAX_LINGER_NANOS);
        lingerTarget = base + group;
        lingeringFlusher = Thread.currentThread();
        try {
            while (appendCount.get() < base + group && !closed && !deleted) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                java.util.concurrent.locks.LockSupport.parkNanos(this, left);
            }
        } finally {
            lingeringFlusher = null;
            lingerTarget = Long.MAX_VALUE;
        }
    }

    /** One fsync pass: everything appended before it started becomes durable. */
    private void flushOnce() {
        long target;
        long gen;
        List<LogSegment> toFlush;
        boolean syncDir;
        lock.lock();
        try {
            if (closed || deleted || failure != null) return;
            target = logEndOffset;
            synchronized (durableLock) {
                gen = generation;
            }
            long count = appendCount.get();
            if (count > capturedAppendCount) {
                lastGroupSize = count - capturedAppendCount;
                capturedAppendCount = count;
            }
            Long from = segments.floorKey(flushedOffset);
            toFlush = new ArrayList<>((from == null ? segments : segments.tailMap(from, true)).values());
            syncDir = dirNeedsSync;
            dirNeedsSync = false;
        } finally {
            lock.unlock();
        }
        long fsyncStart = System.nanoTime();
        try {
            for (LogSegment seg : toFlush) {
                try {
                    seg.flush();
                } catch (java.nio.channels.ClosedChannelException e) {
                    if (segments.get(seg.baseOffset()) == seg && !closed && !deleted) throw e;
                    // deleted by retention or truncation meanwhile: nothing to make durable there
                }
            }
            if (syncDir) CheckpointFile.fsyncDir(dir);
        } catch (IOException e) {
            if (closed || deleted) return;
            dirNeedsSync |= syncDir;
            throw fail("fsync", e);
        }
        lastFsyncNanos = System.nanoTime() - fsyncStart;
        synchronized (durableLock) {
            if (gen == generation && target > flushedOffset) flushedOffset = target;
        }
        lastFlushMs = runtime.time.milliseconds();
        durableAdvanced();
    }

    /** Relaxed mode: fsync when {@code flush.ms} has passed since the last one. Called by the log manager's scheduler. */
    void maybeFlushByTime(long nowMs) {
        LogConfig cfg = config;
        if (cfg.fsyncBeforeAck() || cfg.flushIntervalMs() == Long.MAX_VALUE) return;
        if (nowMs - lastFlushMs >= cfg.flushIntervalMs() && logEndOffset > flushedOffset) requestFlush();
    }

    /** Truncation: the durable prefix and the waiters above the new end. Lock held. */
    private void truncateDurable(long newEnd) {
        List<CompletableFuture<Void>> failed = new ArrayList<>();
        lastNotifiedDurable.accumulateAndGet(newEnd, Math::min);
        synchronized (durableLock) {
            generation++;
            if (flushedOffset > newEnd) flushedOffset = newEnd;
            var above = durableWaiters.tailMap(newEnd, false);
            for (List<CompletableFuture<Void>> l : above.values()) failed.addAll(l);
            above.clear();
            waiterCount = durableWaiters.size();
        }
        if (!failed.isEmpty()) {
            // the log lock is held here: complete off this thread so that callbacks cannot run under it
            LogTruncatedException ex =
                    new LogTruncatedException("The log of " + topicPartition + " was truncated to " + newEnd);
            runtime.execute("fail durable waiters", () -> failed.forEach(f -> f.completeExceptionally(ex)));
        }
    }

    /** Completes the waiters the durable end offset has passed and tells the listeners. */
    private void durableAdvanced() {
        long durable = durableEndOffset();
        completeWaiters(durable);
        if (durableListeners.isEmpty()) return;
        // never called with the log lock held: listeners may call back into the log
        synchronized (listenerLock) {
            // listeners see strictly increasing values, one call at a time
            durable = durableEndOffset();
            if (durable <= lastNotifiedDurable.get()) return;
            lastNotifiedDurable.set(durable);
            for (LongConsumer l : durableListeners) {
                try {
                    l.accept(durable);
                } catch (RuntimeException e) {
                    log.error("{}Durable listener failed", logPrefix, e);
                }
            }
        }
    }

    private void completeWaiters(long durable) {
        if (waiterCount == 0) return;
        List<CompletableFuture<Void>> done = null;
        synchronized (durableLock) {
            if (!durableWaiters.isEmpty() && durableWaiters.firstKey() <= durable) {
                done = new ArrayList<>();
                var head = durableWaiters.headMap(durable, true);
                for (List<CompletableFuture<Void>> l : head.values()) done.addAll(l);
                head.clear();
                waiterCount = durableWaiters.size();
            }
        }
        if (done != null) {
            for (CompletableFuture<Void> f : done) f.complete(null);
        }
    }

    private void failWaiters(KafkaStorageException ex) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        synchronized (durableLock) {
            for (List<CompletableFuture<Void>> l : durableWaiters.values()) all.addAll(l);
            durableWaiters.clear();
            waiterCount = 0;
        }
        for (CompletableFuture<Void> f : all) f.completeExceptionally(ex);
    }

    // ============================================================================================== checkpoints

    /** Writes recovery point, high watermark and log start offset atomically if they changed since the last write. */
    public void checkpoint() {
        lock.lock();
        try {
            if (closed || deleted || failure != null) return;
            writeCheckpoint();
        } catch (IOException e) {
            throw fail("checkpoint", e);
        } finally {
            lock.unlock();
        }
    }

    private String checkpointContent() {
        return CHECKPOINT_VERSION + "\n" + "recoveryPoint " + Math.min(flushedOffset, logEndOffset) + "\n"
                + "highWatermark " + highWatermark + "\n" + "logStartOffset " + logStartOffset + "\n";
    }

    private void writeCheckpoint() throws IOException {
        // epochs first: the recovery point must not pass entries that are only in memory
        epochCache.flushIfDirty();
        String content = checkpointContent();
        if (content.equals(lastCheckpoint)) return;
        CheckpointFile.write(dir.resolve(CHECKPOINT_FILE), content);
        lastCheckpoint = content;
    }

    /** Reads (recoveryPoint, highWatermark, logStartOffset); zeros when absent or unreadable. */
    private long[] readCheckpoint() throws IOException {
        long[] r = {0, 0, 0};
        Optional<List<String>> lines = CheckpointFile.readLines(dir.resolve(CHECKPOINT_FILE));
        if (lines.isEmpty()) return r;
        try {
            List<String> l = lines.get();
            if (l.size() < 4 || Integer.parseInt(l.get(0).trim()) != CHECKPOINT_VERSION)
                throw new IOException("unrecognised checkpoint format");
            String[] keys = {"recoveryPoint", "highWatermark", "logStartOffset"};
            for (int i = 0; i < 3; i++) {
                String[] kv = l.get(1 + i).trim().split("\\s+");
                if (kv.length != 2 || !kv[0].equals(keys[i]))
                    throw new IOException("expected " + keys[i] + " in line '" + l.get(1 + i) + "'");
                r[i] = Long.parseLong(kv[1]);
            }
        } catch (IOException | NumberFormatException e) {
            log.warn(
                    "{}Ignoring malformed {}: {}; recovering the whole log",
                    logPrefix,
                    dir.resolve(CHECKPOINT_FILE),
                    e.getMessage());
            return new long[] {0, 0, 0};
        }
        return r;
    }

    static Optional<Uuid> readTopicId(Path dir) throws IOException {
        Optional<List<String>> lines = CheckpointFile.readLines(dir.resolve(PARTITION_METADATA_FILE));
        if (lines.isEmpty()) return Optional.empty();
        for (String line : lines.get()) {
            String t = line.trim();
            if (t.startsWith("topic_id:")) {
                try {
                    return Optional.of(
                            Uuid.fromString(t.substring("topic_id:".length()).trim()));
                } catch (IllegalArgumentException e) {
                    throw new IOException(
                            "Malformed topic id in " + dir.resolve(PARTITION_METADATA_FILE) + ": " + t, e);
                }
            }
        }
        return Optional.empty();
    }

    /** Kafka's {@code partition.metadata}: "version: 0" and "topic_id: <base64 uuid>". */
    static void writeTopicId(Path dir, Uuid topicId) throws IOException {
        CheckpointFile.write(dir.resolve(PARTITION_METADATA_FILE), "version: 0\ntopic_id: " + topicId + "\n");
    }

    // ============================================================================================== lifecycle

    /**
     * The first mutation after a clean start removes the clean-shutdown marker (durably), so that a crash from here
     * on leads to a recovery scan. Lock held.
     */
    private void prepareForMutation() {
        if (!cleanMarkerPresent) return;
        try {
            Files.deleteIfExists(dir.resolve(CLEAN_SHUTDOWN_FILE));
            CheckpointFile.fsyncDir(dir);
            cleanMarkerPresent = false;
        } catch (IOException e) {
            throw fail("removing the clean-shutdown marker", e);
        }
    }

    private void ensureUsable() {
        if (closed || deleted || failure != null) throw unusable();
    }

    private void ensureReadable() {
        if (closed || deleted) throw unusable();
    }

    private KafkaStorageException unusable() {
        if (failure != null)
            return new KafkaStorageException(
                    "The log of " + topicPartition + " is offline after an I/O error: " + failure.getMessage(),
                    failure);
        return new KafkaStorageException("The log of " + topicPartition + (deleted ? " was deleted" : " is closed"));
    }

    /** An I/O error takes the log offline (as Kafka takes the log dir offline): appends fail from now on. */
    private KafkaStorageException fail(String what, IOException e) {
        KafkaStorageException ex = new KafkaStorageException(
                "I/O error in " + what + " for " + topicPartition + " in " + dir + ": " + e.getMessage(), e);
        if (!closed && !deleted) {
            log.error("{}I/O error in {}; the log is offline", logPrefix, what, e);
            failure = ex;
            runtime.execute("fail durable waiters", () -> failWaiters(ex));
        }
        return ex;
    }

    /**
     * Clean close: fsyncs everything, trims the active segment's indexes, checkpoints (recovery point = log end),
     * closes the files and leaves the clean-shutdown marker, so the next open skips recovery. Pending
     * {@link #awaitDurable} futures that are not yet durable fail.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed || deleted) return;
            if (failure == null) {
                try {
                    for (LogSegment seg : segments.tailMap(
                                    segments.floorKey(flushedOffset) == null
                                            ? segments.firstKey()
                                            : segments.floorKey(flushedOffset),
                                    true)
                            .values()) seg.flush();
                    synchronized (durableLock) {
                        flushedOffset = logEndOffset;
                    }
                    activeSegment.onBecomeInactive();
                    activeSegment.flushIndexes();
                    writeCheckpoint();
                    completeWaiters(logEndOffset);
                } catch (IOException | RuntimeException e) {
                    log.error("{}Clean close failed; the next open will recover", logPrefix, e);
                    closeSegments();
                    closed = true;
                    return;
                }
            }
            closed = true;
            closeSegments();
            if (failure == null) {
                try {
                    Files.createFile(dir.resolve(CLEAN_SHUTDOWN_FILE));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // still there from a start without writes
                } catch (IOException e) {
                    log.warn("{}Could not write the clean-shutdown marker; the next open will recover", logPrefix, e);
                }
            }
        } finally {
            lock.unlock();
            failWaiters(new KafkaStorageException("The log of " + topicPartition + " is closed"));
            durableListeners.clear();
            if (ownsRuntime) runtime.close();
        }
    }

    private void closeSegments() {
        for (LogSegment seg : segments.values()) {
            try {
                seg.close();
            } catch (IOException e) {
                log.warn("{}Failed to close {}", logPrefix, seg, e);
            }
        }
    }

    /**
     * Removes the log for good: renames the directory to {@code <topic>-<partition>.<id>-delete} and deletes it after
     * {@code file.delete.delay.ms}, so slices already handed out stay readable until then. Used by the log manager.
     */
    void markDeletedAndScheduleRemoval(Path renamedDir) {
        lock.lock();
        try {
            if (deleted) return;
            deleted = true;
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
        failWaiters(new KafkaStorageException("The log of " + topicPartition + " was deleted"));
        durableListeners.clear();
        Path toDelete = dir;
        runtime.scheduleDelete("log directory " + toDelete, () -> {
            for (LogSegment seg : segments.values()) seg.closeQuietly();
            deleteRecursively(toDelete);
        });
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var walk = Files.walk(p)) {
            List<Path> all = new ArrayList<>();
            walk.forEach(all::add);
            for (int i = all.size() - 1; i >= 0; i--) Files.deleteIfExists(all.get(i));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Records the topic id of a log created before it had one (writes {@code partition.metadata}). */
    void assignTopicId(Uuid id) {
        lock.lock();
        try {
            writeTopicId(dir, id);
            topicId = id;
        } catch (IOException e) {
            throw fail("writing " + PARTITION_METADATA_FILE, e);
        } finally {
            lock.unlock();
        }
    }

    // ============================================================================================== test hooks

    LogSegment activeSegmentForTest() {
        return activeSegment;
    }

    List<LogSegment> segmentsForTest() {
        return new ArrayList<>(segments.values());
    }
}
