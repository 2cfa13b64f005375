package io.strand.server.group;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicSpec;
import io.strand.coordinator.TopicView;
import io.strand.server.coordinator.ShardedCoordinator;
import io.strand.server.group.assignor.TopicInfo;
import io.strand.server.replica.Partition;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.topics.InternalTopic;
import io.strand.server.topics.TopicService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;

/**
 * The broker's group coordinator. The coordinator of group G is the leader of partition
 * {@code abs(G.hashCode()) % offsets.topic.num.partitions} of {@code __consumer_offsets} (Kafka's
 * mapping, so tools that compute it agree). For every such partition this broker leads it keeps a
 * {@link CoordinatorShard}, loaded from the partition's log when leadership arrives and dropped when
 * it leaves; requests for a group whose partition this broker does not lead get NOT_COORDINATOR, and
 * COORDINATOR_LOAD_IN_PROGRESS while its shard loads.
 *
 * <p>This class only routes: it checks what needs no group state (group id, session timeout bounds),
 * turns a request into the manager's request record, and runs the operation on the shard's executor
 * ({@link #onShard}): membership on {@link CoordinatorShard#classicGroups}, offsets on
 * {@link CoordinatorShard#offsets}, deletion and listing on the shard.
 *
 * <p>{@code __consumer_offsets} is created on first use (FindCoordinator) through the one
 * topic-creation path, with {@code offsets.topic.num.partitions} partitions and
 * {@code min(offsets.topic.replication.factor, live brokers)} replicas.
 *
 * <p>Thread-safe: public methods may be called from any request thread and return futures; group
 * work runs on the shards' ordered executors (see the package documentation).
 */
public final class GroupCoordinator extends ShardedCoordinator<CoordinatorShard> implements AutoCloseable {
    public static final String OFFSETS_TOPIC = Topic.GROUP_METADATA_TOPIC_NAME;

    private final GroupConfig config;
    private final RequestAuthorization auth;
    private final MetadataCache cache;
    private final ScheduledExecutorService timer;
    private final LongSupplier clock;
    private final InternalTopic offsetsTopic;
    private final ScheduledFuture<?> expiration;
    private final ServerAssignedGroups serverAssigned = new ServerAssignedGroups(this);

    /**
     * With {@code auth} deciding which topics a KIP-848 member's regular expression may match: those
     * its principal may DESCRIBE, as Kafka's coordinator filters them.
     */
    public GroupCoordinator(
            GroupConfig config,
            MetadataCache cache,
            TopicService topics,
            ScheduledExecutorService timer,
            int localBrokerId,
            RequestAuthorization auth) {
        this(config, cache, topics, timer, localBrokerId, System::currentTimeMillis, auth);
    }

    GroupCoordinator(
            GroupConfig config,
            MetadataCache cache,
            TopicService topics,
            ScheduledExecutorService timer,
            int localBrokerId,
            LongSupplier clock,
            RequestAuthorization auth) {
        super(OFFSETS_TOPIC, "group coordinator", "leader epoch", cache, localBrokerId, "group-coordinator-%d");
        this.auth = auth;
        this.config = config;
        this.cache = cache;
        this.timer = timer;
        this.clock = clock;
        this.offsetsTopic = new InternalTopic(OFFSETS_TOPIC, cache, topics, this::offsetsTopicSpec);
        this.expiration = timer.scheduleWithFixedDelay(
                this::expireOffsets,
                config.retentionCheckIntervalMs(),
                config.retentionCheckIntervalMs(),
                TimeUnit.MILLISECONDS);
    }

    public GroupConfig config() {
        return config;
    }

    /** The APIs of the group types whose members the coordinator assigns: KIP-848 consumer groups, KIP-932 share groups. */
    public ServerAssignedGroups serverAssigned() {
        return serverAssigned;
    }

