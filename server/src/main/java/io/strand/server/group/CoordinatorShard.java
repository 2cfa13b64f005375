package io.strand.server.group;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strand.server.coordinator.InternalShard;
import io.strand.server.group.proto.ConsumerGroupValue;
import io.strand.server.group.proto.ConsumerMemberValue;
import io.strand.server.group.proto.GroupRecordKey;
import io.strand.server.group.proto.ShareGroupValue;
import io.strand.server.group.proto.ShareMemberValue;
import io.strand.server.replica.Partition;
import io.strand.server.security.RequestAuthorization;
import io.strand.wal.AppendResult;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The groups of one {@code __consumer_offsets} partition this broker leads, at one leader epoch
 * (Kafka's {@code GroupCoordinatorShard}). It holds the groups by id ({@link #groups}) and delegates
 * to one manager per concern:
 *
 * <ul>
 *   <li>{@link ClassicGroupManager}: membership of classic groups (JoinGroup, SyncGroup, Heartbeat,
 *       LeaveGroup, DescribeGroups), with {@link ClassicRebalance} for its timers;
 *   <li>{@link ConsumerGroupManager}: membership of KIP-848 consumer groups (ConsumerGroupHeartbeat),
 *       with server-side assignment;
 *   <li>{@link ShareGroupManager}: membership of KIP-932 share groups (ShareGroupHeartbeat);
 *   <li>{@link OffsetManager}: committed offsets of every group (commit, fetch, delete, expiry).
 * </ul>
 *
 * <p>The shard itself loads the partition's records and replays each one into the manager of its
 * kind, appends the managers' records as leader and answers once every in-sync replica has them
 * (acks=all, append errors mapped to group-protocol errors), runs their timers, and unloads. It also
 * does what spans managers: deleting a group with its offsets, removing empty groups whose offsets
 * expired, listing groups of every type.
 *
 * <p>KIP-848 consumer groups have their own manager ({@link ConsumerGroupManager}) beside
 * {@link #classicGroups}: their groups sit in the same {@link #groups} (one id, one group, of one
 * type), their record kinds are replayed to it from {@link #replay}, and it is completed and unloaded
 * with the classic one. Of a group's classic and consumer records, the later in the log decides its
 * type at load (a group converts when it is empty, or online: see {@link GroupConversions}).
 *
 * <p>Threading: everything that reads or changes groups or offsets runs on this shard's
 * ordered executor ({@link #submit}, {@link #execute}), one task at a time, so no state here or
 * in the managers needs a lock; futures returned by the managers complete on it too, and timers
 * ({@link #schedule}) hop onto it before they run. {@link #status()} is the only state read from other
 * threads.
 */
final class CoordinatorShard extends InternalShard {
    final GroupConfig config;
    private final LongSupplier clock;

    boolean loading() {
        return status() == Status.LOADING;
    }
    /** Every group of this partition, of every type. */
    final Groups groups = new Groups();

    final ClassicGroupManager classicGroups;
    final ConsumerGroupManager consumerGroups;
    final ShareGroupManager shareGroups;
    final OffsetManager offsets;

    CoordinatorShard(
            Partition partition,
            int leaderEpoch,
            GroupConfig config,
            Executor pool,
            ScheduledExecutorService timer,
            LongSupplier clock,
            SubscribedTopics.Source topics,
            RequestAuthorization auth) {
        super(partition, leaderEpoch, pool, "group-coordinator", timer);
        this.config = config;
        this.clock = clock;
        this.classicGroups = new ClassicGroupManager(this);
        this.consumerGroups = new ConsumerGroupManager(this, new SubscribedTopics(topics, auth));
        this.shareGroups = new ShareGroupManager(this, consumerGroups.subscriptions);
        this.offsets = new OffsetManager(this, classicGroups);
    }

    long now() {
        return clock.getAsLong();
    }

    // ============================================================================================ load / unload

    /** A transaction's marker decides its pending offsets. */
    @Override
    protected void replayControl(RecordBatch batch) {
        Iterator<Record> marker = batch.iterator();
        if (marker.hasNext()) {
            offsets.replayEndTransaction(
                    batch.producerId(),
                    EndTransactionMarker.deserialize(marker.next()).controlType() == ControlRecordType.COMMIT);
        }
    }

    @Override
    protected void replay(Record r, RecordBatch batch) {
        replay(r, batch.isTransactional() ? batch.producerId() : -1);
    }

    @Override
    protected void logLoadFailure(RuntimeException e) {
        log.error(
                "{}: could not load group metadata from the log (leader epoch {}); this broker will answer "
                        + "COORDINATOR_LOAD_IN_PROGRESS for its groups until leadership moves",
                tp,
                leaderEpoch,
                e);
    }

    @Override
    protected void completeLoad() {
        classicGroups.completeLoad();
        consumerGroups.completeLoad();
        shareGroups.completeLoad();
        // offsets without a group record are standalone commits: they belong to a classic group
        offsets.groupIds().forEach(id -> {
            if (groups.get(id) == null) {
                classicGroups.getOrCreate(id);
            }
        });
    }

    @Override
    protected void logLoaded(int records, long endOffset, long millis) {
        log.info(
                "{}: loaded {} groups from {} records up to offset {} in {} ms (leader epoch {})",
                tp,
                groups.size(),
                records,
                endOffset,
                millis,
                leaderEpoch);
    }

    /** Hands one loaded record to the manager of its kind; a tombstone (no value) deletes its key. */
    private void replay(Record r, long transactionalProducerId) {
        if (!r.hasKey()) {
            return;
        }
        try {
            GroupRecordKey key = GroupRecords.parseKey(r.key());
            switch (key.getKindCase()) {
                case OFFSET -> {
                    TopicPartition offsetOf = new TopicPartition(
                            key.getOffset().getTopic(), key.getOffset().getPartition());
                    CommittedOffset value = r.hasValue() ? GroupRecords.parseOffset(r.value()) : null;
                    if (transactionalProducerId >= 0) {
                        offsets.replayTransactional(
                                transactionalProducerId, key.getOffset().getGroup(), offsetOf, value);
                    } else {
                        offsets.replay(key.getOffset().getGroup(), offsetOf, value);
                    }
                }
                case GROUP -> {
                    String group = key.getGroup().getGroup();
                    classicGroups.replay(group, r.hasValue() ? GroupRecords.parseGroup(r.value()) : null);
                    if (!r.hasValue()) {
                        offsets.replayGroupTombstone(group);
                    } else {
                        consumerGroups.forgetLoaded(group); // the later record decides the group's type
                    }
                }
                case CONSUMER_GROUP -> {
                    String group = key.getConsumerGroup().getGroup();
                    consumerGroups.replayGroup(
                            group,
                            r.hasValue()
                                    ? ConsumerGroupValue.parseFrom(r.value().duplicate())
                                    : null);
                    if (r.hasValue()) {
                        classicGroups.replay(group, null);
                    }
                }
                case SHARE_GROUP ->
                    shareGroups.replayGroup(
                            key.getShareGroup().getGroup(),
                            r.hasValue() ? ShareGroupValue.parseFrom(r.value().duplicate()) : null);
                case SHARE_MEMBER ->
                    shareGroups.replayMember(
                            key.getShareMember().getGroup(),
                            key.getShareMember().getMemberId(),
                            r.hasValue() ? ShareMemberValue.parseFrom(r.value().duplicate()) : null);
                case CONSUMER_MEMBER ->
                    consumerGroups.replayMember(
                            key.getConsumerMember().getGroup(),
                            key.getConsumerMember().getMemberId(),
                            r.hasValue()
                                    ? ConsumerMemberValue.parseFrom(r.value().duplicate())
                                    : null);
                default -> log.warn("{}: skipping record at offset {} with an unknown key kind", tp, r.offset());
            }
        } catch (InvalidProtocolBufferException e) {
            log.warn("{}: skipping undecodable record at offset {}: {}", tp, r.offset(), e.getMessage());
        }
    }

    /** Leadership moved away: every waiting request is answered NOT_COORDINATOR. On the executor. */
    @Override
    protected void unloadState() {
        int n = groups.size();
        classicGroups.unload();
        consumerGroups.unload();
        shareGroups.unload();
        groups.clear();
        offsets.clear();
        log.info("{}: unloaded {} groups (leader epoch {})", tp, n, leaderEpoch);
    }

    // ========================================================================== what spans the managers

    /** DeleteGroups for one group: the group and its offsets, as tombstones. */
    CompletableFuture<Errors> deleteGroup(String groupId) {
        Group group = groups.get(groupId);
        if (group == null) {
            return CompletableFuture.completedFuture(Errors.GROUP_ID_NOT_FOUND);
        }
        Errors invalid = group.validateDeleteGroup();
        if (invalid != Errors.NONE) {
            return CompletableFuture.completedFuture(invalid);
        }
        long now = now();
        List<SimpleRecord> records = new ArrayList<>();
        int deletedOffsets = offsets.deleteAllOffsets(groupId, now, records);
        managerOf(group).deleteGroup(group, now, records);
        log.info("Group {}: deleted with {} committed offsets", groupId, deletedOffsets);
        return append(records).handle((v, e) -> e == null ? Errors.NONE : appendError(e, false));
    }

    /** Removes offsets past their retention, and empty groups left without offsets. */
    void expireOffsets() {
        long now = now();
        List<SimpleRecord> tombstones = new ArrayList<>();
        int offsetsRemoved = 0;
        List<String> groupsRemoved = new ArrayList<>();
        for (Group g : groups.all()) {
            offsetsRemoved += offsets.expireOffsets(g, now, tombstones);
            if (!offsets.hasOffsets(g.groupId()) && managerOf(g).maybeDeleteUnusedGroup(g, now, tombstones)) {
                offsets.deleteAllOffsets(g.groupId(), now, tombstones);
                groupsRemoved.add(g.groupId());
            }
        }
        if (tombstones.isEmpty()) {
            return;
        }
        log.info("{}: removed {} expired offsets and the empty groups {}", tp, offsetsRemoved, groupsRemoved);
        append(tombstones).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("{}: could not write tombstones for expired offsets: {}", tp, appendError(e, false));
            }
        });
    }

    /** The manager of {@code g}'s type: the one place that maps a group type to its manager. */
    private GroupManager managerOf(Group g) {
        return switch (g.type()) {
            case CLASSIC -> classicGroups;
            case CONSUMER -> consumerGroups;
            case SHARE -> shareGroups;
        };
    }

    List<GroupCoordinator.Listed> list() {
        List<GroupCoordinator.Listed> out = new ArrayList<>();
        groups.all().forEach(g -> out.add(g.listing()));
        return out;
    }

    // ============================================================================ services to the managers

    /** Appends records to this partition as its leader and completes (on the executor) once every ISR member has them. */
    CompletableFuture<Void> append(List<SimpleRecord> records) {
        return append(GroupRecords.batch(records));
    }

    /** As {@link #append(List)}, for a batch built already (a transactional one). */
    CompletableFuture<Void> append(MemoryRecords batch) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            if (!isActive()) {
                throw new NotCoordinatorException("this broker no longer leads " + tp + " at epoch " + leaderEpoch);
            }
            AppendResult result = partition.appendFromCoordinator(batch, (short) -1);
            awaitAcknowledged(
                    result,
                    config.commitTimeoutMs(),
                    e -> {
                        if (e != null) {
                            done.completeExceptionally(e);
                        } else {
                            done.complete(null);
                        }
                    },
                    () -> done.completeExceptionally(
                            new NotCoordinatorException("the group coordinator of " + tp + " stopped")));
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    /** The group-protocol error for a failed write, as Kafka's coordinator maps it. */
    static Errors appendError(Throwable e, boolean offsetCommit) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof TimeoutException) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        Errors error = Errors.forException(cause);
        return switch (error) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT ->
                Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR, NOT_COORDINATOR, FENCED_LEADER_EPOCH ->
                Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE ->
                offsetCommit ? Errors.INVALID_COMMIT_OFFSET_SIZE : Errors.UNKNOWN_SERVER_ERROR;
            default -> Errors.UNKNOWN_SERVER_ERROR;
        };
    }
}
