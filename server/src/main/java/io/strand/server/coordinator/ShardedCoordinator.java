package io.strand.server.coordinator;

import io.strand.coordinator.MetadataCache;
import io.strand.server.replica.LeadershipListener;
import io.strand.server.replica.Partition;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator that runs on the partitions of an internal topic this broker leads (the group,
 * transaction and share coordinators): it holds one {@link InternalShard} per led partition, by
 * partition number, created and loaded when leadership arrives and unloaded when it leaves, the pool
 * the shards' ordered executors run on, and the routing of a request to the shard of its key's
 * partition, answering NOT_COORDINATOR where this broker does not lead it and
 * COORDINATOR_LOAD_IN_PROGRESS while the shard loads. What a shard is and what it loads is the
 * subclass's ({@link #newShard}, {@link #loaded}).
 *
 * <p>Threading: leadership events ({@link #onBecomeLeader}, {@link #onLeadershipLost}) come on the
 * replica-state thread and are {@code synchronized}; loading, unloading and every routed operation
 * run on the shard's ordered executor. Routing may be called from any thread.
 *
 * @param <S> the coordinator's shard
 */
public abstract class ShardedCoordinator<S extends InternalShard> implements LeadershipListener {
    /** The subclass's logger, so that log lines keep their class's name. */
    protected final Logger log = LoggerFactory.getLogger(getClass());

    private final String topic;
    private final String role;
    private final String epochName;
    private final MetadataCache cache;
    private final int localBrokerId;
    /** The pool the shards' ordered executors run on. */
    protected final ExecutorService pool;
    /** The shards of the partitions this broker leads, by partition number. */
    protected final ConcurrentHashMap<Integer, S> shards = new ConcurrentHashMap<>();

    /**
     * @param topic the internal topic
     * @param role what the broker is for a led partition, for the log ("group coordinator")
     * @param epochName what the log calls the shard's leader epoch ("leader epoch")
     * @param threadName the pool's thread name pattern ({@code "group-coordinator-%d"})
     */
    protected ShardedCoordinator(
            String topic, String role, String epochName, MetadataCache cache, int localBrokerId, String threadName) {
        this.topic = topic;
        this.role = role;
        this.epochName = epochName;
        this.cache = cache;
        this.localBrokerId = localBrokerId;
        this.pool = Executors.newFixedThreadPool(2, ThreadUtils.createThreadFactory(threadName, true));
    }

    /** A new shard of {@code partition} at {@code leaderEpoch}, LOADING. On the replica-state thread. */
    protected abstract S newShard(Partition partition, int leaderEpoch);

    /** Runs on the shard's executor once {@code shard} has loaded; nothing by default. */
    protected void loaded(S shard) {}

    // ======================================================================== leadership (replica-state thread)

    /**
     * Takes over the partitions of the topic this broker already leads (their leadership events may
     * have fired before this listener was registered). Idempotent.
     */
    public void adoptCurrentLeadership(Collection<Partition> partitions) {
        for (Partition p : partitions) {
            if (p.isLeader()) {
                onBecomeLeader(p, p.leaderEpoch());
            }
        }
    }

    @Override
    public synchronized void onBecomeLeader(Partition partition, int leaderEpoch) {
        TopicPartition tp = partition.topicPartition();
        if (!tp.topic().equals(topic)) {
            return;
        }
        S existing = shards.get(tp.partition());
        if (existing != null && existing.partition == partition && existing.leaderEpoch == leaderEpoch) {
            return;
        }
        S shard = newShard(partition, leaderEpoch);
        S previous = shards.put(tp.partition(), shard);
        if (previous != null) {
            replaced(previous);
        }
        log.info("{}: this broker is now {} at {} {}; loading", tp, role, epochName, leaderEpoch);
        shard.execute(() -> {
            if (shard.load()) {
                loaded(shard);
            }
        });
    }

    /** A shard replaced by a newer one of its partition: marked UNLOADED now and unloaded on its executor. */
    protected void replaced(S previous) {
        previous.markUnloaded();
        previous.execute(previous::unload);
    }

    @Override
    public synchronized void onLeadershipLost(TopicPartition tp) {
        if (!tp.topic().equals(topic)) {
            return;
        }
        S shard = shards.remove(tp.partition());
        if (shard != null) {
            shard.markUnloaded();
            shard.execute(shard::unload);
            log.info("{}: this broker is no longer {}", tp, role);
        }
    }

    // =================================================================================================== routing

    /**
     * Runs {@code op} on the shard of partition {@code p} once it is active; otherwise answers
     * {@code onError} with NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS.
     */
    protected final <T> CompletableFuture<T> onShard(
            int p, Function<Errors, T> onError, Function<S, CompletableFuture<T>> op) {
        S shard = shards.get(p);
        if (shard == null) {
            return CompletableFuture.completedFuture(
                    onError.apply(leadsInMetadata(p) ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NOT_COORDINATOR));
        }
        return shard.submit(() -> switch (shard.status()) {
            case ACTIVE ->
                shard.isCurrentLeader()
                        ? op.apply(shard)
                        : CompletableFuture.completedFuture(onError.apply(Errors.NOT_COORDINATOR));
            case LOADING -> CompletableFuture.completedFuture(onError.apply(Errors.COORDINATOR_LOAD_IN_PROGRESS));
            case UNLOADED -> CompletableFuture.completedFuture(onError.apply(Errors.NOT_COORDINATOR));
        });
    }

    /** True if the metadata says this broker leads partition {@code p} (its shard may not exist yet). */
    protected final boolean leadsInMetadata(int p) {
        return cache.partition(new TopicPartition(topic, p))
                .map(i -> i.leader() == localBrokerId)
                .orElse(false);
    }

    // ===================================================================================================== close

    /** Unloads every shard (on close). */
    protected final void unloadAll() {
        for (S s : shards.values()) {
            s.markUnloaded();
            s.execute(s::unload);
        }
        shards.clear();
    }

    /** Stops the pool, waiting up to 5 s for queued work (on close, after {@link #unloadAll}). */
    protected final void stopPool() {
        pool.shutdown();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.shutdownNow();
    }
}