    /** The topics that exist now (not being deleted), as consumer-group subscriptions resolve against them. */
    Map<String, TopicInfo> topicsNow() {
        Map<String, TopicInfo> out = new HashMap<>();
        Set<String> deleting = cache.deletionsRequested();
        for (TopicView t : cache.topics()) {
            if (t.topicId() != null && t.partitionCount() > 0 && !deleting.contains(t.name())) {
                out.put(t.name(), new TopicInfo(t.topicId(), t.name(), t.partitionCount()));
            }
        }
        return out;
    }

    /** The name of topic {@code id}, or null if there is no such topic. */
    String topicName(Uuid id) {
        return cache.topic(id).map(TopicView::name).orElse(null);
    }

    /** Kafka's group -> partition mapping. */
    public int partitionFor(String groupId) {
        return Utils.abs(groupId.hashCode()) % config.offsetsTopicPartitions();
    }

    // ================================================================================ leadership (replica-state
    // thread)

    @Override
    protected CoordinatorShard newShard(Partition partition, int leaderEpoch) {
        return new CoordinatorShard(partition, leaderEpoch, config, pool, timer, clock, this::topicsNow, auth);
    }

    /** A replaced shard is unloaded on its executor, its status left as it is until then. */
    @Override
    protected void replaced(CoordinatorShard previous) {
        previous.execute(previous::unload);
    }

    // ===================================================================================================== routing

    /**
     * Runs {@code op} on the shard of {@code groupId} once it is active; otherwise answers
     * {@code onError} with NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS.
     */
    <T> CompletableFuture<T> onShard(
            String groupId, Function<Errors, T> onError, Function<CoordinatorShard, CompletableFuture<T>> op) {
        return onShard(partitionFor(groupId), onError, op);
    }

    /** The same as {@link #onShard} for an operation that answers at once. */
    <T> CompletableFuture<T> onShardNow(String groupId, Function<Errors, T> onError, Function<CoordinatorShard, T> op) {
        return onShard(groupId, onError, s -> CompletableFuture.completedFuture(op.apply(s)));
    }

    /** What {@link #onEveryShard} gathered: the active shards' answers, and whether some shard is still loading. */
    record EveryShard<T>(List<T> answers, boolean anyLoading) {}

    /** One shard's part of {@link #onEveryShard}: its answer if active (else null), and whether it is loading. */
    private record ShardAnswer<T>(T answer, boolean loading) {}

