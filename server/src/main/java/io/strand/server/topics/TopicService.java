package io.strand.server.topics;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicAssignments;
import io.strand.coordinator.TopicCreation;
import io.strand.coordinator.TopicCreator;
import io.strand.coordinator.TopicSpec;
import io.strand.coordinator.TopicView;
import io.strand.server.BrokerConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * The broker's door to the one topic-creation path ({@link TopicCreator}): runs it off the request
 * threads on the blocking pool, then waits (bounded) until this broker's metadata cache holds the
 * whole topic, so that the next Metadata request to this broker already shows it.
 */
public final class TopicService {
    private final TopicCreator creator;
    private final MetadataCache cache;
    private final BrokerConfig config;
    private final Executor blockingPool;

    public TopicService(TopicCreator creator, MetadataCache cache, BrokerConfig config, Executor blockingPool) {
        this.creator = creator;
        this.cache = cache;
        this.config = config;
        this.blockingPool = blockingPool;
    }

    public TopicCreator.Defaults defaults() {
        return new TopicCreator.Defaults(
                config.numPartitions(), config.replication().defaultReplicationFactor());
    }

    /**
     * Creates (or validates) {@code spec}. Completes with the creation outcome once the local cache
     * holds the resulting topic complete, or after {@code waitMs} regardless.
     */
    public CompletableFuture<TopicCreation> create(TopicSpec spec, boolean validateOnly, long waitMs) {
        return CompletableFuture.supplyAsync(() -> creator.create(spec, defaults(), validateOnly), blockingPool)
                .thenCompose(outcome -> {
                    Uuid id = null;
                    if (outcome instanceof TopicCreation.Created c) {
                        id = TopicAssignments.topicId(c.assignment());
                    } else if (outcome instanceof TopicCreation.AlreadyExists e) {
                        id = TopicAssignments.topicId(e.winner());
                    }
                    Uuid topicId = id;
                    if (topicId == null || waitMs <= 0) {
                        return CompletableFuture.completedFuture(outcome);
                    }
                    return cache.awaitTopic(spec.name(), t -> t.topicId().equals(topicId) && t.complete())
                            .orTimeout(waitMs, TimeUnit.MILLISECONDS)
                            .handle((TopicView v, Throwable e) -> outcome);
                });
    }

    /** The Kafka error code for a rejected creation. */
    public static Errors errorOf(TopicCreation.Reason reason) {
        return switch (reason) {
            case INVALID_TOPIC_NAME -> Errors.INVALID_TOPIC_EXCEPTION;
            case INVALID_PARTITIONS -> Errors.INVALID_PARTITIONS;
            case INVALID_REPLICATION_FACTOR -> Errors.INVALID_REPLICATION_FACTOR;
            case INVALID_REPLICA_ASSIGNMENT -> Errors.INVALID_REPLICA_ASSIGNMENT;
            case INVALID_CONFIG -> Errors.INVALID_CONFIG;
            case TOPIC_BEING_DELETED -> Errors.TOPIC_ALREADY_EXISTS;
            case TOO_LARGE -> Errors.POLICY_VIOLATION;
        };
    }
}
