package io.strand.server.topics;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.TopicCreation;
import io.strand.coordinator.TopicSpec;
import io.strand.coordinator.TopicView;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An internal topic a coordinator lives on ({@code __consumer_offsets}, {@code __transaction_state}):
 * created once, on first use, through the one create path, and asked which broker leads the
 * partition of a key (FindCoordinator).
 *
 * <p>Thread-safe: concurrent first uses share one creation.
 */
public final class InternalTopic {
    private static final Logger log = LoggerFactory.getLogger(InternalTopic.class);
    private static final long CREATE_WAIT_MS = 10_000;

    /** The broker leading a partition of the topic, or the error that answers instead. */
    public record Leader(Errors error, int brokerId, String message) {}

    private final String name;
    private final MetadataCache cache;
    private final TopicService topics;
    private final IntFunction<TopicSpec> spec;
    private final AtomicReference<CompletableFuture<Void>> creation = new AtomicReference<>();

    /** @param spec the topic to create, given the number of live brokers (the replication factor is capped to it) */
    public InternalTopic(String name, MetadataCache cache, TopicService topics, IntFunction<TopicSpec> spec) {
        this.name = name;
        this.cache = cache;
        this.topics = topics;
        this.spec = spec;
    }

    public String name() {
        return name;
    }

    /** Completes once the topic is in the metadata cache; creates it (once) if needed. */
    public CompletableFuture<Void> ensure() {
        Optional<TopicView> existing = cache.topic(name);
        if (existing.isPresent() && existing.get().complete()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> running = creation.get();
        if (running != null && !running.isDone()) {
            return running;
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        if (!creation.compareAndSet(running, mine)) {
            return creation.get();
        }
        TopicSpec wanted = spec.apply(Math.max(1, cache.liveBrokers().size()));
        topics.create(wanted, false, CREATE_WAIT_MS).whenComplete((outcome, e) -> {
            if (e != null) {
                mine.completeExceptionally(e);
            } else if (outcome instanceof TopicCreation.Rejected r) {
                mine.completeExceptionally(new IllegalStateException(r.message()));
            } else {
                if (outcome instanceof TopicCreation.Created) {
                    log.info(
                            "Created {} with {} partitions, replication factor {} and {}",
                            name,
                            wanted.numPartitions(),
                            wanted.replicationFactor(),
                            wanted.configs());
                }
                mine.complete(null);
            }
        });
        return mine;
    }

    /**
     * The broker leading {@code partition}, creating the topic first if it does not exist;
     * COORDINATOR_NOT_AVAILABLE while the partition has no live leader or the topic cannot be created.
     */
    public CompletableFuture<Leader> leaderOf(int partition) {
        return ensure().handle((v, e) -> {
            if (e != null) {
                return new Leader(
                        Errors.COORDINATOR_NOT_AVAILABLE, -1, "cannot create " + name + ": " + e.getMessage());
            }
            Optional<PartitionInfo> info = cache.partition(new TopicPartition(name, partition));
            if (info.isEmpty()
                    || info.get().leader() < 0
                    || !cache.isLive(info.get().leader())) {
                return new Leader(
                        Errors.COORDINATOR_NOT_AVAILABLE,
                        -1,
                        "partition " + partition + " of " + name + " has no live leader");
            }
            return new Leader(Errors.NONE, info.get().leader(), null);
        });
    }
}
