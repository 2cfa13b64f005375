package io.strand.server.group;

import io.strand.server.group.GroupCoordinator.Leaving;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic protocol's APIs for members of a KIP-848 consumer group (the online migration; Kafka's
 * {@code classicGroupJoinToConsumerGroup}, {@code classicGroupSyncToConsumerGroup},
 * {@code classicGroupHeartbeatToConsumerGroup}, {@code classicGroupLeaveToConsumerGroup}). Such a
 * member is a {@link ConsumerGroupMember} with {@link ConsumerGroupMember#classic} set, assigned by the
 * group's server-side assignor like every other member; it only talks differently:
 *
 * <ul>
 *   <li>JoinGroup updates its subscription and owned partitions from its ConsumerProtocol subscription,
 *       moves the group epoch if the subscription changed, computes the target and takes a
 *       reconciliation step; it is answered at once with generation = member epoch, protocol type
 *       {@code consumer}, the member's preferred protocol and no leader (the member is a follower);
 *   <li>SyncGroup answers the member's assigned partitions (ConsumerProtocol, topic names);
 *   <li>Heartbeat answers REBALANCE_IN_PROGRESS while the member must rejoin: its epoch is behind the
 *       group's, it has partitions to revoke, or partitions it waited for are free now;
 *   <li>LeaveGroup removes it (the group epoch moves).
 * </ul>
 *
 * <p>Its session is its classic session timeout ({@link ConsumerGroupMember#sessionTimeoutMs}). A member
 * told to rejoin that does not JoinGroup within its rebalance timeout, or answered JoinGroup that does
 * not SyncGroup within it, is removed. Removing a member may downgrade the group
 * ({@link GroupConversions#maybeDowngrade}).
 *
 * <p>Threading: called only on the shard's executor.
 */
final class ClassicMembersOfConsumerGroups {
    private static final Logger log = LoggerFactory.getLogger(ClassicMembersOfConsumerGroups.class);

    private final CoordinatorShard shard;
    private final ConsumerGroupManager consumers;

    ClassicMembersOfConsumerGroups(CoordinatorShard shard, ConsumerGroupManager consumers) {
        this.shard = shard;
        this.consumers = consumers;
    }

    // ================================================================================================== join

    CompletableFuture<JoinGroupResponseData> join(ConsumerGroup g, ClassicGroupManager.JoinRequest r) {
        long now = shard.now();
        List<String> names =
                r.protocols().stream().map(GroupMember.Protocol::name).toList();
        boolean unknown = r.memberId().isEmpty();
        String memberId = unknown ? Uuid.randomUuid().toString() : r.memberId();
        if (!g.supportsClassicProtocols(r.protocolType(), names)) {
            return done(ClassicResponses.joinError(r.memberId(), Errors.INCONSISTENT_GROUP_PROTOCOL));
        }
        if (unknown && r.groupInstanceId() == null && r.version() >= 4) {
            // KIP-394: hand out the member id first; the member joins with it in a second JoinGroup
            return done(ClassicResponses.joinError(memberId, Errors.MEMBER_ID_REQUIRED));
        }
        ConsumerPartitionAssignor.Subscription sub;
        try { // every protocol of a consumer carries the same subscription
            sub = ConsumerProtocol.deserializeSubscription(
                    ByteBuffer.wrap(r.protocols().get(0).metadata()));
        } catch (RuntimeException e) {
            return done(ClassicResponses.joinError(r.memberId(), Errors.INCONSISTENT_GROUP_PROTOCOL));
        }
        List<SimpleRecord> records = new ArrayList<>();
        boolean bump = false;
        ConsumerGroupMember m;
        ConsumerGroupMember replaced = null;
        if (r.groupInstanceId() != null) {
            ConsumerGroupMember holder = g.staticMember(r.groupInstanceId());
            if (!unknown && holder == null) {
                return done(ClassicResponses.joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
            }
            if (!unknown && !holder.memberId.equals(memberId)) {
                return done(ClassicResponses.joinError(memberId, Errors.FENCED_INSTANCE_ID));
            }
            replaced = unknown ? holder : null;
            m = unknown ? null : holder;
        } else {
            m = g.members.get(memberId);
        }
        if (m == null) {
            if (replaced == null && g.members.size() >= shard.config.consumer().maxSize()) {
                return done(ClassicResponses.joinError(memberId, Errors.GROUP_MAX_SIZE_REACHED));
            }
            m = new ConsumerGroupMember(memberId);
            if (replaced != null) { // a restarted static instance takes over its predecessor's partitions
                m.assignment = replaced.assignment;
                m.target = replaced.target;
                m.subscribedTopicNames = replaced.subscribedTopicNames;
                m.serverAssignor = replaced.serverAssignor;
                g.members.remove(replaced.memberId);
                records.add(ConsumerGroupRecords.memberTombstone(now, g.groupId, replaced.memberId));
                log.info(
                        "Group {}: static member {} replaced member {} by {} (classic protocol)",
                        g.groupId,
                        r.groupInstanceId(),
                        replaced.memberId,
                        memberId);
            } else {
                bump = true;
            }
            g.members.put(memberId, m);
        }
        ConsumerGroupMember.Subscription before = m.subscription();
        if (r.groupInstanceId() != null) {
            m.instanceId = r.groupInstanceId();
        }
        m.rackId = sub.rackId().orElse(m.rackId);
        m.rebalanceTimeoutMs = r.rebalanceTimeoutMs();
        m.subscribedTopicNames = List.copyOf(sub.topics());
        m.subscribedTopicRegex = null; // a classic consumer resolves its pattern itself
        m.clientId = r.clientId();
        m.clientHost = r.clientHost();
        m.classic = new ConsumerGroupMember.Classic(r.sessionTimeoutMs(), r.protocols());
        m.sessionTimeoutMs = r.sessionTimeoutMs();
        m.leftStatic = false;
        if (replaced != null
                && !replaced.usesClassicProtocol()
                && consumers.conversions.maybeDowngradeAfterReplacement(
                        g,
                        now,
                        records,
                        "static member " + r.groupInstanceId() + " rejoined with the classic protocol as "
                                + memberId)) {
            // the last member of the consumer protocol was replaced: the member joins the classic group's rebalance
            appendLogged(g, records);
            return shard.classicGroups.joinGroup(new ClassicGroupManager.JoinRequest(
                    r.groupId(),
                    memberId,
                    r.groupInstanceId(),
                    r.protocolType(),
                    r.protocols(),
                    r.sessionTimeoutMs(),
                    r.rebalanceTimeoutMs(),
                    r.clientId(),
                    r.clientHost(),
                    r.version(),
                    r.reason()));
        }
        bump |= !before.equals(m.subscription());
        consumers.updateGroup(g, bump, now, records);
        Map<Uuid, Set<Integer>> owned = GroupConversions.toIds(sub.ownedPartitions(), consumers.topics.topics());
        consumers.reconcile(g, m, owned, now);
        records.add(ConsumerGroupRecords.memberRecord(now, g.groupId, m));
        m.classicJoinDeadlineMs = 0;
        consumers.startSession(g, m, now);
        armSyncDeadline(g, m, now);
        JoinGroupResponseData response = new JoinGroupResponseData()
                .setErrorCode(Errors.NONE.code())
                .setMemberId(m.memberId)
                .setGenerationId(m.memberEpoch())
                .setProtocolType(ConsumerGroup.PROTOCOL_TYPE)
                .setProtocolName(m.classic.preferred().name())
                .setLeader("");
        log.debug("Group {}: classic member {} joined: {}", g.groupId, m.memberId, m);
        String id = m.memberId;
        return shard.append(records)
                .handle((v, e) ->
                        e == null ? response : ClassicResponses.joinError(id, CoordinatorShard.appendError(e, false)));
    }

    // ================================================================================================== sync

    CompletableFuture<SyncGroupResponseData> sync(ConsumerGroup g, ClassicGroupManager.SyncRequest r) {
        ConsumerGroupMember m;
        try {
            m = member(g, r.memberId(), r.groupInstanceId());
        } catch (ErrorOf e) {
            return done(ClassicResponses.syncError(e.error));
        }
        if (r.generationId() != m.memberEpoch()) {
            return done(ClassicResponses.syncError(Errors.ILLEGAL_GENERATION));
        }
        if ((r.protocolType() != null && !ConsumerGroup.PROTOCOL_TYPE.equals(r.protocolType()))
                || (r.protocolName() != null
                        && !r.protocolName().equals(m.classic.preferred().name()))) {
            return done(ClassicResponses.syncError(Errors.INCONSISTENT_GROUP_PROTOCOL));
        }
        long now = shard.now();
        if (g.groupEpoch > m.memberEpoch() && m.assignment.state() != MemberAssignment.State.UNREVOKED_PARTITIONS) {
            armJoinDeadline(g, m, now); // a new rebalance started: the member must rejoin to catch up
            return done(ClassicResponses.syncError(Errors.REBALANCE_IN_PROGRESS));
        }
        m.classicSyncDeadlineMs = 0;
        consumers.startSession(g, m, now);
        byte[] assignment;
        try {
            Map<Uuid, String> names = new HashMap<>();
            g.subscribedTopics.values().forEach(t -> names.put(t.id(), t.name()));
            for (Uuid id : m.assignment.assigned().keySet()) {
                if (!names.containsKey(id)) {
                    consumers.topics.topics().values().forEach(t -> names.put(t.id(), t.name()));
                    break;
                }
            }
            short version = ConsumerProtocol.deserializeVersion(
                    ByteBuffer.wrap(m.classic.preferred().metadata()));
            assignment = Utils.toArray(ConsumerProtocol.serializeAssignment(
                    new ConsumerPartitionAssignor.Assignment(GroupConversions.toNames(m.assignment.assigned(), names)),
                    version));
        } catch (RuntimeException e) {
            log.warn("Group {}: cannot serialize the assignment of member {}: {}", g.groupId, m.memberId, e.toString());
            return done(ClassicResponses.syncError(Errors.INCONSISTENT_GROUP_PROTOCOL));
        }
        return done(new SyncGroupResponseData()
                .setErrorCode(Errors.NONE.code())
                .setProtocolType(r.protocolType())
                .setProtocolName(r.protocolName())
                .setAssignment(assignment));
    }

    // ============================================================================================= heartbeat

    Errors heartbeat(ConsumerGroup g, String memberId, String groupInstanceId, int generationId) {
        ConsumerGroupMember m;
        try {
            m = member(g, memberId, groupInstanceId);
        } catch (ErrorOf e) {
            return e.error;
        }
        if (generationId != m.memberEpoch()) {
            return Errors.ILLEGAL_GENERATION;
        }
        long now = shard.now();
        consumers.startSession(g, m, now);
        if (mustRejoin(g, m)) {
            armJoinDeadline(g, m, now);
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }

    /** Its epoch is behind the group's, it must revoke partitions, or partitions it waited for are free now. */
    static boolean mustRejoin(ConsumerGroup g, ConsumerGroupMember m) {
        MemberAssignment a = m.assignment;
        if (a.memberEpoch() < g.groupEpoch || a.state() == MemberAssignment.State.UNREVOKED_PARTITIONS) {
            return true;
        }
        if (a.state() != MemberAssignment.State.UNRELEASED_PARTITIONS) {
            return false;
        }
        for (Map.Entry<Uuid, Set<Integer>> e : m.target.entrySet()) {
            for (int p : e.getValue()) {
                if (!TopicPartitions.contains(a.assigned(), e.getKey(), p) && g.ownedByAnother(m, e.getKey(), p)) {
                    return false; // still waiting for another member to give it up
                }
            }
        }
        return true;
    }

    // ================================================================================================= leave

    /** LeaveGroup: removes each classic member named (members of the consumer protocol are unknown here). */
    GroupCoordinator.LeaveResult leave(ConsumerGroup g, List<Leaving> leaving) {
        long now = shard.now();
        List<MemberResponse> out = new ArrayList<>();
        List<SimpleRecord> records = new ArrayList<>();
        for (int i = 0; i < leaving.size(); i++) {
            Leaving l = leaving.get(i);
            if (!shard.groups.isCurrent(g)) { // the group became classic: the rest leave it there
                GroupCoordinator.LeaveResult rest =
                        shard.classicGroups.leaveGroup(g.groupId, leaving.subList(i, leaving.size()));
                out.addAll(rest.members());
                break;
            }
            String memberId = l.memberId() == null ? "" : l.memberId();
            Errors error = Errors.NONE;
            try {
                ConsumerGroupMember m = l.groupInstanceId() != null && memberId.isEmpty()
                        ? member(g, staticMemberId(g, l.groupInstanceId()), l.groupInstanceId())
                        : member(g, memberId, l.groupInstanceId());
                consumers.remove(
                        g,
                        m,
                        now,
                        records,
                        "left the group (LeaveGroup" + (l.reason() == null ? "" : ": " + l.reason()) + ")");
                memberId = m.memberId;
            } catch (ErrorOf e) {
                error = e.error;
            }
            out.add(new MemberResponse()
                    .setMemberId(memberId)
                    .setGroupInstanceId(l.groupInstanceId())
                    .setErrorCode(error.code()));
        }
        appendLogged(g, records);
        return new GroupCoordinator.LeaveResult(Errors.NONE, out);
    }

    /** Appends {@code records}, if any, without waiting; a failure is logged. */
    private void appendLogged(ConsumerGroup g, List<SimpleRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        shard.append(records).whenComplete((v, e) -> {
            if (e != null) {
                log.warn(
                        "Group {}: could not write its records: {}", g.groupId, CoordinatorShard.appendError(e, false));
            }
        });
    }

    private static String staticMemberId(ConsumerGroup g, String instanceId) {
        ConsumerGroupMember m = g.staticMember(instanceId);
        return m == null ? "" : m.memberId;
    }

    // ================================================================================================ timers

    /** A member told to rejoin is removed unless it joins within its rebalance timeout (armed once). */
    private void armJoinDeadline(ConsumerGroup g, ConsumerGroupMember m, long now) {
        if (m.classicJoinDeadlineMs != 0) {
            return;
        }
        long deadline = now + Math.max(m.rebalanceTimeoutMs, 1);
        m.classicJoinDeadlineMs = deadline;
        shard.schedule(deadline - now, () -> {
            if (shard.groups.isCurrent(g) && g.members.get(m.memberId) == m && m.classicJoinDeadlineMs == deadline) {
                m.classicJoinDeadlineMs = 0;
                consumers.expire(g, m, shard.now(), "did not rejoin within its rebalance timeout");
            }
        });
    }

    /** A member answered JoinGroup is removed unless it sends SyncGroup within its rebalance timeout. */
    private void armSyncDeadline(ConsumerGroup g, ConsumerGroupMember m, long now) {
        long deadline = now + Math.max(m.rebalanceTimeoutMs, 1);
        m.classicSyncDeadlineMs = deadline;
        shard.schedule(deadline - now, () -> {
            if (shard.groups.isCurrent(g) && g.members.get(m.memberId) == m && m.classicSyncDeadlineMs == deadline) {
                m.classicSyncDeadlineMs = 0;
                consumers.expire(g, m, shard.now(), "did not send SyncGroup within its rebalance timeout");
            }
        });
    }

    // ================================================================================================ helpers

    /** Why a request names no classic member of the group. */
    private static final class ErrorOf extends Exception {
        final Errors error;

        ErrorOf(Errors error) {
            super(error.name(), null, false, false);
            this.error = error;
        }
    }

    /** The classic member a request names (by member id, and instance id for a static member). */
    private static ConsumerGroupMember member(ConsumerGroup g, String memberId, String instanceId) throws ErrorOf {
        ConsumerGroupMember m;
        if (instanceId == null) {
            m = g.members.get(memberId);
        } else {
            m = g.staticMember(instanceId);
            if (m != null && !m.memberId.equals(memberId)) {
                throw new ErrorOf(Errors.FENCED_INSTANCE_ID);
            }
        }
        if (m == null || !m.usesClassicProtocol()) {
            throw new ErrorOf(Errors.UNKNOWN_MEMBER_ID);
        }
        return m;
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
