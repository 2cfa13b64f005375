package io.strand.wal.cleaner;

import io.strand.wal.CleanableLog;
import io.strand.wal.CleanableSegment;
import io.strand.wal.CompactionConfig;
import io.strand.wal.LogManager;
import io.strand.wal.PartitionLog;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log cleaner of a broker (compaction, Kafka's {@code LogCleaner} with its {@code LogCleanerManager}):
 * {@code log.cleaner.threads} threads, each repeatedly taking the dirtiest log with {@code cleanup.policy=compact}
 * whose dirty ratio is over its {@code min.cleanable.dirty.ratio} (or whose oldest dirty record is older than its
 * {@code max.compaction.lag.ms}), cleaning it ({@link Cleaner}) and checkpointing the new first dirty offset in the
 * log's directory; when no log needs cleaning a thread sleeps {@code log.cleaner.backoff.ms}. A log that fails to
 * clean for any reason but an I/O error or a truncation is marked uncleanable (reported, never retried in a loop)
 * and keeps being served; it is tried again after a restart.
 *
 * <p>Threads never interrupt each other (an interrupt closes the log's file channels); {@link #close} sets a flag
 * that a cleaning checks between reads, and waits for the threads.
 *
 * <p>Thread-safety: the per-log state is guarded by this object's monitor; the counters are atomic.
 */
public final class LogCleaner implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(LogCleaner.class);
    private static final long IO_RETRY_MS = 60_000;

    /** What the cleaner knows of one compacted log, for operators. */
    public record Status(
            TopicPartition topicPartition,
            String cleanupPolicy,
            double dirtyRatio,
            long firstDirtyOffset,
            long lastCleanedMs,
            Optional<String> uncleanableReason) {}

    private static final class LogState {
        long firstDirty = -1;
        boolean inProgress;
        String uncleanable;
        long lastCleanedMs = -1;
        /** After an I/O error: not before this time (no hot loop on a failing disk). */
        long retryAfterMs;
    }

    /** The cleanable range of a log now, and how dirty it is. */
    private record Dirtiness(
            long firstDirty, long firstUncleanable, long cleanBytes, long dirtyBytes, boolean overdue) {
        double ratio() {
            long total = cleanBytes + dirtyBytes;
            return total == 0 ? 0 : (double) dirtyBytes / total;
        }
    }

    private final LogManager logs;
    private final CleanerConfig config;
    private final Time time;
    private final Throttler throttler;
    private final Map<TopicPartition, LogState> states = new HashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    private final AtomicLong bytesCleaned = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong cleanings = new AtomicLong();
    private final AtomicLong lastRunEndMs = new AtomicLong();
    private final AtomicInteger deadThreads = new AtomicInteger();
    private volatile double maxDirtyRatio;
    private volatile double lastCleanSeconds;
    private volatile double lastBufferUtilization;
    private volatile double lastRecopyRatio;

    public LogCleaner(LogManager logs, CleanerConfig config, Time time) {
        this.logs = logs;
        this.config = config;
        this.time = time;
        this.throttler = new Throttler(config.maxIoBytesPerSecond());
        this.lastRunEndMs.set(time.milliseconds());
    }

    /** Starts the threads (none when {@code log.cleaner.enable} is false or there are no threads). */
    public synchronized void startup() {
        if (!config.enabled()) {
            log.info("The log cleaner is disabled (log.cleaner.enable=false): compacted topics are not compacted");
            return;
        }
        for (int i = 0; i < config.threads(); i++) {
            Cleaner cleaner = newCleaner();
            Thread t = new Thread(() -> run(cleaner), "strand-log-cleaner-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        log.info("Started {} log cleaner thread(s)", threads.size());
    }

    @Override
    public void close() {
        List<Thread> ts;
        synchronized (this) {
            stopping = true;
            notifyAll();
            ts = new ArrayList<>(threads);
        }
        for (Thread t : ts) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ============================================================================================== the threads

    private void run(Cleaner cleaner) {
        try {
            while (!stopping) {
                CleanableLog target = pickDirtiest();
                if (target == null) {
                    synchronized (this) {
                        if (!stopping) wait(Math.max(1, config.backoffMs()));
                    }
                    continue;
                }
                try {
                    cleanOne(cleaner, target);
                } finally {
                    release(target);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            deadThreads.incrementAndGet();
            log.error("Log cleaner thread {} died", Thread.currentThread().getName(), t);
        }
    }

    /** Cleans now, on the calling thread, every compacted log that has anything dirty, whatever its ratio (tests). */
    public int cleanAllNow() throws InterruptedException {
        Cleaner cleaner = newCleaner();
        int n = 0;
        for (PartitionLog pl : logs.all()) {
            CleanableLog c = pl.cleanable();
            synchronized (this) {
                LogState st = states.computeIfAbsent(c.topicPartition(), tp -> new LogState());
                if (st.inProgress || st.uncleanable != null || !c.config().compact() || !c.isUsable()) continue;
                if (dirtiness(c, st).dirtyBytes() == 0) continue;
                st.inProgress = true;
            }
            try {
                if (cleanOne(cleaner, c)) n++;
            } finally {
                release(c);
            }
        }
        return n;
    }

    /**
     * Cleans now, on the calling thread, each log the cleaner threads would choose (dirty ratio or max compaction
     * lag), dirtiest first, each at most once (tests and tools).
     */
    public int cleanDueNow() throws InterruptedException {
        Cleaner cleaner = newCleaner();
        java.util.Set<TopicPartition> done = new java.util.HashSet<>();
        int n = 0;
        CleanableLog target;
        while ((target = pickDirtiest()) != null) {
            try {
                if (!done.add(target.topicPartition())) break;
                if (cleanOne(cleaner, target)) n++;
            } finally {
                release(target);
            }
        }
        return n;
    }

    private Cleaner newCleaner() {
        return new Cleaner(
                new OffsetMap(config.dedupeBufferPerThread(), CleanerConfig.LOAD_FACTOR),
                throttler,
                config.ioBufferSize(),
                () -> stopping);
    }

    /** The cleaning of {@code c} is over (it was marked in progress when chosen). */
    private synchronized void release(CleanableLog c) {
        LogState st = states.get(c.topicPartition());
        if (st != null) st.inProgress = false;
    }

    private boolean cleanOne(Cleaner cleaner, CleanableLog target) throws InterruptedException {
        TopicPartition tp = target.topicPartition();
        Dirtiness d;
        synchronized (this) {
            d = dirtiness(target, states.get(tp));
        }
        try {
            Cleaner.Result r = cleaner.clean(target, d.firstDirty(), d.firstUncleanable(), time.milliseconds());
            if (r.endOffset() <= d.firstDirty()) {
                // nothing could be mapped (the first dirty batch reaches past the first uncleanable offset, e.g. an
                // open transaction's): look again after a backoff rather than at once
                synchronized (this) {
                    states.get(tp).retryAfterMs = time.milliseconds() + config.backoffMs();
                }
                return false;
            }
            target.writeCheckpoint(r.endOffset());
            synchronized (this) {
                LogState st = states.get(tp);
                st.firstDirty = r.endOffset();
                st.lastCleanedMs = time.milliseconds();
            }
            record(tp, d, r);
            return true;
        } catch (Cleaner.AbortedException e) {
            log.info("Cleaning of {} stopped: {}", tp, e.getMessage());
        } catch (KafkaStorageException | IOException e) {
            // the log itself goes offline on an error of its own files; a failed write of the cleaned segment (a
            // full disk) only delays the next try
            log.warn("Cleaning of {} stopped by an I/O error; retrying in {} ms: {}", tp, IO_RETRY_MS, e.getMessage());
            synchronized (this) {
                states.get(tp).retryAfterMs = time.milliseconds() + IO_RETRY_MS;
            }
        } catch (RuntimeException e) {
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            synchronized (this) {
                states.get(tp).uncleanable = reason;
            }
            log.error(
                    "Cannot clean {}; it is marked uncleanable until the broker restarts and is served as it is",
                    tp,
                    e);
        } finally {
            lastRunEndMs.set(time.milliseconds());
        }
        return false;
    }

    private void record(TopicPartition tp, Dirtiness d, Cleaner.Result r) {
        CleanerStats s = r.stats();
        double mb = s.bytesRead / (1024.0 * 1024.0);
        double secs = Math.max(s.elapsedSeconds(), 1e-9);
        bytesCleaned.addAndGet(s.bytesRead);
        bytesWritten.addAndGet(s.bytesWritten);
        cleanings.incrementAndGet();
        lastCleanSeconds = secs;
        lastBufferUtilization = s.mapUtilization;
        lastRecopyRatio = s.bytesRead == 0 ? 0 : (double) s.bytesWritten / s.bytesRead;
        double reduction = s.bytesRead == 0 ? 0 : 100.0 * (s.bytesRead - s.bytesWritten) / s.bytesRead;
        log.info(
                "Cleaned log {} (dirty section = [{}, {}]): {} MB of log processed in {} seconds ({} MB/sec); {}%"
                        + " size reduction, {} records removed; key map {}% full, built in {} s",
                tp,
                d.firstDirty(),
                r.endOffset(),
                String.format("%,.1f", mb),
                String.format("%,.1f", secs),
                String.format("%,.1f", mb / secs),
                String.format("%,.1f", reduction),
                s.recordsRead - s.recordsRetained,
                String.format("%.1f", 100 * s.mapUtilization),
                String.format("%.1f", s.mapSeconds()));
    }

    // ============================================================================================== choosing a log

    /** The dirtiest log to clean now, marked in progress; null if none needs cleaning. */
    private synchronized CleanableLog pickDirtiest() {
        Map<TopicPartition, LogState> live = new HashMap<>();
        CleanableLog best = null;
        Dirtiness bestD = null;
        double maxRatio = 0;
        for (PartitionLog pl : logs.all()) {
            CleanableLog c = pl.cleanable();
            TopicPartition tp = c.topicPartition();
            LogState st = states.computeIfAbsent(tp, t -> new LogState());
            live.put(tp, st);
            if (!c.config().compact() || !c.isUsable() || st.inProgress || st.uncleanable != null) continue;
            if (st.retryAfterMs > time.milliseconds()) continue;
            Dirtiness d = dirtiness(c, st);
            maxRatio = Math.max(maxRatio, d.ratio());
            if (d.dirtyBytes() == 0) continue;
            if (!d.overdue() && d.ratio() < c.config().compaction().minCleanableDirtyRatio()) continue;
            if (bestD == null || compare(d, bestD) > 0) {
                best = c;
                bestD = d;
            }
        }
        states.keySet().retainAll(live.keySet()); // deleted logs
        maxDirtyRatio = maxRatio;
        if (best != null) states.get(best.topicPartition()).inProgress = true;
        return best;
    }

    private static int compare(Dirtiness a, Dirtiness b) {
        if (a.overdue() != b.overdue()) return a.overdue() ? 1 : -1;
        return Double.compare(a.ratio(), b.ratio());
    }

    /** Monitor held. */
    private Dirtiness dirtiness(CleanableLog c, LogState st) {
        long start = c.logStartOffset();
        if (st.firstDirty < 0) st.firstDirty = c.readCheckpoint().orElse(start);
        st.firstDirty = Math.min(st.firstDirty, c.takeLowestTruncation());
        long firstDirty = Math.max(start, Math.min(st.firstDirty, c.logEndOffset()));
        st.firstDirty = firstDirty;
        CompactionConfig cc = c.config().compaction();
        long now = time.milliseconds();
        long firstUncleanable = c.firstUncleanableOffset();
        long clean = 0;
        long dirty = 0;
        boolean overdue = false;
        boolean firstDirtySeen = false;
        List<CleanableSegment> segs = c.segments(start, Long.MAX_VALUE);
        for (int i = 0; i < segs.size(); i++) {
            CleanableSegment seg = segs.get(i);
            long next = i + 1 < segs.size() ? segs.get(i + 1).baseOffset() : c.activeSegmentBaseOffset();
            if (next <= firstDirty) {
                clean += seg.sizeInBytes();
                continue;
            }
            if (seg.baseOffset() >= firstUncleanable || firstDirty >= firstUncleanable) break;
            if (cc.minCompactionLagMs() > 0 && seg.largestTimestamp() > now - cc.minCompactionLagMs()) {
                firstUncleanable = Math.max(firstDirty, seg.baseOffset());
                break;
            }
            if (!firstDirtySeen) {
                firstDirtySeen = true;
                overdue =
                        cc.maxCompactionLagMs() < Long.MAX_VALUE && ageOfFirstBatch(seg, now) > cc.maxCompactionLagMs();
            }
            dirty += seg.sizeInBytes();
        }
        return new Dirtiness(firstDirty, Math.max(firstDirty, firstUncleanable), clean, dirty, overdue);
    }

    private static long ageOfFirstBatch(CleanableSegment seg, long now) {
        try {
            long ts = seg.firstBatchTimestamp();
            return ts < 0 ? now - seg.lastModified() : now - ts;
        } catch (IOException e) {
            return 0;
        }
    }

    // ============================================================================================== for operators

    /** The state of every log with {@code cleanup.policy} containing compact. */
    public synchronized List<Status> status() {
        List<Status> out = new ArrayList<>();
        for (PartitionLog pl : logs.all()) {
            CleanableLog c = pl.cleanable();
            if (!c.config().compact() || !c.isUsable()) continue;
            LogState st = states.computeIfAbsent(c.topicPartition(), t -> new LogState());
            Dirtiness d = dirtiness(c, st);
            out.add(new Status(
                    c.topicPartition(),
                    c.config().compaction().policy(),
                    d.ratio(),
                    d.firstDirty(),
                    st.lastCleanedMs,
                    Optional.ofNullable(st.uncleanable)));
        }
        out.sort(Comparator.comparing(s -> s.topicPartition().toString()));
        return out;
    }

    /** Kafka's {@code max-dirty-percent}: the largest dirty ratio seen at the last choice, in percent. */
    public int maxDirtyPercent() {
        return (int) (100 * maxDirtyRatio);
    }

    public synchronized int uncleanablePartitionsCount() {
        int n = 0;
        for (LogState st : states.values()) if (st.uncleanable != null) n++;
        return n;
    }

    public long timeSinceLastRunMs() {
        return Math.max(0, time.milliseconds() - lastRunEndMs.get());
    }

    public double lastCleanSeconds() {
        return lastCleanSeconds;
    }

    /** Kafka's {@code max-buffer-utilization-percent} of the last cleaning. */
    public int bufferUtilizationPercent() {
        return (int) (100 * lastBufferUtilization);
    }

    /** Kafka's {@code cleaner-recopy-percent}: bytes written per byte read by the last cleaning. */
    public int recopyPercent() {
        return (int) (100 * lastRecopyRatio);
    }

    public long bytesCleaned() {
        return bytesCleaned.get();
    }

    public long bytesWritten() {
        return bytesWritten.get();
    }

    public long cleanings() {
        return cleanings.get();
    }

    public int deadThreadCount() {
        return deadThreads.get();
    }
}
