package io.strand.server.replica;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the logs of partitions new to this broker on a few threads, ahead of the replica-state thread, which applies
 * partition states one at a time in ZooKeeper's order. A new log is a directory and a few small files made durable —
 * several fsyncs, about 20 ms on a loaded machine — so a new topic of 10,000 partitions kept the replica-state thread
 * busy for over three minutes, its partitions refusing writes until their turn. The state thread still applies every
 * state in order; before applying a new partition's state it waits for that partition's log, which is usually there
 * by then.
 *
 * <p>A log created ahead for a partition whose topic is gone when its state is applied is deleted then ({@link
 * #forget}), so that none is left behind without a partition.
 *
 * <p>Thread-safe.
 */
final class LogsCreatedAhead implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogsCreatedAhead.class);
    private static final int THREADS = 4;

    private final ExecutorService pool =
            Executors.newFixedThreadPool(THREADS, ThreadUtils.createThreadFactory("log-creation-%d", true));
    /** Logs created here that no partition has taken yet. */
    private final Set<TopicPartition> created = ConcurrentHashMap.newKeySet();

    /**
     * Starts creating the log of {@code tp} with {@code create}, which returns whether it created one (false: nothing
     * to create, e.g. the topic is gone); the future completes when it is done, failed or not (a failure is the state
     * thread's to meet and report when it creates the log itself).
     */
    CompletableFuture<Void> start(TopicPartition tp, Predicate<TopicPartition> create) {
        try {
            return CompletableFuture.runAsync(
                    () -> {
                        try {
                            if (create.test(tp)) {
                                created.add(tp);
                            }
                        } catch (RuntimeException e) {
                            log.debug(
                                    "{}: log not created ahead ({}); the replica-state thread will try",
                                    tp,
                                    e.toString());
                        }
                    },
                    pool);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null); // closing
        }
    }

    /** A partition took its log: it is no longer this class's to clean up. */
    void taken(TopicPartition tp) {
        created.remove(tp);
    }

    /** Whether {@code tp}'s log was created ahead and no partition took it (then the caller deletes it). */
    boolean forget(TopicPartition tp) {
        return created.remove(tp);
    }

    /** Waits for {@code creation}, whatever its outcome; the state thread's step before applying a new partition. */
    static void await(CompletableFuture<Void> creation) {
        creation.handle((v, e) -> null).join();
    }

    /** After the replica-state thread has stopped: creations still queued are dropped. */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
