package io.strand.server.share;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicView;
import io.strand.server.replica.Partition;
import io.strand.server.replica.ReplicaManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Share-group offsets for the admin APIs (DescribeShareGroupOffsets, AlterShareGroupOffsets,
 * DeleteShareGroupOffsets, behind {@code kafka-share-groups}): read, reset and delete through the
 * {@link Persister}; the share partitions this broker holds for the group are dropped after a reset or
 * delete, and other leaders drop theirs when their next write is fenced or a member opens a new session.
 * Membership lives in the group coordinator, which plugs in {@link #groupEmptyCheck} (a reset or delete
 * needs an empty group; until plugged in every group counts as empty) and {@link #groupTopics} (the
 * topics a describe without a topic list covers; until plugged in, none). {@code Broker} plugs in the
 * group coordinator's.
 *
 * <p>Thread-safe.
 */
public final class ShareGroupOffsets {
    private static final Logger log = LoggerFactory.getLogger(ShareGroupOffsets.class);

    /** One partition's offset as DescribeShareGroupOffsets answers it; lag -1 when unknown. */
    public record Offset(Errors error, long startOffset, int leaderEpoch, long lag) {}

    private final Persister persister;
    private final BiFunction<Integer, TopicPartition, CompletableFuture<Long>> remoteLatest;
    private final SharePartitionManager shares;
    private final ReplicaManager replicas;
    private final MetadataCache cache;
    private volatile Function<String, CompletableFuture<Errors>> groupEmptyCheck =
            g -> CompletableFuture.completedFuture(Errors.NONE);
    private volatile Function<String, CompletableFuture<Set<String>>> groupTopics =
            g -> CompletableFuture.completedFuture(Set.of());

    /** @param remoteLatest the latest offset of a partition asked of its leader (broker id), -1 if unknown */
    public ShareGroupOffsets(
            Persister persister,
            BiFunction<Integer, TopicPartition, CompletableFuture<Long>> remoteLatest,
            SharePartitionManager shares,
            ReplicaManager replicas,
            MetadataCache cache) {
        this.persister = persister;
        this.remoteLatest = remoteLatest;
        this.shares = shares;
        this.replicas = replicas;
        this.cache = cache;
    }

    /**
     * The group coordinator's check that share group G may have its offsets changed: NONE when it has no
     * members, else the error that answers (NON_EMPTY_GROUP, NOT_COORDINATOR, ...).
     */
    public void groupEmptyCheck(Function<String, CompletableFuture<Errors>> check) {
        this.groupEmptyCheck = check;
    }

    /** The group coordinator's answer to "which topics has share group G read?". */
    public void groupTopics(Function<String, CompletableFuture<Set<String>>> f) {
        this.groupTopics = f;
    }

    public CompletableFuture<Errors> checkEmpty(String groupId) {
        return groupEmptyCheck.apply(groupId);
    }

    /**
     * NONE if an admin request may reset or delete {@code groupId}'s offsets now: a valid group id
     * (INVALID_GROUP_ID otherwise) of a group without members ({@link #checkEmpty}).
     */
    public CompletableFuture<Errors> mayChange(String groupId) {
        return groupId == null || groupId.isEmpty()
                ? CompletableFuture.completedFuture(Errors.INVALID_GROUP_ID)
                : checkEmpty(groupId);
    }

    public CompletableFuture<Set<String>> topicsOf(String groupId) {
        return groupTopics.apply(groupId);
    }

    public Optional<TopicView> topic(String name) {
        return cache.topic(name);
    }

    /**
     * The start offset of {@code groupId} on {@code topic}-{@code partition}, and the lag: the partition's
     * high watermark (here, or asked of its leader) minus the start offset minus the records already
     * acknowledged or archived above it; -1 when unknown.
     */
    public CompletableFuture<Offset> describe(String groupId, TopicView topic, int partition) {
        if (partition < 0 || partition >= topic.partitionCount()) {
            return CompletableFuture.completedFuture(new Offset(Errors.UNKNOWN_TOPIC_OR_PARTITION, -1, -1, -1));
        }
        TopicPartition tp = new TopicPartition(topic.name(), partition);
        return persister.readSummary(groupId, topic.topicId(), partition, -1).thenCompose(s -> {
            if (s.error() != Errors.NONE) {
                return CompletableFuture.completedFuture(new Offset(s.error(), -1, -1, -1));
            }
            if (s.startOffset() < 0) {
                return CompletableFuture.completedFuture(new Offset(Errors.NONE, -1, s.leaderEpoch(), -1));
            }
            return latest(tp)
                    .thenApply(end -> new Offset(
                            Errors.NONE,
                            s.startOffset(),
                            s.leaderEpoch(),
                            end < 0
                                    ? -1
                                    : Math.max(0, end - s.startOffset() - Math.max(0, s.deliveryCompleteCount()))));
        });
    }

