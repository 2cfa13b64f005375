package io.strand.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Threads and clock shared by the logs of one broker (or owned by one standalone log): a small pool of flusher
 * threads that run group-commit fsyncs, and one scheduler thread for periodic tasks and delayed file deletion.
 * Thread-safe.
 */
final class LogRuntime implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(LogRuntime.class);

    /** Work that touches files and may fail. */
    @FunctionalInterface
    interface IoTask {
        void run() throws IOException;
    }

    final Time time;
    final long fileDeleteDelayMs;
    /** The log directories' free-space floor. */
    final FreeSpaceGuard space;

    private final ExecutorService flushers;
    private final ScheduledExecutorService scheduler;
    private final Map<IoTask, ScheduledFuture<?>> pendingDeletes = new ConcurrentHashMap<>();
    private volatile boolean closed;
    /** Where the logs report an I/O error that took one of them offline: see {@link #reportIoError}. */
    private volatile BiConsumer<Path, KafkaStorageException> ioErrors = (dir, e) -> {};
    /** Hears how long each fsync pass of a log took, in nanoseconds (a flusher thread; must not block). */
    private volatile java.util.function.LongConsumer flushTimes = nanos -> {};

    LogRuntime(Time time, int flusherThreads, long fileDeleteDelayMs, FreeSpaceGuard space, String name) {
        this.time = time;
        this.space = space;
        this.fileDeleteDelayMs = fileDeleteDelayMs;
        this.flushers = Executors.newFixedThreadPool(
                Math.max(1, flusherThreads), ThreadUtils.createThreadFactory(name + "-flusher-%d", true));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                ThreadUtils.createThreadFactory(name + "-scheduler-%d", true));
    }

    static LogRuntime standalone(Time time) {
        return new LogRuntime(
                time, 1, LogManagerConfig.DEFAULT_FILE_DELETE_DELAY_MS, FreeSpaceGuard.NONE, "strand-wal");
    }

    /** Who hears of I/O errors (the log manager, which takes the log directory offline). */
    void onIoError(BiConsumer<Path, KafkaStorageException> listener) {
        this.ioErrors = listener;
    }

    void onFlush(java.util.function.LongConsumer listener) {
        this.flushTimes = listener;
    }

    void flushed(long nanos) {
        flushTimes.accept(nanos);
    }

    /** A log in {@code logDir} went offline after {@code e}; the listener runs on the scheduler thread. */
    void reportIoError(Path logDir, KafkaStorageException e) {
        execute("log directory failure", () -> ioErrors.accept(logDir, e));
    }

    /** Runs a flush task on a flusher thread; false if the runtime is shut down. */
    boolean submitFlush(Runnable task) {
        try {
            flushers.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    ScheduledFuture<?> schedulePeriodic(String name, Runnable task, long periodMs) {
        return scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        task.run();
                    } catch (Throwable t) {
                        log.error("Periodic task {} failed", name, t);
                    }
                },
                periodMs,
                periodMs,
                TimeUnit.MILLISECONDS);
    }

    void execute(String name, Runnable task) {
        try {
            scheduler.execute(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    log.error("Task {} failed", name, t);
                }
            });
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /**
     * Deletes files after {@code file.delete.delay.ms}, so that slices handed out before stay readable. When the
     * runtime closes first, the deletion runs at close.
     */
    void scheduleDelete(String what, IoTask delete) {
        if (closed || fileDeleteDelayMs <= 0) {
            runDelete(what, delete);
            return;
        }
        try {
            Runnable r = () -> {
                if (pendingDeletes.remove(delete) != null) runDelete(what, delete);
            };
            pendingDeletes.put(delete, scheduler.schedule(r, fileDeleteDelayMs, TimeUnit.MILLISECONDS));
        } catch (RejectedExecutionException e) {
            pendingDeletes.remove(delete);
            runDelete(what, delete);
        }
    }

    private static void runDelete(String what, IoTask delete) {
        try {
            delete.run();
            log.debug("Deleted {}", what);
        } catch (IOException e) {
            log.warn("Failed to delete {}", what, e);
        }
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        flushers.shutdown();
        try {
            if (!flushers.awaitTermination(30, TimeUnit.SECONDS)) flushers.shutdownNow();
            scheduler.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Map.Entry<IoTask, ScheduledFuture<?>>> pending = new ArrayList<>(pendingDeletes.entrySet());
        pendingDeletes.clear();
        for (Map.Entry<IoTask, ScheduledFuture<?>> e : pending) runDelete("pending deletion", e.getKey());
    }
}
