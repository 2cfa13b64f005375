package io.strand.server.group;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strand.server.concurrent.OrderedExecutor;
import io.strand.server.group.GroupCoordinator.DeleteOffsetsResult;
import io.strand.server.group.GroupCoordinator.Leaving;
import io.strand.server.group.GroupCoordinator.Listed;
import io.strand.server.group.proto.GroupMetadataValue;
import io.strand.server.group.proto.GroupRecordKey;
import io.strand.server.replica.Partition;
import io.strand.wal.AppendResult;
import io.strand.wal.PartitionLog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The groups of one {@code __consumer_offsets} partition this broker leads, at one leader epoch:
 * loads them from the partition's log, runs the classic rebalance protocol for them, and writes
 * their metadata and offsets back as records, answering only once every in-sync replica has the
 * write (acks=all).
 *
 * <p>Threading: every method that reads or changes groups runs on this shard's
 * {@link OrderedExecutor} ({@link #submit}); futures returned by those methods complete on it too.
 * {@link #status} is the only field read from other threads.
 */
final class CoordinatorShard {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorShard.class);
    /** How long a member that joined during a rebalance may wait for it without heartbeats (Kafka's value). */
    static final int NEW_MEMBER_JOIN_TIMEOUT_MS = 300_000;

    enum Status {
        LOADING,
        ACTIVE,
        UNLOADED
    }

    /** A JoinGroup as the coordinator needs it. */
    record JoinRequest(
            String groupId,
            String memberId,
            String groupInstanceId,
            String protocolType,
            List<GroupMember.Protocol> protocols,
            int sessionTimeoutMs,
            int rebalanceTimeoutMs,
            String clientId,
            String clientHost,
            short version,
            String reason) {}

    record SyncRequest(
            String groupId,
            int generationId,
            String memberId,
            String groupInstanceId,
            String protocolType,
            String protocolName,
            Map<String, byte[]> assignments) {}

    record CommitRequest(
            String groupId,
            String memberId,
            String groupInstanceId,
            int generationId,
            long retentionMs,
            Map<TopicPartition, CommittedOffset> offsets,
            short version) {}

    final TopicPartition tp;
    final int leaderEpoch;
    final Partition partition;
    private final GroupConfig config;
    private final OrderedExecutor executor;
    private final ScheduledExecutorService timer;
    private final LongSupplier clock;
    volatile Status status = Status.LOADING;
    private final Map<String, ClassicGroup> groups = new HashMap<>();

    CoordinatorShard(
            Partition partition,
            int leaderEpoch,
            GroupConfig config,
            Executor pool,
            ScheduledExecutorService timer,
            LongSupplier clock) {
        this.tp = partition.topicPartition();
        this.leaderEpoch = leaderEpoch;
        this.partition = partition;
        this.config = config;
        this.executor = new OrderedExecutor(pool, "group-coordinator " + tp);
        this.timer = timer;
        this.clock = clock;
    }

    /** Runs {@code task} on this shard's executor; the returned future completes with the task's future. */
    <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                task.get().whenComplete((v, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(v);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** True while the partition is still led by this broker at this shard's epoch. */
    boolean isCurrentLeader() {
        return partition.isLeader() && partition.leaderEpoch() == leaderEpoch;
    }

    void execute(Runnable task) {
        executor.execute(task);
    }

    private long now() {
        return clock.getAsLong();
    }

    // ============================================================================================ load / unload

    /** Reads the partition's log from its start to its end now; newest record per key wins. On the executor. */
    void load() {
        if (status != Status.LOADING) {
            return;
        }
        long started = System.nanoTime();
        PartitionLog wal = partition.log();
        long end = wal.logEndOffset();
        Map<String, GroupMetadataValue> groupValues = new LinkedHashMap<>();
        Map<String, Map<TopicPartition, CommittedOffset>> offsetValues = new LinkedHashMap<>();
        int records = 0;
        try {
            for (RecordBatch batch : wal.batchesFrom(wal.logStartOffset())) {
                if (batch.baseOffset() >= end || status != Status.LOADING) {
                    break;
                }
                if (batch.isControlBatch()) {
                    continue;
                }
                for (Record r : batch) {
                    if (r.offset() >= end) {
                        break;
                    }
                    records++;
                    applyLoaded(r, groupValues, offsetValues);
                }
            }
        } catch (RuntimeException e) {
            log.error(
                    "{}: could not load group metadata from the log (leader epoch {}); this broker will answer "
                            + "COORDINATOR_LOAD_IN_PROGRESS for its groups until leadership moves",
                    tp,
                    leaderEpoch,
                    e);
            return;
        }
        if (status != Status.LOADING) {
            return;
        }
        long now = now();
        groupValues.forEach((id, v) -> groups.put(id, GroupRecords.restore(id, v)));
        offsetValues.forEach((id, offs) -> groups.computeIfAbsent(id, g -> new ClassicGroup(g, now))
                .offsets
                .putAll(offs));
        for (ClassicGroup g : groups.values()) {
            for (GroupMember m : g.members.values()) {
                scheduleHeartbeatExpiry(g, m);
            }
        }
        status = Status.ACTIVE;
        log.info(
                "{}: loaded {} groups from {} records up to offset {} in {} ms (leader epoch {})",
                tp,
                groups.size(),
                records,
                end,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                leaderEpoch);
    }

    private void applyLoaded(
            Record r,
            Map<String, GroupMetadataValue> groupValues,
            Map<String, Map<TopicPartition, CommittedOffset>> offsetValues) {
        if (!r.hasKey()) {
            return;
        }
        try {
            GroupRecordKey key = GroupRecords.parseKey(r.key());
            switch (key.getKindCase()) {
                case OFFSET -> {
                    String group = key.getOffset().getGroup();
                    TopicPartition otp = new TopicPartition(
                            key.getOffset().getTopic(), key.getOffset().getPartition());
                    if (r.hasValue()) {
                        offsetValues
                                .computeIfAbsent(group, g -> new LinkedHashMap<>())
                                .put(otp, GroupRecords.parseOffset(r.value()));
                    } else {
                        Map<TopicPartition, CommittedOffset> m = offsetValues.get(group);
                        if (m != null) {
                            m.remove(otp);
                        }
                    }
                }
                case GROUP -> {
                    String group = key.getGroup().getGroup();
                    if (r.hasValue()) {
                        groupValues.put(group, GroupRecords.parseGroup(r.value()));
                    } else {
                        groupValues.remove(group);
                        offsetValues.remove(group);
                    }
                }
                default -> log.warn("{}: skipping record at offset {} with an unknown key kind", tp, r.offset());
            }
        } catch (InvalidProtocolBufferException e) {
            log.warn("{}: skipping undecodable record at offset {}: {}", tp, r.offset(), e.getMessage());
        }
    }

    /** Leadership moved away: every waiting request is answered NOT_COORDINATOR. On the executor. */
    void unload() {
        status = Status.UNLOADED;
        for (ClassicGroup g : groups.values()) {
            for (GroupMember m : g.members.values()) {
                completeJoin(m, joinError(m.memberId, Errors.NOT_COORDINATOR));
                completeSync(m, syncError(Errors.NOT_COORDINATOR));
            }
            g.transitionTo(GroupState.DEAD, now());
        }
        int n = groups.size();
        groups.clear();
        log.info("{}: unloaded {} groups (leader epoch {})", tp, n, leaderEpoch);
    }

    // ================================================================================================== join

    CompletableFuture<JoinGroupResponseData> joinGroup(JoinRequest r) {
        boolean unknownMember = r.memberId().isEmpty();
        ClassicGroup group = groups.get(r.groupId());
        boolean created = false;
        if (group == null) {
            if (!unknownMember) {
                return done(joinError(r.memberId(), Errors.UNKNOWN_MEMBER_ID));
            }
            group = new ClassicGroup(r.groupId(), now());
            groups.put(r.groupId(), group);
            created = true;
        }
        CompletableFuture<JoinGroupResponseData> out = join(group, r, unknownMember);
        if (created
                && group.members.isEmpty()
                && group.pendingMembers.isEmpty()
                && group.offsets.isEmpty()
                && out.isDone()) {
            JoinGroupResponseData resp = out.getNow(null);
            if (resp != null
                    && resp.errorCode() != Errors.NONE.code()
                    && resp.errorCode() != Errors.MEMBER_ID_REQUIRED.code()) {
                groups.remove(r.groupId());
            }
        }
        if (group.is(GroupState.PREPARING_REBALANCE)) {
            maybeCompleteJoin(group);
        }
        return out;
    }

    private CompletableFuture<JoinGroupResponseData> join(ClassicGroup group, JoinRequest r, boolean unknownMember) {
        if (group.is(GroupState.DEAD)) {
            return done(joinError(r.memberId(), Errors.COORDINATOR_NOT_AVAILABLE));
        }
        List<String> names =
                r.protocols().stream().map(GroupMember.Protocol::name).toList();
        if (!group.supportsProtocols(r.protocolType(), names)) {
            return done(joinError(r.memberId(), Errors.INCONSISTENT_GROUP_PROTOCOL));
        }
        boolean knownOrPending =
                !unknownMember && (group.has(r.memberId()) || group.pendingMembers.contains(r.memberId()));
        boolean knownStatic = r.groupInstanceId() != null && group.staticMembers.containsKey(r.groupInstanceId());
        if (!knownOrPending && !knownStatic && group.members.size() >= config.maxSize()) {
            return done(joinError(r.memberId(), Errors.GROUP_MAX_SIZE_REACHED));
        }
        return unknownMember ? joinNewMember(group, r) : joinCurrentMember(group, r);
    }

    private CompletableFuture<JoinGroupResponseData> joinNewMember(ClassicGroup group, JoinRequest r) {
        String prefix = r.groupInstanceId() != null ? r.groupInstanceId() : r.clientId();
        String newMemberId = prefix + "-" + UUID.randomUUID();
        if (r.groupInstanceId() != null) {
            String oldMemberId = group.staticMembers.get(r.groupInstanceId());
            if (oldMemberId != null) {
                return updateStaticMember(group, oldMemberId, newMemberId, r);
            }
            return addMemberAndRebalance(group, newMemberId, r);
        }
        if (r.version() >= 4) {
            // KIP-394: hand out the member id first; the member joins with it in a second JoinGroup
            group.pendingMembers.add(newMemberId);
            schedule(r.sessionTimeoutMs(), () -> expirePendingMember(group, newMemberId));
            return done(joinError(newMemberId, Errors.MEMBER_ID_REQUIRED));
        }
        return addMemberAndRebalance(group, newMemberId, r);
    }

    private CompletableFuture<JoinGroupResponseData> joinCurrentMember(ClassicGroup group, JoinRequest r) {
        String memberId = r.memberId();
        if (group.pendingMembers.remove(memberId)) {
            return addMemberAndRebalance(group, memberId, r);
        }
        if (group.isStaticMemberFenced(memberId, r.groupInstanceId())) {
            return done(joinError(memberId, Errors.FENCED_INSTANCE_ID));
        }
        GroupMember member = group.members.get(memberId);
        if (member == null) {
            return done(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
        switch (group.state) {
            case PREPARING_REBALANCE:
                return updateMemberAndRebalance(group, member, r, "member " + memberId + " rejoined");
            case COMPLETING_REBALANCE:
                if (member.matches(r.protocols())) {
                    // the member lost our answer: send this generation's again
                    return done(joinResponse(group, member, group.isLeader(memberId)));
                }
                return updateMemberAndRebalance(group, member, r, "member " + memberId + " changed its protocols");
            case STABLE:
                if (group.isLeader(memberId) || !member.matches(r.protocols())) {
                    // the leader may rejoin to react to changes the member metadata does not show (topic metadata)
                    return updateMemberAndRebalance(
                            group,
                            member,
                            r,
                            "member " + memberId
                                    + (group.isLeader(memberId) ? " (the leader) rejoined" : " changed its protocols")
                                    + (r.reason() == null ? "" : ": " + r.reason()));
                }
                scheduleHeartbeatExpiry(group, member);
                return done(joinResponse(group, member, false));
            default:
                return done(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    private CompletableFuture<JoinGroupResponseData> addMemberAndRebalance(
            ClassicGroup group, String memberId, JoinRequest r) {
        GroupMember m = new GroupMember(
                memberId,
                r.groupInstanceId(),
                r.clientId(),
                r.clientHost(),
                r.rebalanceTimeoutMs(),
                r.sessionTimeoutMs(),
                r.protocolType(),
                r.protocols());
        m.isNew = true;
        if (group.is(GroupState.PREPARING_REBALANCE) && group.generationId == 0) {
            group.newMemberAdded = true;
        }
        group.add(m);
        CompletableFuture<JoinGroupResponseData> f = new CompletableFuture<>();
        m.awaitingJoin = f;
        m.joinVersion = r.version();
        scheduleHeartbeatExpiry(group, m);
        maybePrepareRebalance(group, "member " + memberId + " joined" + (r.reason() == null ? "" : ": " + r.reason()));
        return f;
    }

    private CompletableFuture<JoinGroupResponseData> updateMemberAndRebalance(
            ClassicGroup group, GroupMember m, JoinRequest r, String reason) {
        m.protocols = List.copyOf(r.protocols());
        m.rebalanceTimeoutMs = r.rebalanceTimeoutMs();
        m.sessionTimeoutMs = r.sessionTimeoutMs();
        completeJoin(m, joinError(m.memberId, Errors.REBALANCE_IN_PROGRESS));
        CompletableFuture<JoinGroupResponseData> f = new CompletableFuture<>();
        m.awaitingJoin = f;
        m.joinVersion = r.version();
        maybePrepareRebalance(group, reason);
        return f;
    }

    /** A known static member joined with a new member id (a restarted instance). */
    private CompletableFuture<JoinGroupResponseData> updateStaticMember(
            ClassicGroup group, String oldMemberId, String newMemberId, JoinRequest r) {
        String previousLeader = group.leaderId;
        GroupMember old = group.members.get(oldMemberId);
        completeJoin(old, joinError(oldMemberId, Errors.FENCED_INSTANCE_ID));
        completeSync(old, syncError(Errors.FENCED_INSTANCE_ID));
        List<GroupMember.Protocol> oldProtocols = old.protocols;
        int oldRebalanceTimeout = old.rebalanceTimeoutMs;
        int oldSessionTimeout = old.sessionTimeoutMs;
        GroupMember m = group.replaceStaticMember(r.groupInstanceId(), oldMemberId, newMemberId);
        m.protocols = List.copyOf(r.protocols());
        m.rebalanceTimeoutMs = r.rebalanceTimeoutMs();
        m.sessionTimeoutMs = r.sessionTimeoutMs();
        CompletableFuture<JoinGroupResponseData> f = new CompletableFuture<>();
        m.awaitingJoin = f;
        m.joinVersion = r.version();
        scheduleHeartbeatExpiry(group, m);
        log.info(
                "Group {}: static member {} rejoined as {} (was {})",
                group.groupId,
                r.groupInstanceId(),
                newMemberId,
                oldMemberId);
        switch (group.state) {
            case STABLE -> {
                if (group.protocolName != null && group.protocolName.equals(group.selectProtocol())) {
                    // nothing the assignment depends on changed: keep the generation, persist the new member id
                    int generation = group.generationId;
                    append(List.of(GroupRecords.groupRecord(now(), group, Map.of())))
                            .whenComplete((v, e) -> {
                                if (m.awaitingJoin != f) {
                                    return;
                                }
                                if (e != null) {
                                    Errors error = appendError(e, false);
                                    if (group.members.get(newMemberId) == m) {
                                        GroupMember back = group.replaceStaticMember(
                                                r.groupInstanceId(), newMemberId, oldMemberId);
                                        back.protocols = oldProtocols;
                                        back.rebalanceTimeoutMs = oldRebalanceTimeout;
                                        back.sessionTimeoutMs = oldSessionTimeout;
                                        scheduleHeartbeatExpiry(group, back);
                                    }
                                    m.awaitingJoin = null;
                                    f.complete(joinError(newMemberId, error));
                                    return;
                                }
                                m.awaitingJoin = null;
                                boolean leader = group.isLeader(newMemberId) && group.generationId == generation;
                                JoinGroupResponseData resp = joinResponse(group, m, leader);
                                if (leader) {
                                    // KIP-814: the leader learns it leads but must not reassign a stable group
                                    resp.setSkipAssignment(true);
                                } else {
                                    resp.setLeader(previousLeader == null ? "" : previousLeader);
                                }
                                f.complete(resp);
                            });
                } else {
                    prepareRebalance(group, "static member " + r.groupInstanceId() + " rejoined with other protocols");
                }
            }
            case COMPLETING_REBALANCE ->
                // the leader may be assigning to the old member id: assign again
                prepareRebalance(group, "static member " + r.groupInstanceId() + " rejoined during a rebalance");
            default -> {
                // PREPARING_REBALANCE: the member now simply waits for the join to complete
            }
        }
        return f;
    }

    private void expirePendingMember(ClassicGroup group, String memberId) {
        if (groups.get(group.groupId) == group && group.pendingMembers.remove(memberId)) {
            log.debug("Group {}: pending member {} did not join in time", group.groupId, memberId);
            maybeCompleteJoin(group);
        }
    }

    private void maybePrepareRebalance(ClassicGroup group, String reason) {
        if (group.is(GroupState.STABLE) || group.is(GroupState.COMPLETING_REBALANCE) || group.is(GroupState.EMPTY)) {
            prepareRebalance(group, reason);
        }
    }

    private void prepareRebalance(ClassicGroup group, String reason) {
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            resetAndPropagateAssignmentError(group, Errors.REBALANCE_IN_PROGRESS);
        }
        group.syncTimerToken++;
        group.pendingSyncMembers.clear();
        boolean initial = group.is(GroupState.EMPTY);
        log.info(
                "Group {}: preparing to rebalance in state {} with old generation {} ({})",
                group.groupId,
                group.state.kafkaName(),
                group.generationId,
                reason);
        group.transitionTo(GroupState.PREPARING_REBALANCE, now());
        int token = ++group.joinTimerToken;
        group.initialJoin = initial;
        if (initial) {
            long delay = config.initialRebalanceDelayMs();
            group.newMemberAdded = false;
            group.initialDelayRemainingMs = Math.max(group.maxRebalanceTimeoutMs() - delay, 0);
            schedule(delay, () -> onInitialDelayExpired(group, token));
        } else {
            schedule(group.maxRebalanceTimeoutMs(), () -> onJoinTimeout(group, token));
        }
    }

    private void onInitialDelayExpired(ClassicGroup group, int token) {
        if (groups.get(group.groupId) != group
                || token != group.joinTimerToken
                || !group.is(GroupState.PREPARING_REBALANCE)) {
            return;
        }
        if (group.newMemberAdded && group.initialDelayRemainingMs > 0) {
            // more members arrived during the delay: wait a little more for the rest
            group.newMemberAdded = false;
            long delay = Math.min(config.initialRebalanceDelayMs(), group.initialDelayRemainingMs);
            group.initialDelayRemainingMs = Math.max(group.initialDelayRemainingMs - delay, 0);
            schedule(delay, () -> onInitialDelayExpired(group, token));
            return;
        }
        completeJoinPhase(group);
    }

    private void onJoinTimeout(ClassicGroup group, int token) {
        if (groups.get(group.groupId) == group
                && token == group.joinTimerToken
                && group.is(GroupState.PREPARING_REBALANCE)) {
            completeJoinPhase(group);
        }
    }

    private void maybeCompleteJoin(ClassicGroup group) {
        if (group.is(GroupState.PREPARING_REBALANCE) && !group.initialJoin && group.hasAllMembersJoined()) {
            completeJoinPhase(group);
        }
    }

    /** Ends the join phase: drops dynamic members that did not rejoin, starts the next generation, answers every JoinGroup. */
    private void completeJoinPhase(ClassicGroup group) {
        for (GroupMember m : new ArrayList<>(group.members.values())) {
            if (!m.isAwaitingJoin() && !m.isStatic()) {
                log.info("Group {}: removing member {} which did not rejoin in time", group.groupId, m.memberId);
                group.remove(m.memberId);
            }
        }
        if (!group.members.isEmpty() && !group.maybeElectJoinedLeader()) {
            // only absent static members are left: wait for them (or for their sessions to expire)
            int token = ++group.joinTimerToken;
            group.initialJoin = false;
            schedule(Math.max(group.maxRebalanceTimeoutMs(), 1), () -> onJoinTimeout(group, token));
            return;
        }
        group.joinTimerToken++;
        group.generationId++;
        group.pendingSyncMembers.clear();
        if (group.members.isEmpty()) {
            group.protocolName = null;
            group.transitionTo(GroupState.EMPTY, now());
            log.info("Group {} is empty at generation {}", group.groupId, group.generationId);
            append(List.of(GroupRecords.groupRecord(now(), group, Map.of()))).whenComplete((v, e) -> {
                if (e != null) {
                    log.warn(
                            "Group {}: could not store the empty group at generation {}: {}",
                            group.groupId,
                            group.generationId,
                            appendError(e, false));
                }
            });
            return;
        }
        group.protocolName = group.selectProtocol();
        group.transitionTo(GroupState.COMPLETING_REBALANCE, now());
        log.info(
                "Group {}: generation {} with {} members, protocol {}, leader {}",
                group.groupId,
                group.generationId,
                group.members.size(),
                group.protocolName,
                group.leaderId);
        for (GroupMember m : group.members.values()) {
            if (m.isAwaitingJoin()) {
                completeJoin(m, joinResponse(group, m, group.isLeader(m.memberId)));
                m.isNew = false;
                scheduleHeartbeatExpiry(group, m);
            }
        }
        group.pendingSyncMembers.addAll(group.members.keySet());
        int token = ++group.syncTimerToken;
        int generation = group.generationId;
        schedule(group.maxRebalanceTimeoutMs(), () -> onPendingSyncExpired(group, token, generation));
    }

    private void onPendingSyncExpired(ClassicGroup group, int token, int generation) {
        if (groups.get(group.groupId) != group
                || token != group.syncTimerToken
                || generation != group.generationId
                || group.pendingSyncMembers.isEmpty()
                || !(group.is(GroupState.COMPLETING_REBALANCE) || group.is(GroupState.STABLE))) {
            return;
        }
        List<String> missing = new ArrayList<>(group.pendingSyncMembers);
        for (String id : missing) {
            GroupMember m = group.members.get(id);
            if (m != null) {
                completeJoin(m, joinError(id, Errors.UNKNOWN_MEMBER_ID));
                completeSync(m, syncError(Errors.UNKNOWN_MEMBER_ID));
            }
            group.remove(id);
        }
        prepareRebalance(group, "members " + missing + " did not send SyncGroup in time");
    }

    // ================================================================================================== sync

    CompletableFuture<SyncGroupResponseData> syncGroup(SyncRequest r) {
        ClassicGroup group = groups.get(r.groupId());
        if (group == null) {
            return done(syncError(Errors.UNKNOWN_MEMBER_ID));
        }
        if (group.is(GroupState.DEAD)) {
            return done(syncError(Errors.COORDINATOR_NOT_AVAILABLE));
        }
        if (group.isStaticMemberFenced(r.memberId(), r.groupInstanceId())) {
            return done(syncError(Errors.FENCED_INSTANCE_ID));
        }
        GroupMember member = group.members.get(r.memberId());
        if (member == null) {
            return done(syncError(Errors.UNKNOWN_MEMBER_ID));
        }
        if (r.generationId() != group.generationId) {
            return done(syncError(Errors.ILLEGAL_GENERATION));
        }
        if ((r.protocolType() != null && !r.protocolType().equals(group.protocolType))
                || (r.protocolName() != null && !r.protocolName().equals(group.protocolName))) {
            return done(syncError(Errors.INCONSISTENT_GROUP_PROTOCOL));
        }
        switch (group.state) {
            case PREPARING_REBALANCE:
                return done(syncError(Errors.REBALANCE_IN_PROGRESS));
            case COMPLETING_REBALANCE: {
                completeSync(member, syncError(Errors.REBALANCE_IN_PROGRESS));
                CompletableFuture<SyncGroupResponseData> f = new CompletableFuture<>();
                member.awaitingSync = f;
                group.pendingSyncMembers.remove(member.memberId);
                if (group.isLeader(member.memberId)) {
                    Map<String, byte[]> assignments = new HashMap<>();
                    for (String id : group.members.keySet()) {
                        assignments.put(id, r.assignments().getOrDefault(id, new byte[0]));
                    }
                    int generation = group.generationId;
                    append(List.of(GroupRecords.groupRecord(now(), group, assignments)))
                            .whenComplete((v, e) -> {
                                if (groups.get(group.groupId) != group
                                        || !group.is(GroupState.COMPLETING_REBALANCE)
                                        || group.generationId != generation) {
                                    return; // a newer rebalance took over; it answered the waiting members
                                }
                                if (e != null) {
                                    Errors error = appendError(e, false);
                                    log.warn(
                                            "Group {}: could not store generation {}: {}",
                                            group.groupId,
                                            generation,
                                            error);
                                    resetAndPropagateAssignmentError(group, error);
                                    maybePrepareRebalance(group, "storing the assignment failed with " + error);
                                    return;
                                }
                                for (GroupMember m : group.members.values()) {
                                    m.assignment = assignments.getOrDefault(m.memberId, new byte[0]);
                                }
                                propagateAssignment(group, Errors.NONE);
                                group.transitionTo(GroupState.STABLE, now());
                                log.info("Group {}: stable at generation {}", group.groupId, generation);
                            });
                }
                return f;
            }
            case STABLE:
                group.pendingSyncMembers.remove(member.memberId);
                scheduleHeartbeatExpiry(group, member);
                return done(syncResponse(group, member.assignment, Errors.NONE));
            default:
                return done(syncError(Errors.UNKNOWN_MEMBER_ID));
        }
    }

    private void resetAndPropagateAssignmentError(ClassicGroup group, Errors error) {
        for (GroupMember m : group.members.values()) {
            m.assignment = new byte[0];
        }
        propagateAssignment(group, error);
    }

    private void propagateAssignment(ClassicGroup group, Errors error) {
        for (GroupMember m : group.members.values()) {
            if (m.isAwaitingSync()) {
                completeSync(
                        m, error == Errors.NONE ? syncResponse(group, m.assignment, Errors.NONE) : syncError(error));
                // its session may have expired while it waited: start it afresh
                scheduleHeartbeatExpiry(group, m);
            }
        }
    }

    // ============================================================================================= heartbeat

    Errors heartbeat(String groupId, String memberId, String groupInstanceId, int generationId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (group.isStaticMemberFenced(memberId, groupInstanceId)) {
            return Errors.FENCED_INSTANCE_ID;
        }
        GroupMember member = group.members.get(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (generationId != group.generationId) {
            return Errors.ILLEGAL_GENERATION;
        }
        switch (group.state) {
            case EMPTY:
                return Errors.UNKNOWN_MEMBER_ID;
            case PREPARING_REBALANCE:
                scheduleHeartbeatExpiry(group, member);
                return Errors.REBALANCE_IN_PROGRESS;
            default:
                scheduleHeartbeatExpiry(group, member);
                return Errors.NONE;
        }
    }

    private void scheduleHeartbeatExpiry(ClassicGroup group, GroupMember m) {
        long timeout = m.isNew ? NEW_MEMBER_JOIN_TIMEOUT_MS : m.sessionTimeoutMs;
        m.heartbeatDeadlineMs = now() + timeout;
        if (m.heartbeatDeadlineMs < m.expiryTimerAtMs) {
            armExpiry(group, m, m.heartbeatDeadlineMs);
        }
    }

    /** Arms a timer for {@code atMs}; a timer armed earlier for a later time is superseded by it. */
    private void armExpiry(ClassicGroup group, GroupMember m, long atMs) {
        m.expiryTimerAtMs = atMs;
        schedule(atMs - now(), () -> onExpiryTimer(group, m, atMs));
    }

    private void onExpiryTimer(ClassicGroup group, GroupMember m, long armedForMs) {
        if (armedForMs != m.expiryTimerAtMs) {
            return; // superseded
        }
        m.expiryTimerAtMs = Long.MAX_VALUE;
        if (groups.get(group.groupId) != group || group.members.get(m.memberId) != m) {
            return;
        }
        long now = now();
        if (now < m.heartbeatDeadlineMs) {
            armExpiry(group, m, m.heartbeatDeadlineMs);
            return;
        }
        if (!m.isNew && (m.isAwaitingJoin() || m.isAwaitingSync())) {
            // a member waiting in JoinGroup or SyncGroup is alive by definition
            m.heartbeatDeadlineMs = now + m.sessionTimeoutMs;
            armExpiry(group, m, m.heartbeatDeadlineMs);
            return;
        }
        log.info(
                "Group {}: member {} failed (no heartbeat within its session timeout of {} ms); removing it",
                group.groupId,
                m.memberId,
                m.isNew ? NEW_MEMBER_JOIN_TIMEOUT_MS : m.sessionTimeoutMs);
        removeMemberAndUpdateGroup(group, m, "session timeout of member " + m.memberId);
    }

    // ================================================================================================= leave

    /** Null list = the group-level error applies (returned in {@code errorOut[0]}). */
    List<MemberResponse> leaveGroup(String groupId, List<Leaving> leaving, Errors[] errorOut) {
        errorOut[0] = Errors.NONE;
        List<MemberResponse> out = new ArrayList<>();
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            for (Leaving l : leaving) {
                out.add(memberResponse(l, Errors.UNKNOWN_MEMBER_ID));
            }
            return out;
        }
        if (group.is(GroupState.DEAD)) {
            errorOut[0] = Errors.COORDINATOR_NOT_AVAILABLE;
            return out;
        }
        for (Leaving l : leaving) {
            out.add(memberResponse(l, leaveOne(group, l)));
        }
        return out;
    }

    private Errors leaveOne(ClassicGroup group, Leaving l) {
        String memberId = l.memberId() == null ? "" : l.memberId();
        if (l.groupInstanceId() != null) {
            String current = group.staticMembers.get(l.groupInstanceId());
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (!memberId.isEmpty() && !memberId.equals(current)) {
                return Errors.FENCED_INSTANCE_ID;
            }
            removeMemberAndUpdateGroup(
                    group,
                    group.members.get(current),
                    "static member " + l.groupInstanceId() + " left" + (l.reason() == null ? "" : ": " + l.reason()));
            return Errors.NONE;
        }
        if (group.pendingMembers.remove(memberId)) {
            maybeCompleteJoin(group);
            return Errors.NONE;
        }
        GroupMember m = group.members.get(memberId);
        if (m == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        removeMemberAndUpdateGroup(
                group, m, "member " + memberId + " left" + (l.reason() == null ? "" : ": " + l.reason()));
        return Errors.NONE;
    }

    private static MemberResponse memberResponse(Leaving l, Errors e) {
        return new MemberResponse()
                .setMemberId(l.memberId())
                .setGroupInstanceId(l.groupInstanceId())
                .setErrorCode(e.code());
    }

    private void removeMemberAndUpdateGroup(ClassicGroup group, GroupMember m, String reason) {
        completeJoin(m, joinError(m.memberId, Errors.UNKNOWN_MEMBER_ID));
        completeSync(m, syncError(Errors.UNKNOWN_MEMBER_ID));
        group.remove(m.memberId);
        switch (group.state) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(group, reason);
            case PREPARING_REBALANCE -> maybeCompleteJoin(group);
            default -> {}
        }
    }

    // =============================================================================================== offsets

    CompletableFuture<Map<TopicPartition, Errors>> commitOffsets(CommitRequest r) {
        ClassicGroup group = groups.get(r.groupId());
        if (group == null) {
            if (r.generationId() >= 0) {
                return done(allErrors(
                        r.offsets().keySet(),
                        r.version() >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION));
            }
            group = new ClassicGroup(r.groupId(), now()); // a group for standalone (assign()) commits
            groups.put(r.groupId(), group);
        }
        Errors invalid = validateCommit(group, r);
        if (invalid != Errors.NONE) {
            return done(allErrors(r.offsets().keySet(), invalid));
        }
        if (r.memberId() != null && group.has(r.memberId())) {
            scheduleHeartbeatExpiry(group, group.members.get(r.memberId()));
        }
        Map<TopicPartition, Errors> result = new LinkedHashMap<>();
        Map<TopicPartition, CommittedOffset> accepted = new LinkedHashMap<>();
        long now = now();
        List<SimpleRecord> records = new ArrayList<>();
        for (Map.Entry<TopicPartition, CommittedOffset> e : r.offsets().entrySet()) {
            CommittedOffset o = e.getValue();
            if (o.metadata() != null && o.metadata().length() > config.metadataMaxBytes()) {
                result.put(e.getKey(), Errors.OFFSET_METADATA_TOO_LARGE);
                continue;
            }
            CommittedOffset stamped = new CommittedOffset(
                    o.offset(), o.leaderEpoch(), o.metadata(), now, r.retentionMs() > 0 ? now + r.retentionMs() : -1);
            accepted.put(e.getKey(), stamped);
            records.add(GroupRecords.offsetRecord(now, group.groupId, e.getKey(), stamped));
            result.put(e.getKey(), Errors.NONE);
        }
        if (records.isEmpty()) {
            return done(result);
        }
        ClassicGroup g = group;
        return append(records).handle((v, e) -> {
            if (e != null) {
                Errors error = appendError(e, true);
                log.info("Group {}: offset commit failed with {}", g.groupId, error);
                accepted.keySet().forEach(tp -> result.put(tp, error));
            } else if (groups.get(g.groupId) == g && !g.is(GroupState.DEAD)) {
                g.offsets.putAll(accepted);
            }
            return result;
        });
    }

    private Errors validateCommit(ClassicGroup group, CommitRequest r) {
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (r.generationId() < 0 && group.is(GroupState.EMPTY)) {
            return Errors.NONE; // standalone commit
        }
        if (group.isStaticMemberFenced(r.memberId(), r.groupInstanceId())) {
            return Errors.FENCED_INSTANCE_ID;
        }
        if (r.memberId() == null || !group.has(r.memberId())) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (r.generationId() != group.generationId) {
            return Errors.ILLEGAL_GENERATION;
        }
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            // the member has its join answer but not its assignment yet
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }

    private static Map<TopicPartition, Errors> allErrors(Collection<TopicPartition> tps, Errors e) {
        Map<TopicPartition, Errors> out = new LinkedHashMap<>();
        tps.forEach(tp -> out.put(tp, e));
        return out;
    }

    /**
     * The committed offsets of {@code partitions} (null = every partition with one). A partition
     * without one maps to null.
     */
    Map<TopicPartition, CommittedOffset> fetchOffsets(String groupId, List<TopicPartition> partitions) {
        ClassicGroup group = groups.get(groupId);
        Map<TopicPartition, CommittedOffset> out = new LinkedHashMap<>();
        if (partitions == null) {
            if (group != null) {
                group.offsets.entrySet().stream()
                        .sorted((a, b) -> a.getKey().topic().equals(b.getKey().topic())
                                ? Integer.compare(
                                        a.getKey().partition(), b.getKey().partition())
                                : a.getKey().topic().compareTo(b.getKey().topic()))
                        .forEach(e -> out.put(e.getKey(), e.getValue()));
            }
            return out;
        }
        for (TopicPartition p : partitions) {
            out.put(p, group == null ? null : group.offsets.get(p));
        }
        return out;
    }

    CompletableFuture<DeleteOffsetsResult> deleteOffsets(String groupId, List<TopicPartition> partitions) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || group.is(GroupState.DEAD)) {
            return done(new DeleteOffsetsResult(Errors.GROUP_ID_NOT_FOUND, Map.of()));
        }
        boolean active = !group.is(GroupState.EMPTY);
        if (active && !ClassicGroup.CONSUMER_PROTOCOL_TYPE.equals(group.protocolType)) {
            return done(new DeleteOffsetsResult(Errors.NON_EMPTY_GROUP, Map.of()));
        }
        Set<String> subscribed = active ? group.subscribedTopics().orElse(Set.of()) : Set.of();
        Map<TopicPartition, Errors> result = new LinkedHashMap<>();
        List<TopicPartition> deleting = new ArrayList<>();
        List<SimpleRecord> records = new ArrayList<>();
        long now = now();
        for (TopicPartition p : partitions) {
            if (subscribed.contains(p.topic())) {
                result.put(p, Errors.GROUP_SUBSCRIBED_TO_TOPIC);
            } else {
                result.put(p, Errors.NONE);
                if (group.offsets.containsKey(p)) {
                    deleting.add(p);
                    records.add(GroupRecords.offsetTombstone(now, groupId, p));
                }
            }
        }
        if (records.isEmpty()) {
            return done(new DeleteOffsetsResult(Errors.NONE, result));
        }
        return append(records).handle((v, e) -> {
            if (e != null) {
                return new DeleteOffsetsResult(appendError(e, false), Map.of());
            }
            deleting.forEach(group.offsets::remove);
            return new DeleteOffsetsResult(Errors.NONE, result);
        });
    }

    /** Removes offsets past their retention, and empty groups left without offsets. */
    void expireOffsets() {
        long now = now();
        List<SimpleRecord> tombstones = new ArrayList<>();
        int offsetsRemoved = 0;
        List<String> groupsRemoved = new ArrayList<>();
        for (ClassicGroup g : new ArrayList<>(groups.values())) {
            for (TopicPartition p : g.expiredOffsets(now, config.offsetsRetentionMs())) {
                g.offsets.remove(p);
                tombstones.add(GroupRecords.offsetTombstone(now, g.groupId, p));
                offsetsRemoved++;
            }
            if (g.is(GroupState.EMPTY) && g.offsets.isEmpty() && g.pendingMembers.isEmpty()) {
                g.transitionTo(GroupState.DEAD, now);
                groups.remove(g.groupId);
                tombstones.add(GroupRecords.groupTombstone(now, g.groupId));
                groupsRemoved.add(g.groupId);
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

    // ================================================================================================ admin

    CompletableFuture<Errors> deleteGroup(String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || group.is(GroupState.DEAD)) {
            return done(Errors.GROUP_ID_NOT_FOUND);
        }
        if (!group.is(GroupState.EMPTY) || !group.members.isEmpty()) {
            return done(Errors.NON_EMPTY_GROUP);
        }
        long now = now();
        List<SimpleRecord> records = new ArrayList<>();
        group.offsets.keySet().forEach(p -> records.add(GroupRecords.offsetTombstone(now, groupId, p)));
        records.add(GroupRecords.groupTombstone(now, groupId));
        group.transitionTo(GroupState.DEAD, now);
        groups.remove(groupId);
        log.info("Group {}: deleted with {} committed offsets", groupId, group.offsets.size());
        return append(records).handle((v, e) -> e == null ? Errors.NONE : appendError(e, false));
    }

    /** DescribeGroups for one group; null if the group does not exist. */
    DescribedGroup describe(String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            return null;
        }
        boolean stable = group.is(GroupState.STABLE);
        DescribedGroup d = new DescribedGroup()
                .setGroupId(groupId)
                .setErrorCode(Errors.NONE.code())
                .setGroupState(group.state.kafkaName())
                .setProtocolType(group.protocolType == null ? "" : group.protocolType)
                .setProtocolData(stable && group.protocolName != null ? group.protocolName : "");
        for (GroupMember m : group.members.values()) {
            d.members()
                    .add(new DescribedGroupMember()
                            .setMemberId(m.memberId)
                            .setGroupInstanceId(m.groupInstanceId)
                            .setClientId(m.clientId)
                            .setClientHost(m.clientHost)
                            .setMemberMetadata(stable ? m.metadata(group.protocolName) : new byte[0])
                            .setMemberAssignment(stable ? m.assignment : new byte[0]));
        }
        return d;
    }

    List<Listed> list() {
        List<Listed> out = new ArrayList<>();
        groups.values()
                .forEach(g -> out.add(new Listed(g.groupId, g.protocolType == null ? "" : g.protocolType, g.state)));
        return out;
    }

    // =============================================================================================== helpers

    /** Appends records to this partition as its leader and completes (on the executor) once every ISR member has them. */
    private CompletableFuture<Void> append(List<SimpleRecord> records) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            if (status != Status.ACTIVE || !partition.isLeader() || partition.leaderEpoch() != leaderEpoch) {
                throw new NotCoordinatorException("this broker no longer leads " + tp + " at epoch " + leaderEpoch);
            }
            AppendResult result = partition.appendAsLeader(GroupRecords.batch(records), (short) -1);
            partition
                    .awaitAcknowledgement(result.lastOffset() + 1, (short) -1)
                    .orTimeout(config.commitTimeoutMs(), TimeUnit.MILLISECONDS)
                    .whenComplete((v, e) -> executor.execute(() -> {
                        if (e != null) {
                            done.completeExceptionally(e);
                        } else {
                            done.complete(null);
                        }
                    }));
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

    private void schedule(long delayMs, Runnable task) {
        try {
            timer.schedule(
                    () -> executor.execute(() -> {
                        if (status == Status.ACTIVE) {
                            task.run();
                        }
                    }),
                    Math.max(0, delayMs),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("{}: timer rejected a task (shutting down)", tp);
        }
    }

    private static void completeJoin(GroupMember m, JoinGroupResponseData response) {
        CompletableFuture<JoinGroupResponseData> f = m.awaitingJoin;
        if (f != null) {
            m.awaitingJoin = null;
            f.complete(response);
        }
    }

    private static void completeSync(GroupMember m, SyncGroupResponseData response) {
        CompletableFuture<SyncGroupResponseData> f = m.awaitingSync;
        if (f != null) {
            m.awaitingSync = null;
            f.complete(response);
        }
    }

    private static JoinGroupResponseData joinResponse(ClassicGroup g, GroupMember m, boolean withMembers) {
        JoinGroupResponseData r = new JoinGroupResponseData()
                .setErrorCode(Errors.NONE.code())
                .setGenerationId(g.generationId)
                .setProtocolType(g.protocolType)
                .setProtocolName(g.protocolName)
                .setLeader(g.leaderId == null ? "" : g.leaderId)
                .setMemberId(m.memberId);
        if (withMembers) {
            for (GroupMember x : g.members.values()) {
                r.members()
                        .add(new JoinGroupResponseData.JoinGroupResponseMember()
                                .setMemberId(x.memberId)
                                .setGroupInstanceId(x.groupInstanceId)
                                .setMetadata(x.metadata(g.protocolName)));
            }
        }
        return r;
    }

    static JoinGroupResponseData joinError(String memberId, Errors e) {
        return new JoinGroupResponseData()
                .setErrorCode(e.code())
                .setMemberId(memberId == null ? "" : memberId)
                .setGenerationId(-1)
                .setProtocolName(null)
                .setLeader("");
    }

    private static SyncGroupResponseData syncResponse(ClassicGroup g, byte[] assignment, Errors e) {
        return new SyncGroupResponseData()
                .setErrorCode(e.code())
                .setAssignment(assignment)
                .setProtocolType(g.protocolType)
                .setProtocolName(g.protocolName);
    }

    static SyncGroupResponseData syncError(Errors e) {
        return new SyncGroupResponseData().setErrorCode(e.code()).setAssignment(new byte[0]);
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    @Override
    public String toString() {
        return "CoordinatorShard{" + tp + ", epoch " + leaderEpoch + ", " + status + "}";
    }
}