    private CompletableFuture<Long> latest(TopicPartition tp) {
        Optional<Partition> p = replicas.partition(tp);
        if (p.isPresent() && p.get().isLeader()) {
            return CompletableFuture.completedFuture(p.get().highWatermark());
        }
        int leader = cache.partition(tp).map(i -> i.leader()).orElse(-1);
        return leader < 0 ? CompletableFuture.completedFuture(-1L) : remoteLatest.apply(leader, tp);
    }

    /** Resets the start offset (a new state epoch, nothing in flight). */
    public CompletableFuture<Errors> alter(String groupId, TopicView topic, int partition, long startOffset) {
        if (partition < 0 || partition >= topic.partitionCount()) {
            return CompletableFuture.completedFuture(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        if (startOffset < 0) {
            return CompletableFuture.completedFuture(Errors.INVALID_REQUEST);
        }
        Uuid id = topic.topicId();
        return persister.readSummary(groupId, id, partition, -1).thenCompose(s -> {
            if (s.error() != Errors.NONE) {
                return CompletableFuture.completedFuture(s.error());
            }
            return persister
                    .initialize(groupId, id, partition, s.stateEpoch() + 1, startOffset)
                    .thenApply(e -> {
                        if (e == Errors.NONE) {
                            shares.invalidate(groupId, new TopicPartition(topic.name(), partition));
                            log.info(
                                    "Share group {} {}-{}: start offset reset to {}",
                                    groupId,
                                    topic.name(),
                                    partition,
                                    startOffset);
                        }
                        return e;
                    });
        });
    }

    /** Deletes the group's state on every partition of {@code topic}: the first error, or NONE. */
    public CompletableFuture<Errors> delete(String groupId, TopicView topic) {
        List<CompletableFuture<Errors>> parts = new ArrayList<>();
        for (int p = 0; p < topic.partitionCount(); p++) {
            int partition = p;
            parts.add(persister.delete(groupId, topic.topicId(), p).thenApply(e -> {
                if (e == Errors.NONE) {
                    shares.invalidate(groupId, new TopicPartition(topic.name(), partition));
                }
                return e;
            }));
        }
        return firstError(parts).thenApply(e -> {
            if (e == Errors.NONE) {
                log.info("Share group {}: offsets of {} deleted", groupId, topic.name());
            }
            return e;
        });
    }

    /**
     * Deletes the share group's start offsets on every topic it has read (DeleteGroups does, before it
     * deletes the group, as Kafka does): NONE when done or when it has read none; the group must be
     * empty (NON_EMPTY_GROUP otherwise).
     */
    public CompletableFuture<Errors> deleteAll(String groupId) {
        return topicsOf(groupId).thenCompose(topics -> {
            if (topics.isEmpty()) {
                return CompletableFuture.completedFuture(Errors.NONE);
            }
            return checkEmpty(groupId).thenCompose(empty -> {
                if (empty != Errors.NONE) {
                    return CompletableFuture.completedFuture(empty);
                }
                List<CompletableFuture<Errors>> parts = new ArrayList<>();
                for (String t : topics) {
                    topic(t).ifPresent(view -> parts.add(delete(groupId, view)));
                }
                return firstError(parts);
            });
        });
    }

    /** Once every part is done: the first error among them in order, or NONE. */
    private static CompletableFuture<Errors> firstError(List<CompletableFuture<Errors>> parts) {
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(v -> parts.stream()
                        .map(CompletableFuture::join)
                        .filter(e -> e != Errors.NONE)
                        .findFirst()
                        .orElse(Errors.NONE));
    }
}