    /** Runs {@code op} on every active shard (ListGroups). */
    <T> CompletableFuture<EveryShard<T>> onEveryShard(Function<CoordinatorShard, T> op) {
        boolean loading = false;
        for (int p = 0; p < config.offsetsTopicPartitions(); p++) {
            if (!shards.containsKey(p) && leadsInMetadata(p)) {
                loading = true; // led, but the leadership has not reached the replica manager yet
            }
        }
        List<CompletableFuture<ShardAnswer<T>>> parts = new ArrayList<>();
        for (CoordinatorShard s : shards.values()) {
            parts.add(s.submit(() -> CompletableFuture.completedFuture(new ShardAnswer<>(
                    s.status() == CoordinatorShard.Status.ACTIVE ? op.apply(s) : null,
                    s.status() == CoordinatorShard.Status.LOADING))));
        }
        boolean unledYet = loading;
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<T> out = new ArrayList<>();
            boolean anyLoading = unledYet;
            for (CompletableFuture<ShardAnswer<T>> f : parts) {
                ShardAnswer<T> a = f.join();
                anyLoading |= a.loading();
                if (a.answer() != null) {
                    out.add(a.answer());
                }
            }
            return new EveryShard<>(out, anyLoading);
        });
    }

    // ================================================================================================ coordinators

    /**
     * The broker leading the group's {@code __consumer_offsets} partition, creating the topic first if
     * it does not exist; COORDINATOR_NOT_AVAILABLE while it has no live leader.
     */
    public CompletableFuture<InternalTopic.Leader> findCoordinator(String groupId) {
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(
                    new InternalTopic.Leader(Errors.INVALID_REQUEST, -1, "empty group id"));
        }
        return offsetsTopic.leaderOf(partitionFor(groupId));
    }

    /** The offsets topic as Kafka creates it: compacted, never deleted by time, offsets.topic.segment.bytes segments. */
    private TopicSpec offsetsTopicSpec(int liveBrokers) {
        return new TopicSpec(
                OFFSETS_TOPIC,
                config.offsetsTopicPartitions(),
                Math.min(config.offsetsTopicReplicationFactor(), liveBrokers),
                Map.of(),
                Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.RETENTION_MS_CONFIG,
                        "-1",
                        TopicConfig.SEGMENT_BYTES_CONFIG,
                        Integer.toString(config.offsetsTopicSegmentBytes())));
    }

    // ============================================================================================== group APIs

    /** A member leaving: by member id, or by group.instance.id (with the member id if the client knows it). */
    public record Leaving(String memberId, String groupInstanceId, String reason) {}

    /** LeaveGroup's answer: a group-level error, else one per member. */
    public record LeaveResult(Errors error, List<MemberResponse> members) {}

    /**
     * OffsetFetch's answer for one group: a group-level error, else offsets (null = none committed),
     * and the partitions with an offset pending in an open transaction.
     */
    public record OffsetsResult(
            Errors error, Map<TopicPartition, CommittedOffset> offsets, java.util.Set<TopicPartition> unstable) {
        public OffsetsResult(Errors error, Map<TopicPartition, CommittedOffset> offsets) {
            this(error, offsets, java.util.Set.of());
        }
    }

    /** OffsetDelete's answer: a group-level error, else one per partition. */
    public record DeleteOffsetsResult(Errors error, Map<TopicPartition, Errors> partitions) {}

    /** A group's summary for ListGroups: its state as Kafka names it (the states differ by group type). */
    public record Listed(String groupId, String protocolType, String state, GroupType type) {}

    /** ListGroups' answer: COORDINATOR_LOAD_IN_PROGRESS while some shard loads, with the groups known so far. */
    public record ListResult(Errors error, List<Listed> groups) {}

    /** The client a request came from, for member ids and DescribeGroups. */
    /** Who sends a group request: its client id and host, and its request context (principal) for the authorizer. */
    public record Client(String clientId, String clientHost, AuthorizableRequestContext requester) {}

    static boolean invalidGroupId(String groupId, boolean emptyAllowed) {
        return groupId == null || (!emptyAllowed && groupId.isEmpty());
    }

    public CompletableFuture<JoinGroupResponseData> joinGroup(Client client, short version, JoinGroupRequestData req) {
        if (invalidGroupId(req.groupId(), false)) {
            return CompletableFuture.completedFuture(
                    ClassicResponses.joinError(req.memberId(), Errors.INVALID_GROUP_ID));
        }
        if (req.sessionTimeoutMs() < config.minSessionTimeoutMs()
                || req.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            return CompletableFuture.completedFuture(
                    ClassicResponses.joinError(req.memberId(), Errors.INVALID_SESSION_TIMEOUT));
        }
        List<GroupMember.Protocol> protocols = new ArrayList<>();
        req.protocols().forEach(p -> protocols.add(new GroupMember.Protocol(p.name(), p.metadata())));
        int rebalanceTimeout =
                version == 0 || req.rebalanceTimeoutMs() < 0 ? req.sessionTimeoutMs() : req.rebalanceTimeoutMs();
        ClassicGroupManager.JoinRequest r = new ClassicGroupManager.JoinRequest(
                req.groupId(),
                req.memberId() == null ? "" : req.memberId(),
                req.groupInstanceId(),
                req.protocolType(),
                protocols,
                req.sessionTimeoutMs(),
                rebalanceTimeout,
                client.clientId() == null ? "" : client.clientId(),
                client.clientHost(),
                version,
                version >= 8 ? req.reason() : null);
        return onShard(
                req.groupId(), e -> ClassicResponses.joinError(req.memberId(), e), s -> s.classicGroups.joinGroup(r));
    }

    public CompletableFuture<SyncGroupResponseData> syncGroup(SyncGroupRequestData req) {
        if (invalidGroupId(req.groupId(), false)) {
            return CompletableFuture.completedFuture(ClassicResponses.syncError(Errors.INVALID_GROUP_ID));
        }
        Map<String, byte[]> assignments = new HashMap<>();
        req.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
        ClassicGroupManager.SyncRequest r = new ClassicGroupManager.SyncRequest(
                req.groupId(),
                req.generationId(),
                req.memberId(),
                req.groupInstanceId(),
                req.protocolType(),
                req.protocolName(),
                assignments);
        return onShard(req.groupId(), ClassicResponses::syncError, s -> s.classicGroups.syncGroup(r));
    }

    public CompletableFuture<Errors> heartbeat(
            String groupId, String memberId, String groupInstanceId, int generationId) {
        if (invalidGroupId(groupId, false)) {
            return CompletableFuture.completedFuture(Errors.INVALID_GROUP_ID);
        }
        return onShardNow(
                groupId, e -> e, s -> s.classicGroups.heartbeat(groupId, memberId, groupInstanceId, generationId));
    }

    public CompletableFuture<LeaveResult> leaveGroup(String groupId, List<Leaving> leaving) {
        if (invalidGroupId(groupId, false)) {
            return CompletableFuture.completedFuture(new LeaveResult(Errors.INVALID_GROUP_ID, List.of()));
        }
        return onShardNow(
                groupId, e -> new LeaveResult(e, List.of()), s -> s.classicGroups.leaveGroup(groupId, leaving));
    }

    /**
     * Commits offsets for a group member ({@code generationId >= 0}) or standalone
     * ({@code generationId < 0}, the group must have no members). {@code retentionMs} > 0 overrides
     * {@code offsets.retention.minutes} for these offsets (OffsetCommit v2-4).
     */
    public CompletableFuture<Map<TopicPartition, Errors>> commitOffsets(
            String groupId,
            String memberId,
            String groupInstanceId,
            int generationId,
            long retentionMs,
            Map<TopicPartition, CommittedOffset> offsets,
            short version) {
        Function<Errors, Map<TopicPartition, Errors>> all = e -> {
            Map<TopicPartition, Errors> m = new LinkedHashMap<>();
            offsets.keySet().forEach(tp -> m.put(tp, e));
            return m;
        };
        if (invalidGroupId(groupId, true)) {
            return CompletableFuture.completedFuture(all.apply(Errors.INVALID_GROUP_ID));
        }
        OffsetManager.CommitRequest r = new OffsetManager.CommitRequest(
                groupId, memberId, groupInstanceId, generationId, retentionMs, offsets, version);
        return onShard(groupId, all, s -> s.offsets.commitOffsets(r));
    }

    /**
     * TxnOffsetCommit: offsets committed inside the producer's transaction, the group's only once the
     * transaction commits. Member fields are checked when given (KIP-447).
     */
    public CompletableFuture<Map<TopicPartition, Errors>> commitTransactionalOffsets(
            String groupId,
            long producerId,
            short producerEpoch,
            String memberId,
            String groupInstanceId,
            int generationId,
            Map<TopicPartition, CommittedOffset> offsets) {
        Function<Errors, Map<TopicPartition, Errors>> all = e -> {
            Map<TopicPartition, Errors> m = new LinkedHashMap<>();
            offsets.keySet().forEach(tp -> m.put(tp, e));
            return m;
        };
        if (invalidGroupId(groupId, true)) {
            return CompletableFuture.completedFuture(all.apply(Errors.INVALID_GROUP_ID));
        }
        OffsetManager.TxnCommitRequest r = new OffsetManager.TxnCommitRequest(
                groupId, producerId, producerEpoch, memberId, groupInstanceId, generationId, offsets);
        return onShard(groupId, all, s -> s.offsets.commitTransactionalOffsets(r));
    }

    /**
     * A transaction marker of {@code producerId} was written to {@code __consumer_offsets} partition
     * {@code partition}: the offsets it committed there become committed (or are dropped).
     */
    public void completeTransaction(int partition, long producerId, boolean commit) {
        CoordinatorShard shard = shards.get(partition);
        if (shard != null) {
            shard.execute(() -> shard.offsets.completeTransaction(producerId, commit));
        }
    }

    /** Committed offsets of {@code partitions}, or of every partition with one when null. */
    public CompletableFuture<OffsetsResult> fetchOffsets(String groupId, List<TopicPartition> partitions) {
        return fetchOffsets(groupId, partitions, null, -1);
    }

    /**
     * As {@link #fetchOffsets(String, List)}, for a consumer-group member ({@code memberEpoch >= 0},
     * OffsetFetch v9+): UNKNOWN_MEMBER_ID or STALE_MEMBER_EPOCH unless it is at its epoch.
     */
    public CompletableFuture<OffsetsResult> fetchOffsets(
            String groupId, List<TopicPartition> partitions, String memberId, int memberEpoch) {
        if (invalidGroupId(groupId, true)) {
            return CompletableFuture.completedFuture(new OffsetsResult(Errors.INVALID_GROUP_ID, Map.of()));
        }
        return onShardNow(groupId, e -> new OffsetsResult(e, Map.of()), s -> {
            if (s.groups.get(groupId) instanceof ConsumerGroup g) {
                Errors invalid = g.validateOffsetFetch(memberId, memberEpoch);
                if (invalid != Errors.NONE) {
                    return new OffsetsResult(invalid, Map.of());
                }
            }
            return new OffsetsResult(
                    Errors.NONE, s.offsets.fetchOffsets(groupId, partitions), s.offsets.unstable(groupId));
        });
    }

    public CompletableFuture<DeleteOffsetsResult> deleteOffsets(String groupId, List<TopicPartition> partitions) {
        if (invalidGroupId(groupId, false)) {
            return CompletableFuture.completedFuture(new DeleteOffsetsResult(Errors.INVALID_GROUP_ID, Map.of()));
        }
        return onShard(
                groupId, e -> new DeleteOffsetsResult(e, Map.of()), s -> s.offsets.deleteOffsets(groupId, partitions));
    }

    public CompletableFuture<Errors> deleteGroup(String groupId) {
        if (invalidGroupId(groupId, true)) {
            return CompletableFuture.completedFuture(Errors.INVALID_GROUP_ID);
        }
        return onShard(groupId, e -> e, s -> s.deleteGroup(groupId));
    }

    /** The group described, or a described group carrying only an error code; state Dead if it does not exist. */
    public CompletableFuture<DescribedGroup> describeGroup(String groupId) {
        Function<Errors, DescribedGroup> error = e -> new DescribedGroup()
                .setGroupId(groupId)
                .setErrorCode(e.code())
                .setGroupState(GroupState.DEAD.kafkaName())
                .setProtocolType("")
                .setProtocolData("");
        if (invalidGroupId(groupId, true)) {
            return CompletableFuture.completedFuture(error.apply(Errors.INVALID_GROUP_ID));
        }
        return onShardNow(groupId, error, s -> {
            DescribedGroup d = s.classicGroups.describe(groupId);
            return d != null ? d : error.apply(Errors.GROUP_ID_NOT_FOUND);
        });
    }

    public CompletableFuture<ListResult> listGroups() {
        return onEveryShard(CoordinatorShard::list).thenApply(every -> {
            List<Listed> all = new ArrayList<>();
            every.answers().forEach(all::addAll);
            all.sort((a, b) -> a.groupId().compareTo(b.groupId()));
            return new ListResult(every.anyLoading() ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NONE, all);
        });
    }

    private void expireOffsets() {
        for (CoordinatorShard s : shards.values()) {
            s.execute(() -> {
                if (s.status() == CoordinatorShard.Status.ACTIVE) {
                    s.expireOffsets();
                }
            });
        }
    }

    @Override
    public void close() {
        expiration.cancel(false);
        unloadAll();
        stopPool();
    }
}
