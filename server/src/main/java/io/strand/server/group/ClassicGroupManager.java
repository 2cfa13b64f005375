package io.strand.server.group;

import static io.strand.server.group.ClassicResponses.joinError;
import static io.strand.server.group.ClassicResponses.joinResponse;
import static io.strand.server.group.ClassicResponses.syncError;
import static io.strand.server.group.ClassicResponses.syncResponse;

import io.strand.server.group.GroupCoordinator.Leaving;
import io.strand.server.group.proto.GroupMetadataValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership of the classic groups of one shard: JoinGroup, SyncGroup, Heartbeat, LeaveGroup and
 * DescribeGroups, with static members (KIP-345) and member ids handed out first (KIP-394). The
 * transitions that timers drive are in {@link ClassicRebalance}; the group data and its pure rules
 * in {@link ClassicGroup}. It also replays the classic group records ({@code GroupRecordKey.group})
 * while the shard loads, and writes them when a rebalance completes, a group empties or a static
 * member is replaced.
 *
 * <p>JoinGroup and SyncGroup answers that must wait are futures kept on the member
 * ({@link GroupMember#awaitingJoin}, {@link GroupMember#awaitingSync}) and completed by events or
 * timers; nothing blocks.
 *
 * <p>{@link ConsumerGroupManager} sits beside this class (one manager per group type), sharing the
 * shard's {@link Groups}, {@link OffsetManager} and services. A JoinGroup for the id of an empty
 * consumer group converts it to a classic group; the classic APIs for a consumer group with members
 * go to {@link ClassicMembersOfConsumerGroups} (online migration).
 *
 * <p>Threading: called only on the shard's executor; futures it returns complete there too. No locks.
 */
final class ClassicGroupManager implements GroupManager {
    private static final Logger log = LoggerFactory.getLogger(ClassicGroupManager.class);

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

    /** A SyncGroup as the coordinator needs it; {@code assignments} from the leader only. */
    record SyncRequest(
            String groupId,
            int generationId,
            String memberId,
            String groupInstanceId,
            String protocolType,
            String protocolName,
            Map<String, byte[]> assignments) {}

    private final CoordinatorShard shard;
    private final Groups groups;
    private final GroupConfig config;
    private final ClassicRebalance rebalance;
    /** While the shard loads: the newest group record per group id, restored when loading completes. */
    private final Map<String, GroupMetadataValue> loaded = new LinkedHashMap<>();

    ClassicGroupManager(CoordinatorShard shard) {
        this.shard = shard;
        this.groups = shard.groups;
        this.config = shard.config;
        this.rebalance = new ClassicRebalance(shard);
    }

    // ============================================================================================ load / unload

    /** A loaded group record; null = a tombstone (the group was deleted). */
    void replay(String groupId, GroupMetadataValue value) {
        if (value != null) {
            loaded.put(groupId, value);
        } else {
            loaded.remove(groupId);
        }
    }

    /** Restores the loaded groups (Stable with their members, or Empty) and starts their members' sessions. */
    void completeLoad() {
        loaded.forEach((id, v) -> groups.add(GroupRecords.restore(id, v)));
        loaded.clear();
        for (ClassicGroup g : groups.allClassic()) {
            for (GroupMember m : g.members.values()) {
                rebalance.scheduleHeartbeatExpiry(g, m);
            }
        }
    }

    @Override
    public void unload() {
        for (ClassicGroup g : groups.allClassic()) {
            for (GroupMember m : g.members.values()) {
                m.completeJoin(joinError(m.memberId, Errors.NOT_COORDINATOR));
                m.completeSync(syncError(Errors.NOT_COORDINATOR));
            }
            g.transitionTo(GroupState.DEAD, shard.now());
        }
    }

    // ================================================================================ what offsets ask of it

    /**
     * The classic group {@code groupId}, created Empty if there is none: the group of standalone
     * commits (generation -1, as {@code assign()}-mode consumers and admin tools send), as in Kafka.
     */
    ClassicGroup getOrCreate(String groupId) {
        ClassicGroup g = groups.classic(groupId);
        if (g == null) {
            g = new ClassicGroup(groupId, shard.now());
            groups.add(g);
        }
        return g;
    }

    /** A member's accepted OffsetCommit keeps its session alive, as a heartbeat does. */
    void onOffsetCommit(ClassicGroup group, String memberId) {
        if (memberId != null && group.has(memberId)) {
            rebalance.scheduleHeartbeatExpiry(group, group.members.get(memberId));
        }
    }

    /**
     * A consumer group whose last member of the consumer protocol left became {@code g} (online
     * downgrade, {@link GroupConversions}): its members' sessions start, and a rebalance so that they rejoin.
     */
    void adoptConverted(ClassicGroup g, String reason) {
        for (GroupMember m : g.members.values()) {
            rebalance.scheduleHeartbeatExpiry(g, m);
        }
        rebalance.prepareRebalance(g, reason);
    }

    @Override
    public void deleteGroup(Group group, long nowMs, List<SimpleRecord> records) {
        records.add(GroupRecords.groupTombstone(nowMs, group.groupId()));
        ((ClassicGroup) group).transitionTo(GroupState.DEAD, nowMs);
        groups.remove(group.groupId());
    }

    @Override
    public boolean maybeDeleteUnusedGroup(Group group, long nowMs, List<SimpleRecord> records) {
        ClassicGroup g = (ClassicGroup) group;
        if (!g.is(GroupState.EMPTY) || !g.pendingMembers.isEmpty()) {
            return false;
        }
        deleteGroup(g, nowMs, records);
        return true;
    }

    // ================================================================================================== join

    CompletableFuture<JoinGroupResponseData> joinGroup(JoinRequest r) {
        boolean unknownMember = r.memberId().isEmpty();
        Group other = groups.get(r.groupId());
        if (other instanceof ConsumerGroup consumer && !shard.consumerGroups.convertToClassicIfEmpty(consumer)) {
            return shard.consumerGroups.classicMembers.join(consumer, r); // a classic member of a consumer group
        }
        if (other != null && !(other instanceof ClassicGroup) && !(other instanceof ConsumerGroup)) {
            return done(joinError(r.memberId(), Errors.INCONSISTENT_GROUP_PROTOCOL));
        }
        ClassicGroup group = groups.classic(r.groupId());
        boolean created = false;
        if (group == null) {
            if (!unknownMember) {
                return done(joinError(r.memberId(), Errors.UNKNOWN_MEMBER_ID));
            }
            group = new ClassicGroup(r.groupId(), shard.now());
            groups.add(group);
            created = true;
        }
        CompletableFuture<JoinGroupResponseData> out = join(group, r, unknownMember);
        // a group this JoinGroup created and refused is forgotten again (it has no offsets: offsets are
        // only held for groups the shard held already)
        if (created && group.members.isEmpty() && group.pendingMembers.isEmpty() && out.isDone()) {
            JoinGroupResponseData resp = out.getNow(null);
            if (resp != null
                    && resp.errorCode() != Errors.NONE.code()
                    && resp.errorCode() != Errors.MEMBER_ID_REQUIRED.code()) {
                groups.remove(r.groupId());
            }
        }
        if (group.is(GroupState.PREPARING_REBALANCE)) {
            rebalance.maybeCompleteJoin(group);
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
            rebalance.schedulePendingMemberExpiry(group, newMemberId, r.sessionTimeoutMs());
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
                rebalance.scheduleHeartbeatExpiry(group, member);
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
        rebalance.scheduleHeartbeatExpiry(group, m);
        rebalance.maybePrepareRebalance(
                group, "member " + memberId + " joined" + (r.reason() == null ? "" : ": " + r.reason()));
        return f;
    }

    private CompletableFuture<JoinGroupResponseData> updateMemberAndRebalance(
            ClassicGroup group, GroupMember m, JoinRequest r, String reason) {
        m.protocols = List.copyOf(r.protocols());
        m.rebalanceTimeoutMs = r.rebalanceTimeoutMs();
        m.sessionTimeoutMs = r.sessionTimeoutMs();
        m.completeJoin(joinError(m.memberId, Errors.REBALANCE_IN_PROGRESS));
        CompletableFuture<JoinGroupResponseData> f = new CompletableFuture<>();
        m.awaitingJoin = f;
        m.joinVersion = r.version();
        rebalance.maybePrepareRebalance(group, reason);
        return f;
    }

    /** A known static member joined with a new member id (a restarted instance). */
    private CompletableFuture<JoinGroupResponseData> updateStaticMember(
            ClassicGroup group, String oldMemberId, String newMemberId, JoinRequest r) {
        String previousLeader = group.leaderId;
        GroupMember old = group.members.get(oldMemberId);
        old.completeJoin(joinError(oldMemberId, Errors.FENCED_INSTANCE_ID));
        old.completeSync(syncError(Errors.FENCED_INSTANCE_ID));
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
        rebalance.scheduleHeartbeatExpiry(group, m);
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
                    shard.append(List.of(GroupRecords.groupRecord(shard.now(), group, Map.of())))
                            .whenComplete((v, e) -> {
                                if (m.awaitingJoin != f) {
                                    return;
                                }
                                if (e != null) {
                                    Errors error = CoordinatorShard.appendError(e, false);
                                    if (group.members.get(newMemberId) == m) {
                                        GroupMember back = group.replaceStaticMember(
                                                r.groupInstanceId(), newMemberId, oldMemberId);
                                        back.protocols = oldProtocols;
                                        back.rebalanceTimeoutMs = oldRebalanceTimeout;
                                        back.sessionTimeoutMs = oldSessionTimeout;
                                        rebalance.scheduleHeartbeatExpiry(group, back);
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
                    rebalance.prepareRebalance(
                            group, "static member " + r.groupInstanceId() + " rejoined with other protocols");
                }
            }
            case COMPLETING_REBALANCE ->
                // the leader may be assigning to the old member id: assign again
                rebalance.prepareRebalance(
                        group, "static member " + r.groupInstanceId() + " rejoined during a rebalance");
            default -> {
                // PREPARING_REBALANCE: the member now simply waits for the join to complete
            }
        }
        return f;
    }

    // ================================================================================================== sync

    CompletableFuture<SyncGroupResponseData> syncGroup(SyncRequest r) {
        if (groups.get(r.groupId()) instanceof ConsumerGroup consumer) {
            return shard.consumerGroups.classicMembers.sync(consumer, r);
        }
        ClassicGroup group = groups.classic(r.groupId());
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
                member.completeSync(syncError(Errors.REBALANCE_IN_PROGRESS));
                CompletableFuture<SyncGroupResponseData> f = new CompletableFuture<>();
                member.awaitingSync = f;
                group.pendingSyncMembers.remove(member.memberId);
                if (group.isLeader(member.memberId)) {
                    Map<String, byte[]> assignments = new HashMap<>();
                    for (String id : group.members.keySet()) {
                        assignments.put(id, r.assignments().getOrDefault(id, new byte[0]));
                    }
                    rebalance.storeAssignment(group, assignments);
                }
                return f;
            }
            case STABLE:
                group.pendingSyncMembers.remove(member.memberId);
                rebalance.scheduleHeartbeatExpiry(group, member);
                return done(syncResponse(group, member.assignment, Errors.NONE));
            default:
                return done(syncError(Errors.UNKNOWN_MEMBER_ID));
        }
    }

    // ============================================================================================= heartbeat

    /** Heartbeat: NONE, REBALANCE_IN_PROGRESS (rejoin) or why the member is not in the group. */
    Errors heartbeat(String groupId, String memberId, String groupInstanceId, int generationId) {
        if (groups.get(groupId) instanceof ConsumerGroup consumer) {
            return shard.consumerGroups.classicMembers.heartbeat(consumer, memberId, groupInstanceId, generationId);
        }
        ClassicGroup group = groups.classic(groupId);
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
                rebalance.scheduleHeartbeatExpiry(group, member);
                return Errors.REBALANCE_IN_PROGRESS;
            default:
                rebalance.scheduleHeartbeatExpiry(group, member);
                return Errors.NONE;
        }
    }

    // ================================================================================================= leave

    /** LeaveGroup: a group-level error, else an error per leaving member. */
    GroupCoordinator.LeaveResult leaveGroup(String groupId, List<Leaving> leaving) {
        if (groups.get(groupId) instanceof ConsumerGroup consumer) {
            return shard.consumerGroups.classicMembers.leave(consumer, leaving);
        }
        List<MemberResponse> out = new ArrayList<>();
        ClassicGroup group = groups.classic(groupId);
        if (group == null) {
            for (Leaving l : leaving) {
                out.add(memberResponse(l, Errors.UNKNOWN_MEMBER_ID));
            }
            return new GroupCoordinator.LeaveResult(Errors.NONE, out);
        }
        if (group.is(GroupState.DEAD)) {
            return new GroupCoordinator.LeaveResult(Errors.COORDINATOR_NOT_AVAILABLE, out);
        }
        for (Leaving l : leaving) {
            out.add(memberResponse(l, leaveOne(group, l)));
        }
        return new GroupCoordinator.LeaveResult(Errors.NONE, out);
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
            rebalance.removeMemberAndUpdateGroup(
                    group,
                    group.members.get(current),
                    "static member " + l.groupInstanceId() + " left" + (l.reason() == null ? "" : ": " + l.reason()));
            return Errors.NONE;
        }
        if (group.pendingMembers.remove(memberId)) {
            rebalance.maybeCompleteJoin(group);
            return Errors.NONE;
        }
        GroupMember m = group.members.get(memberId);
        if (m == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        rebalance.removeMemberAndUpdateGroup(
                group, m, "member " + memberId + " left" + (l.reason() == null ? "" : ": " + l.reason()));
        return Errors.NONE;
    }

    private static MemberResponse memberResponse(Leaving l, Errors e) {
        return new MemberResponse()
                .setMemberId(l.memberId())
                .setGroupInstanceId(l.groupInstanceId())
                .setErrorCode(e.code());
    }

    // ============================================================================================== describe

    /** DescribeGroups for one group; null if the group does not exist. */
    DescribedGroup describe(String groupId) {
        ClassicGroup group = groups.classic(groupId);
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

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
