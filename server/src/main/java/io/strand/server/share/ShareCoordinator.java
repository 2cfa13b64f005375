package io.strand.server.share;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicSpec;
import io.strand.server.coordinator.ShardedCoordinator;
import io.strand.server.replica.Partition;
import io.strand.server.topics.InternalTopic;
import io.strand.server.topics.TopicService;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;

/**
 * The broker's share coordinator (Kafka's ShareCoordinatorService): it keeps share-partition state
 * for the share-partition leaders. The coordinator of key {@code groupId:topicId:partition} is the
 * leader of partition {@code abs(key.hashCode()) % share.coordinator.state.topic.num.partitions} of
 * {@code __share_group_state} (Kafka's mapping). For every such partition this broker leads it keeps a
 * {@link ShareStateShard}, loaded when leadership arrives and dropped when it leaves; requests for a
 * key of a partition it does not lead get NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS while loading.
 *
 * <p>Fencing, as Kafka's ShareCoordinatorShard: a write or read with a leader epoch older than the
 * stored one gets FENCED_LEADER_EPOCH (a newer one is stored); a write with an older state epoch
 * FENCED_STATE_EPOCH; an initialize must bring a newer state epoch.
 *
 * <p>Thread-safe: public methods may be called from any thread and return futures.
 */
public final class ShareCoordinator extends ShardedCoordinator<ShareStateShard> implements AutoCloseable {
    public static final String STATE_TOPIC = Topic.SHARE_GROUP_STATE_TOPIC_NAME;

    private final ShareConfig config;
    private final int localBrokerId;
    private final InternalTopic stateTopic;

    public ShareCoordinator(ShareConfig config, MetadataCache cache, TopicService topics, int localBrokerId) {
        super(STATE_TOPIC, "share coordinator", "epoch", cache, localBrokerId, "share-coordinator-%d");
        this.config = config;
        this.localBrokerId = localBrokerId;
        this.stateTopic = new InternalTopic(STATE_TOPIC, cache, topics, this::stateTopicSpec);
    }

    public int localBrokerId() {
        return localBrokerId;
    }

    /** Kafka's share-partition key -> {@code __share_group_state} partition mapping. */
    public int partitionFor(String groupId, Uuid topicId, int partition) {
        return partitionFor(new ShareRecords.Key(groupId, topicId, partition).asCoordinatorKey());
    }

    public int partitionFor(String coordinatorKey) {
        return Utils.abs(coordinatorKey.hashCode()) % config.stateTopicPartitions();
    }

    /** The state a WriteShareGroupState partition carries; IllegalArgumentException for an unknown state id. */
    public static ShareState stateOf(org.apache.kafka.common.message.WriteShareGroupStateRequestData.PartitionData p) {
        return ShareStateRequests.stateOf(p);
    }

    /** FindCoordinator key type 2: the broker leading the key's partition, creating the topic first. */
    public CompletableFuture<InternalTopic.Leader> findCoordinator(String coordinatorKey) {
        if (!isShareKey(coordinatorKey)) {
            return CompletableFuture.completedFuture(new InternalTopic.Leader(
                    Errors.INVALID_REQUEST, -1, "a share coordinator key is groupId:topicId:partition"));
        }
        return stateTopic.leaderOf(partitionFor(coordinatorKey));
    }

