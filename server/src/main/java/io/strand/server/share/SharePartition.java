package io.strand.server.share;

import io.strand.server.share.InFlightRecords.Entry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share-group state of one (group, topic partition) on the partition's leader (Kafka's
 * SharePartition): which records are in flight, who holds them, how often they were delivered. A
 * ShareFetch {@link #acquire}s available records for a member under an acquisition lock of
 * {@code group.share.record.lock.duration.ms}; the member {@link #acknowledge}s them (accept, release,
 * reject; renew extends the lock); an expired lock makes them available again, or archives them once
 * {@code group.share.delivery.count.limit} deliveries are reached. The start offset (SPSO) moves past
 * the contiguous acknowledged/archived prefix; no new records are acquired while
 * {@code group.share.partition.max.record.locks} offsets are in flight.
 *
 * <p>State is read from the {@link Persister} at {@link #initialize} and written after every change
 * that must survive this leader; an acknowledgement is answered only once its write succeeded. Writes
 * go out one at a time, each carrying the whole current state, so they cannot overtake each other.
 *
 * <p>Thread-safe: state changes under this object's monitor; futures complete outside it.
 */
public final class SharePartition {
    private static final Logger log = LoggerFactory.getLogger(SharePartition.class);
    /** Acknowledge types (ShareFetch/ShareAcknowledge): 0 is a gap (no record at the offset). */
    public static final byte GAP = 0, ACCEPT = 1, RELEASE = 2, REJECT = 3, RENEW = 4;

    /** A range of acquired offsets and how often they have now been delivered. */
    public record AcquiredRange(long firstOffset, long lastOffset, int deliveryCount) {}

    /** What one acquisition got: ranges and the batches that hold them. */
    public record Acquired(List<AcquiredRange> ranges, MemoryRecords records) {
        public static final Acquired NONE = new Acquired(List.of(), MemoryRecords.EMPTY);

        public int count() {
            return ranges.stream()
                    .mapToInt(r -> (int) (r.lastOffset - r.firstOffset + 1))
                    .sum();
        }
    }

    /** One acknowledgement batch as ShareFetch and ShareAcknowledge carry it. */
    public record AckBatch(long firstOffset, long lastOffset, List<Byte> types) {}

    final String groupId;
    final Uuid topicId;
    final TopicPartition tp;
    final int leaderEpoch;
    private final ShareLog shareLog;
    private final ShareConfig config;
    private final Persister persister;
    private final ScheduledExecutorService timer;
    private final ShareMetrics metrics;
    private final List<Runnable> availabilityListeners = new CopyOnWriteArrayList<>();
    private volatile Runnable onFenced = () -> {};

    private InFlightRecords window;
    private int stateEpoch;
    private long nextAcquisitionId;
    /** The smallest log read of an acquisition. */
    private static final int MIN_READ_BYTES = 16 * 1024;
    /** Bytes per record of the batches read so far (sizes the next read), and the largest batch seen. */
    private double bytesPerRecord = 1024;

    private int largestBatchBytes;
    private final StateWriter writer;
    private volatile boolean fenced;

    public SharePartition(
            String groupId,
            Uuid topicId,
            TopicPartition tp,
            int leaderEpoch,
            ShareLog shareLog,
            ShareConfig config,
            Persister persister,
            ScheduledExecutorService timer,
            ShareMetrics metrics) {
        this.groupId = groupId;
        this.topicId = topicId;
        this.tp = tp;
        this.leaderEpoch = leaderEpoch;
        this.shareLog = shareLog;
        this.config = config;
        this.persister = persister;
        this.timer = timer;
        this.metrics = metrics;
        this.writer = new StateWriter(
                this::snapshot, state -> persister.write(groupId, topicId, tp.partition(), state), this::afterWrite);
    }

    /** Called (once) when a write is fenced: a newer leader, or an offset reset, owns the state now. */
    void onFenced(Runnable r) {
        this.onFenced = r;
    }

    boolean fenced() {
        return fenced;
    }

    /** Dropped from the manager: no more acquisitions, expiries or writes from this instance. */
    void close() {
        fenced = true;
        writer.stop();
    }

    /**
     * Reads the persisted state; without any, starts at the latest offset (the high watermark: Kafka's
     * default {@code share.auto.offset.reset=latest}) and persists that start at once, so that later
     * fetches keep it. Completes with NONE once usable.
     */
    public CompletableFuture<Errors> initialize() {
        return persister.read(groupId, topicId, tp.partition(), leaderEpoch).thenCompose(r -> {
            if (r.error() != Errors.NONE) {
                log.info("Share group {} {}: cannot read its state: {}", groupId, tp, r.error());
                return CompletableFuture.completedFuture(r.error());
            }
            ShareState s = r.state();
            synchronized (this) {
                stateEpoch = s.stateEpoch();
                if (s.initialized()) {
                    window = InFlightRecords.restore(s, config.deliveryCountLimit());
                    log.info(
                            "Share group {} {}: loaded state epoch {}, start offset {}, {} records in flight up to {}",
                            groupId,
                            tp,
                            stateEpoch,
                            window.startOffset,
                            window.size(),
                            window.endOffset);
                    return CompletableFuture.completedFuture(Errors.NONE);
                }
                window = new InFlightRecords(shareLog.highWatermark());
                log.info(
                        "Share group {} {}: no state yet; starting at the latest offset {}",
                        groupId,
                        tp,
                        window.startOffset);
            }
            return persist();
        });
    }

    public void addAvailabilityListener(Runnable r) {
        availabilityListeners.add(r);
    }

    public void removeAvailabilityListener(Runnable r) {
        availabilityListeners.remove(r);
    }

    private void fireAvailable() {
        availabilityListeners.forEach(Runnable::run);
    }

    public synchronized long startOffset() {
        return window.startOffset;
    }

    public synchronized long endOffset() {
        return window.endOffset;
    }

    public synchronized int stateEpoch() {
        return stateEpoch;
    }

    /** The state of {@code offset} if in flight (tests, describe). */
    public synchronized RecordState stateOf(long offset) {
        Entry e = window.entries.get(offset);
        return e == null ? null : e.state;
    }

    public synchronized int deliveryCountOf(long offset) {
        Entry e = window.entries.get(offset);
        return e == null ? 0 : e.deliveryCount;
    }

    /** True when nothing is acquired, no write is outstanding and no fetch waits: the state can be dropped and re-read. */
    boolean idle() {
        boolean acquired;
        synchronized (this) {
            acquired = window.anyAcquired();
        }
        return !acquired && !writer.busy() && availabilityListeners.isEmpty(); // no fetch parked on it
    }

    // ================================================================================================ acquire

    /**
     * Acquires available records for {@code memberId}: first those released or expired (delivered
     * again), then new ones from the log, up to {@code maxRecords} (whole batches unless
     * {@code strictMaxRecords}) and {@code maxBytes} of batches.
     */
    public Acquired acquire(String memberId, int maxRecords, int maxBytes, boolean strictMaxRecords) {
        Acquired result;
        boolean startMoved;
        synchronized (this) {
            if (fenced || window == null) {
                return Acquired.NONE;
            }
            long logStart = shareLog.logStartOffset();
            if (window.startOffset < logStart) {
                log.info(
                        "Share group {} {}: start offset {} is below the log start {} (retention); moving it",
                        groupId,
                        tp,
                        window.startOffset,
                        logStart);
                window.moveStartTo(logStart);
            }
            result = acquireLocked(memberId, Math.max(1, maxRecords), Math.max(1, maxBytes), strictMaxRecords);
            startMoved = window.advanceStart(); // over control batches and offsets without records
        }
        if (!result.ranges().isEmpty()) {
            metrics.acquired.inc(result.count());
        }
        if (startMoved && result.ranges().isEmpty()) {
            persist(); // gaps archived: keep the SPSO
        }
        return result;
    }

    private Acquired acquireLocked(String memberId, int maxRecords, int maxBytes, boolean strict) {
        long acquisition = ++nextAcquisitionId;
        List<AcquiredRange> ranges = new ArrayList<>();
        List<MutableRecordBatch> out = new ArrayList<>();
        int acquired = 0;
        int bytes = 0;
        long readFrom = window.firstAvailable();
        if (readFrom < 0) {
            readFrom = window.endOffset;
        }
        boolean stop = false;
        // each read is sized for the records still wanted (at the bytes per record seen so far), not for
        // max_bytes: a consumer's max_bytes (50 MiB by default) read and copied for 500 records cost
        // more than the rest of the fetch; a read that falls short is followed by a larger one
        long chunk =
                Math.max(MIN_READ_BYTES, (long) ((maxRecords - acquired) * bytesPerRecord * 1.25) + largestBatchBytes);
        for (int reads = 0; reads < 16 && !stop && acquired < maxRecords && bytes < maxBytes; reads++) {
            if (readFrom >= shareLog.highWatermark()) {
                break;
            }
            if (readFrom >= window.endOffset && window.endOffset - window.startOffset >= config.maxRecordLocks()) {
                break; // the window is full: nothing new until the SPSO moves
            }
            int remaining = maxBytes - bytes;
            int readBytes = (int) Math.min(remaining, chunk);
            chunk = Math.min(Integer.MAX_VALUE, chunk * 2);
            MemoryRecords read;
            try {
                read = shareLog.read(readFrom, readBytes, out.isEmpty());
            } catch (OffsetOutOfRangeException e) {
                break;
            }
            long cursor = readFrom;
            boolean any = false;
            for (MutableRecordBatch batch : read.batches()) {
                any = true;
                learn(batch);
                archiveMissing(cursor, batch.baseOffset());
                cursor = batch.lastOffset() + 1;
                if (batch.isControlBatch()) {
                    for (long o = batch.baseOffset(); o <= batch.lastOffset(); o++) {
                        Entry e = window.entries.get(o);
                        if (e != null && e.state == RecordState.AVAILABLE) {
                            e.state = RecordState.ARCHIVED;
                        }
                    }
                    window.endOffset = Math.max(window.endOffset, cursor);
                    continue;
                }
                boolean used = false;
                for (long o = Math.max(batch.baseOffset(), window.startOffset); o <= batch.lastOffset(); o++) {
                    boolean full = acquired >= maxRecords;
                    if (full && (strict || !used)) {
                        stop = true;
                        break;
                    }
                    Entry e;
                    if (o < window.endOffset) {
                        e = window.entries.get(o);
                        if (e == null || e.state != RecordState.AVAILABLE) {
                            continue;
                        }
                    } else {
                        if (!used && window.endOffset - window.startOffset >= config.maxRecordLocks()) {
                            stop = true;
                            break;
                        }
                        e = new Entry(RecordState.AVAILABLE, 0);
                        window.entries.put(o, e);
                        window.endOffset = o + 1;
                    }
                    e.state = RecordState.ACQUIRED;
                    e.deliveryCount++;
                    e.memberId = memberId;
                    e.acquisitionId = acquisition;
                    addToRanges(ranges, o, e.deliveryCount);
                    acquired++;
                    used = true;
                }
                if (used) {
                    out.add(batch);
                    bytes += batch.sizeInBytes();
                }
                if (stop || bytes >= maxBytes) {
                    stop = true;
                    break;
                }
            }
            if (!any) {
                if (readBytes < remaining) {
                    continue; // the next batch is larger than this read: read more
                }
                break;
            }
            readFrom = cursor;
        }
        if (ranges.isEmpty()) {
            return Acquired.NONE;
        }
        scheduleExpiry(acquisition);
        return new Acquired(List.copyOf(ranges), concat(out, bytes));
    }

    /** Updates the read-size estimate from a batch read: a moving average of bytes per record, the largest batch. */
    private void learn(MutableRecordBatch batch) {
        long records = batch.lastOffset() - batch.baseOffset() + 1;
        if (records > 0) {
            bytesPerRecord = bytesPerRecord * 0.9 + 0.1 * ((double) batch.sizeInBytes() / records);
        }
        largestBatchBytes = Math.max(largestBatchBytes, batch.sizeInBytes());
    }

    /** Offsets in {@code [from, to)} of the window with no batch in the log: nothing to deliver there. */
    private void archiveMissing(long from, long to) {
        for (long o = Math.max(from, window.startOffset); o < Math.min(to, window.endOffset); o++) {
            Entry e = window.entries.get(o);
            if (e != null && e.state == RecordState.AVAILABLE) {
                window.entries.remove(o);
            }
        }
        if (to > window.endOffset && from <= window.endOffset) {
            window.endOffset = to; // a gap among new offsets: nothing there
        }
    }

    private static void addToRanges(List<AcquiredRange> ranges, long offset, int count) {
        if (!ranges.isEmpty()) {
            AcquiredRange last = ranges.get(ranges.size() - 1);
            if (last.lastOffset + 1 == offset && last.deliveryCount == count) {
                ranges.set(ranges.size() - 1, new AcquiredRange(last.firstOffset, offset, count));
                return;
            }
        }
        ranges.add(new AcquiredRange(offset, offset, count));
    }

    private static MemoryRecords concat(List<MutableRecordBatch> batches, int bytes) {
        ByteBuffer buf = ByteBuffer.allocate(bytes);
        for (MutableRecordBatch b : batches) {
            b.writeTo(buf);
        }
        buf.flip();
        return MemoryRecords.readableRecords(buf);
    }

    private void scheduleExpiry(long acquisition) {
        try {
            timer.schedule(() -> expire(acquisition), config.recordLockDurationMs(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("Share group {} {}: timer stopped (shutting down)", groupId, tp);
        }
    }

    /** The lock of {@code acquisition} expired: its records still acquired go back (or are archived). */
    void expire(long acquisition) {
        int released = 0;
        synchronized (this) {
            if (fenced || window == null) {
                return;
            }
            for (Map.Entry<Long, Entry> me : window.entries.entrySet()) {
                Entry e = me.getValue();
                if (e.state == RecordState.ACQUIRED && e.acquisitionId == acquisition) {
                    release(e);
                    released++;
                }
            }
            if (released == 0) {
                return;
            }
            window.advanceStart();
        }
        metrics.lockExpiries.inc(released);
        log.debug("Share group {} {}: acquisition lock expired for {} records", groupId, tp, released);
        persist();
        fireAvailable();
    }

    private void release(Entry e) {
        e.memberId = null;
        if (e.deliveryCount >= config.deliveryCountLimit()) {
            e.state = RecordState.ARCHIVED;
            metrics.archived.inc();
        } else {
            e.state = RecordState.AVAILABLE;
            metrics.released.inc();
        }
    }

    /** The member's session ended: its acquired records go back (or are archived at the limit). */
    public CompletableFuture<Errors> releaseMember(String memberId) {
        int released = 0;
        synchronized (this) {
            if (fenced || window == null) {
                return CompletableFuture.completedFuture(Errors.NONE);
            }
            for (Entry e : window.entries.values()) {
                if (e.state == RecordState.ACQUIRED && memberId.equals(e.memberId)) {
                    release(e);
                    released++;
                }
            }
            window.advanceStart();
        }
        if (released == 0) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }
        log.info(
                "Share group {} {}: released {} records of member {} (session closed)",
                groupId,
                tp,
                released,
                memberId);
        CompletableFuture<Errors> written = persist();
        fireAvailable();
        return written;
    }

    // ============================================================================================ acknowledge

    /**
     * Applies {@code batches} for {@code memberId}, all or nothing: INVALID_RECORD_STATE if any offset is
     * not acquired by this member, INVALID_REQUEST for malformed batches or types (RENEW only with
     * {@code renewAllowed}). Completes once the new state is persisted.
     */
    public CompletableFuture<Errors> acknowledge(String memberId, List<AckBatch> batches, boolean renewAllowed) {
        long renewal = 0;
        boolean anyAvailable = false;
        synchronized (this) {
            if (fenced || window == null) {
                return CompletableFuture.completedFuture(Errors.NOT_LEADER_OR_FOLLOWER);
            }
            Errors invalid = validate(memberId, batches, renewAllowed);
            if (invalid != Errors.NONE) {
                log.info("Share group {} {}: acknowledgement of member {} refused: {}", groupId, tp, memberId, invalid);
                return CompletableFuture.completedFuture(invalid);
            }
            for (AckBatch b : batches) {
                for (long o = b.firstOffset(); o <= b.lastOffset(); o++) {
                    byte type =
                            b.types().size() == 1 ? b.types().get(0) : b.types().get((int) (o - b.firstOffset()));
                    Entry e = window.entries.get(o);
                    switch (type) {
                        case ACCEPT -> {
                            e.state = RecordState.ACKNOWLEDGED;
                            e.memberId = null;
                            metrics.acknowledged.inc();
                        }
                        case RELEASE -> {
                            release(e);
                            anyAvailable |= e.state == RecordState.AVAILABLE;
                        }
                        case RENEW -> {
                            if (renewal == 0) {
                                renewal = ++nextAcquisitionId;
                            }
                            e.acquisitionId = renewal;
                        }
                        default -> { // REJECT, GAP
                            e.state = RecordState.ARCHIVED;
                            e.memberId = null;
                            metrics.archived.inc();
                        }
                    }
                }
            }
            anyAvailable |= window.advanceStart();
        }
        if (renewal != 0) {
            scheduleExpiry(renewal);
        }
        if (anyAvailable) {
            fireAvailable();
        }
        return persist();
    }

    private Errors validate(String memberId, List<AckBatch> batches, boolean renewAllowed) {
        long previousLast = -1;
        for (AckBatch b : batches) {
            long length = b.lastOffset() - b.firstOffset() + 1;
            if (length <= 0
                    || b.firstOffset() <= previousLast
                    || b.types().isEmpty()
                    || (b.types().size() != 1 && b.types().size() != length)) {
                return Errors.INVALID_REQUEST;
            }
            previousLast = b.lastOffset();
            for (byte t : b.types()) {
                if (t < GAP || t > RENEW || (t == RENEW && !renewAllowed)) {
                    return Errors.INVALID_REQUEST;
                }
            }
            for (long o = b.firstOffset(); o <= b.lastOffset(); o++) {
                Entry e = window.entries.get(o);
                if (e == null || e.state != RecordState.ACQUIRED || !memberId.equals(e.memberId)) {
                    return Errors.INVALID_RECORD_STATE;
                }
            }
        }
        return Errors.NONE;
    }

    // ================================================================================================ persist

    /** Writes the current state (after the write in flight, if any); the future has the write's outcome. */
    CompletableFuture<Errors> persist() {
        return writer.write();
    }

    private synchronized ShareState snapshot() {
        return window.snapshot(stateEpoch, leaderEpoch);
    }

    private void afterWrite(Errors error) {
        if (error == Errors.FENCED_STATE_EPOCH || error == Errors.FENCED_LEADER_EPOCH) {
            log.info("Share group {} {}: state write fenced ({}); dropping this state", groupId, tp, error);
            close();
            onFenced.run();
        } else if (error != Errors.NONE && error != Errors.NOT_LEADER_OR_FOLLOWER) {
            log.warn("Share group {} {}: state write failed: {}", groupId, tp, error);
        }
    }

    @Override
    public String toString() {
        return "SharePartition{" + groupId + ", " + tp + ", leader epoch " + leaderEpoch + "}";
    }
}
