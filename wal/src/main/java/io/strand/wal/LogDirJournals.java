package io.strand.wal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link WriteAheadJournal}s of a broker's log directories, for the {@link LogManager}: opening each (replay into
 * the loaded logs, then the first file), attaching new logs, the journal checkpoints that let old files go, and
 * closing.
 *
 * <p>Checkpoints run on their own thread ({@code strand-journal-checkpoint}), one round at a time: every
 * {@code strand.wal.journal.checkpoint.interval.ms} a paced round, which spreads the logs' segment fsyncs and
 * checkpoint writes over half the interval (a thousand partitions' fsyncs in one burst are a latency spike for
 * everyone's journal fsyncs), oldest checkpoint position first; and, when a journal has had
 * {@code strand.wal.journal.checkpoint.bytes} written since the last round, an unpaced one. Thread-safe.
 */
final class LogDirJournals {
    private static final Logger log = LoggerFactory.getLogger(LogDirJournals.class);

    private final JournalConfig config;
    private final LogRuntime runtime;
    private final Supplier<Collection<PartitionLog>> logs;
    private final Map<Path, WriteAheadJournal> journals = new ConcurrentHashMap<>();
    private final ExecutorService checkpointer;
    private final AtomicBoolean roundQueued = new AtomicBoolean();
    private volatile boolean closed;

    LogDirJournals(JournalConfig config, LogRuntime runtime, Supplier<Collection<PartitionLog>> logs) {
        this.config = config;
        this.runtime = runtime;
        this.logs = logs;
        this.checkpointer =
                Executors.newSingleThreadExecutor(ThreadUtils.createThreadFactory("strand-journal-checkpoint", true));
    }

    boolean isEmpty() {
        return journals.isEmpty();
    }

    /**
     * Replays the journal of {@code dir} into its loaded logs (each entry past the log's checkpoint position),
     * checkpoints the logs it changed at the journal's end, starts a new journal file there (deleting the old ones
     * only then) and attaches every log of the directory.
     */
    void open(Path dir, Collection<PartitionLog> loaded) throws IOException {
        WriteAheadJournal j = WriteAheadJournal.create(dir, config, runtime);
        Map<String, PartitionLog> byName = new HashMap<>();
        for (PartitionLog pl : loaded) {
            if (dir.equals(pl.dir().getParent()))
                byName.put(pl.dir().getFileName().toString(), pl);
        }
        Set<PartitionLog> replayed = new HashSet<>();
        long t0 = System.nanoTime();
        long[] entries = {0};
        long end = j.replay(e -> {
            PartitionLog pl = byName.get(e.log());
            if (pl == null || e.position() < pl.local().journaling().cursor.checkpointPosition) return;
            pl.replay(e);
            replayed.add(pl);
            entries[0]++;
        });
        long start = end;
        for (PartitionLog pl : byName.values())
            start = Math.max(start, pl.local().journaling().cursor.checkpointPosition);
        for (PartitionLog pl : replayed) pl.local().journaling().checkpointAt(start);
        j.start(start);
        j.onCheckpointDue(() -> requestRound(false));
        j.onSync(runtime::flushed); // the journal's fsyncs are the log flushes (Kafka's LogFlushRateAndTimeMs)
        for (PartitionLog pl : byName.values()) pl.local().journaling().attach(j, false);
        journals.put(dir, j);
        log.info(
                "Journal of {}: replayed {} entries into {} logs in {} ms",
                dir,
                entries[0],
                replayed.size(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** A log created in {@code dir} while running: it journals from now on, checkpointed at the journal's end. */
    void attachNew(Path dir, PartitionLog pl) {
        WriteAheadJournal j = journals.get(dir);
        if (j != null) pl.local().journaling().attach(j, false);
    }

    /** Queues a checkpoint round unless one is queued already. */
    void requestRound(boolean paced) {
        if (closed || !roundQueued.compareAndSet(false, true)) return;
        try {
            checkpointer.execute(() -> {
                roundQueued.set(false);
                checkpointRound(paced);
            });
        } catch (RejectedExecutionException e) {
            roundQueued.set(false);
        }
    }

    /**
     * One checkpoint round, on the calling thread: fsyncs the segments of every log with journal entries past its
     * checkpoint position and moves that position (oldest first; {@code paced}: spread over half the interval), then
     * lets each journal release the files no log needs any more.
     */
    void checkpointRound(boolean paced) {
        List<LogJournaling> due = new ArrayList<>();
        for (PartitionLog pl : logs.get()) {
            LogJournaling lj = pl.local().journaling();
            if (lj.journal() != null && lj.cursor.pins()) due.add(lj);
        }
        due.sort(Comparator.comparingLong(lj -> lj.cursor.checkpointPosition));
        long pauseNanos = paced && due.size() > 1
                ? TimeUnit.MILLISECONDS.toNanos(config.checkpointIntervalMs() / 2) / due.size()
                : 0;
        for (LogJournaling lj : due) {
            if (closed) return;
            try {
                lj.checkpointAt(-1);
            } catch (RuntimeException e) {
                log.error("Journal checkpoint failed for {}", lj.cursor.logName, e);
            }
            if (pauseNanos > 0) java.util.concurrent.locks.LockSupport.parkNanos(pauseNanos);
        }
        for (WriteAheadJournal j : journals.values()) j.release();
    }

    /** What the journals hold, summed over the directories. */
    JournalStats stats() {
        JournalStats sum = JournalStats.NONE;
        for (WriteAheadJournal j : journals.values()) sum = sum.plus(j.stats());
        return sum;
    }

    /** {@code dir} went offline: its journal stops. */
    void closeDir(Path dir) {
        WriteAheadJournal j = journals.remove(dir);
        if (j != null) j.close();
    }

    void close() {
        closed = true;
        checkpointer.shutdownNow();
        try {
            checkpointer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (WriteAheadJournal j : journals.values()) j.close();
    }
}