    /** {@code groupId:topicId:partition} (the group id may hold colons itself). */
    static boolean isShareKey(String key) {
        if (key == null) {
            return false;
        }
        int last = key.lastIndexOf(':');
        int middle = last <= 0 ? -1 : key.lastIndexOf(':', last - 1);
        if (middle <= 0) {
            return false;
        }
        try {
            Uuid.fromString(key.substring(middle + 1, last));
            return Integer.parseInt(key.substring(last + 1)) >= 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private TopicSpec stateTopicSpec(int liveBrokers) {
        int rf = Math.min(config.stateTopicReplicationFactor(), liveBrokers);
        int minIsr = Math.min(config.stateTopicMinIsr(), rf);
        return new TopicSpec(
                STATE_TOPIC,
                config.stateTopicPartitions(),
                rf,
                Map.of(),
                Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                        Integer.toString(minIsr),
                        TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG,
                        "false",
                        TopicConfig.RETENTION_MS_CONFIG,
                        "-1",
                        TopicConfig.SEGMENT_BYTES_CONFIG,
                        Integer.toString(100 * 1024 * 1024)));
    }

    @Override
    protected ShareStateShard newShard(Partition partition, int leaderEpoch) {
        return new ShareStateShard(partition, leaderEpoch, pool);
    }

    /** Runs {@code op} on the key's shard once active; else the error NOT_COORDINATOR / LOAD_IN_PROGRESS. */
    private <T> CompletableFuture<T> onShard(
            ShareRecords.Key key, Function<Errors, T> onError, Function<ShareStateShard, CompletableFuture<T>> op) {
        return onShard(partitionFor(key.asCoordinatorKey()), onError, op);
    }

    // ============================================================================================ operations

    /** ReadShareGroupState: the state (uninitialised if none); a newer leader epoch is stored. */
    public CompletableFuture<Persister.ReadResult> read(String groupId, Uuid topicId, int partition, int leaderEpoch) {
        ShareRecords.Key key = new ShareRecords.Key(groupId, topicId, partition);
        return onShard(key, e -> new Persister.ReadResult(e, null), shard -> {
            ShareState stored = shard.states.get(key);
            if (stored == null) {
                return CompletableFuture.completedFuture(
                        new Persister.ReadResult(Errors.NONE, ShareState.uninitialized()));
            }
            if (leaderEpoch >= 0 && leaderEpoch < stored.leaderEpoch()) {
                return CompletableFuture.completedFuture(new Persister.ReadResult(Errors.FENCED_LEADER_EPOCH, null));
            }
            if (leaderEpoch > stored.leaderEpoch()) {
                ShareState updated = new ShareState(
                        stored.stateEpoch(),
                        leaderEpoch,
                        stored.startOffset(),
                        stored.deliveryCompleteCount(),
                        stored.batches());
                return shard.put(key, updated, config.writeTimeoutMs())
                        .thenApply(e -> new Persister.ReadResult(e, e == Errors.NONE ? updated : null));
            }
            return CompletableFuture.completedFuture(new Persister.ReadResult(Errors.NONE, stored));
        });
    }

    /** WriteShareGroupState: merges {@code state} into the stored state. */
    public CompletableFuture<Errors> write(String groupId, Uuid topicId, int partition, ShareState state) {
        ShareRecords.Key key = new ShareRecords.Key(groupId, topicId, partition);
        return onShard(key, e -> e, shard -> {
            ShareState stored = shard.states.get(key);
            if (stored != null && state.stateEpoch() < stored.stateEpoch()) {
                return CompletableFuture.completedFuture(Errors.FENCED_STATE_EPOCH);
            }
            if (stored != null && state.leaderEpoch() >= 0 && state.leaderEpoch() < stored.leaderEpoch()) {
                return CompletableFuture.completedFuture(Errors.FENCED_LEADER_EPOCH);
            }
            ShareState merged = ShareStateShard.merge(stored, state);
            if (stored != null && merged.leaderEpoch() < stored.leaderEpoch()) {
                merged = new ShareState(
                        merged.stateEpoch(),
                        stored.leaderEpoch(),
                        merged.startOffset(),
                        merged.deliveryCompleteCount(),
                        merged.batches());
            }
            return shard.put(key, merged, config.writeTimeoutMs());
        });
    }

    /** InitializeShareGroupState: a new state epoch, the start offset, nothing in flight. */
    public CompletableFuture<Errors> initialize(
            String groupId, Uuid topicId, int partition, int stateEpoch, long startOffset) {
        ShareRecords.Key key = new ShareRecords.Key(groupId, topicId, partition);
        return onShard(key, e -> e, shard -> {
            ShareState stored = shard.states.get(key);
            if (stored != null && stored.stateEpoch() >= stateEpoch) {
                return CompletableFuture.completedFuture(Errors.FENCED_STATE_EPOCH);
            }
            int leaderEpoch = stored == null ? -1 : stored.leaderEpoch();
            log.info(
                    "Share group {} {}-{}: state initialised at epoch {}, start offset {}",
                    groupId,
                    topicId,
                    partition,
                    stateEpoch,
                    startOffset);
            return shard.put(
                    key,
                    new ShareState(stateEpoch, leaderEpoch, startOffset, 0, java.util.List.of()),
                    config.writeTimeoutMs());
        });
    }

    /** DeleteShareGroupState: a tombstone for the key (NONE also when it had no state). */
    public CompletableFuture<Errors> delete(String groupId, Uuid topicId, int partition) {
        ShareRecords.Key key = new ShareRecords.Key(groupId, topicId, partition);
        return onShard(
                key,
                e -> e,
                shard -> shard.states.containsKey(key)
                        ? shard.put(key, null, config.writeTimeoutMs())
                        : CompletableFuture.completedFuture(Errors.NONE));
    }

    /** ReadShareGroupStateSummary: the start offset and epochs, without the batches. */
    public CompletableFuture<Persister.Summary> readSummary(
            String groupId, Uuid topicId, int partition, int leaderEpoch) {
        ShareRecords.Key key = new ShareRecords.Key(groupId, topicId, partition);
        return onShard(key, e -> new Persister.Summary(e, 0, -1, -1, -1), shard -> {
            ShareState s = shard.states.get(key);
            if (s == null) {
                return CompletableFuture.completedFuture(new Persister.Summary(Errors.NONE, 0, -1, -1, -1));
            }
            if (leaderEpoch >= 0 && leaderEpoch < s.leaderEpoch()) {
                return CompletableFuture.completedFuture(
                        new Persister.Summary(Errors.FENCED_LEADER_EPOCH, 0, -1, -1, -1));
            }
            return CompletableFuture.completedFuture(new Persister.Summary(
                    Errors.NONE, s.stateEpoch(), s.leaderEpoch(), s.startOffset(), s.deliveryCompleteCount()));
        });
    }

    @Override
    public void close() {
        unloadAll();
        stopPool();
    }
}
