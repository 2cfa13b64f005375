package io.strand.server.group;

import static io.strand.server.group.ClassicResponses.joinError;
import static io.strand.server.group.ClassicResponses.joinResponse;
import static io.strand.server.group.ClassicResponses.syncError;
import static io.strand.server.group.ClassicResponses.syncResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transitions of the classic rebalance that do not answer one request: entering
 * PreparingRebalance, ending the join phase (by the initial delay, the rebalance timeout or every
 * member having rejoined) and starting the next generation, removing members whose session or
 * SyncGroup deadline passed, and handing the leader's assignment (or an error) to the members
 * waiting in SyncGroup. {@link ClassicGroupManager} answers the requests and calls in here.
 *
 * <p>Timers are armed on the shard ({@link CoordinatorShard#schedule}) and carry a token or the
 * time they were armed for, so that a timer made stale by a newer rebalance does nothing.
 *
 * <p>Threading: called only on the shard's executor, timers included; no locks.
 */
final class ClassicRebalance {
    private static final Logger log = LoggerFactory.getLogger(ClassicRebalance.class);
    /** How long a member that joined during a rebalance may wait for it without heartbeats (Kafka's value). */
    static final int NEW_MEMBER_JOIN_TIMEOUT_MS = 300_000;

    private final CoordinatorShard shard;
    private final Groups groups;
    private final GroupConfig config;

    ClassicRebalance(CoordinatorShard shard) {
        this.shard = shard;
        this.groups = shard.groups;
        this.config = shard.config;
    }

    /** Forgets a member id handed out with MEMBER_ID_REQUIRED unless it joins within {@code timeoutMs}. */
    void schedulePendingMemberExpiry(ClassicGroup group, String memberId, long timeoutMs) {
        shard.schedule(timeoutMs, () -> expirePendingMember(group, memberId));
    }

    private void expirePendingMember(ClassicGroup group, String memberId) {
        if (groups.isCurrent(group) && group.pendingMembers.remove(memberId)) {
            log.debug("Group {}: pending member {} did not join in time", group.groupId, memberId);
            maybeCompleteJoin(group);
        }
    }

    /** Starts a rebalance unless one is preparing already (or the group is dead). */
    void maybePrepareRebalance(ClassicGroup group, String reason) {
        if (group.is(GroupState.STABLE) || group.is(GroupState.COMPLETING_REBALANCE) || group.is(GroupState.EMPTY)) {
            prepareRebalance(group, reason);
        }
    }

    /** Enters PreparingRebalance: the join phase ends when every member rejoined, or on its timer. */
    void prepareRebalance(ClassicGroup group, String reason) {
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
        group.transitionTo(GroupState.PREPARING_REBALANCE, shard.now());
        int token = ++group.joinTimerToken;
        group.initialJoin = initial;
        if (initial) {
            long delay = config.initialRebalanceDelayMs();
            group.newMemberAdded = false;
            group.initialDelayRemainingMs = Math.max(group.maxRebalanceTimeoutMs() - delay, 0);
            shard.schedule(delay, () -> onInitialDelayExpired(group, token));
        } else {
            shard.schedule(group.maxRebalanceTimeoutMs(), () -> onJoinTimeout(group, token));
            // as Kafka's tryCompleteElseWatch: done at once when every member has rejoined already
            // (the last member left: the group is Empty when the LeaveGroup is answered)
            maybeCompleteJoin(group);
        }
    }

    private void onInitialDelayExpired(ClassicGroup group, int token) {
        if (!groups.isCurrent(group) || token != group.joinTimerToken || !group.is(GroupState.PREPARING_REBALANCE)) {
            return;
        }
        if (group.newMemberAdded && group.initialDelayRemainingMs > 0) {
            // more members arrived during the delay: wait a little more for the rest
            group.newMemberAdded = false;
            long delay = Math.min(config.initialRebalanceDelayMs(), group.initialDelayRemainingMs);
            group.initialDelayRemainingMs = Math.max(group.initialDelayRemainingMs - delay, 0);
            shard.schedule(delay, () -> onInitialDelayExpired(group, token));
            return;
        }
        completeJoinPhase(group);
    }

    private void onJoinTimeout(ClassicGroup group, int token) {
        if (groups.isCurrent(group) && token == group.joinTimerToken && group.is(GroupState.PREPARING_REBALANCE)) {
            completeJoinPhase(group);
        }
    }

    /** Ends the join phase early once every known member has rejoined (not during the initial delay). */
    void maybeCompleteJoin(ClassicGroup group) {
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
            shard.schedule(Math.max(group.maxRebalanceTimeoutMs(), 1), () -> onJoinTimeout(group, token));
            return;
        }
        group.joinTimerToken++;
        group.generationId++;
        group.pendingSyncMembers.clear();
        if (group.members.isEmpty()) {
            group.protocolName = null;
            group.transitionTo(GroupState.EMPTY, shard.now());
            log.info("Group {} is empty at generation {}", group.groupId, group.generationId);
            shard.append(List.of(GroupRecords.groupRecord(shard.now(), group, Map.of())))
                    .whenComplete((v, e) -> {
                        if (e != null) {
                            log.warn(
                                    "Group {}: could not store the empty group at generation {}: {}",
                                    group.groupId,
                                    group.generationId,
                                    CoordinatorShard.appendError(e, false));
                        }
                    });
            return;
        }
        group.protocolName = group.selectProtocol();
        group.transitionTo(GroupState.COMPLETING_REBALANCE, shard.now());
        log.info(
                "Group {}: generation {} with {} members, protocol {}, leader {}",
                group.groupId,
                group.generationId,
                group.members.size(),
                group.protocolName,
                group.leaderId);
        for (GroupMember m : group.members.values()) {
            if (m.isAwaitingJoin()) {
                m.completeJoin(joinResponse(group, m, group.isLeader(m.memberId)));
                m.isNew = false;
                scheduleHeartbeatExpiry(group, m);
            }
        }
        group.pendingSyncMembers.addAll(group.members.keySet());
        int token = ++group.syncTimerToken;
        int generation = group.generationId;
        shard.schedule(group.maxRebalanceTimeoutMs(), () -> onPendingSyncExpired(group, token, generation));
    }

    private void onPendingSyncExpired(ClassicGroup group, int token, int generation) {
        if (!groups.isCurrent(group)
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
                m.completeJoin(joinError(id, Errors.UNKNOWN_MEMBER_ID));
                m.completeSync(syncError(Errors.UNKNOWN_MEMBER_ID));
            }
            group.remove(id);
        }
        prepareRebalance(group, "members " + missing + " did not send SyncGroup in time");
    }

    /**
     * The leader's SyncGroup: writes the group with {@code assignments} (member id -> assignment);
     * once every in-sync replica has it, the group is Stable and every waiting SyncGroup gets its
     * member's assignment. A failed write answers them with the error and rebalances again.
     */
    void storeAssignment(ClassicGroup group, Map<String, byte[]> assignments) {
        int generation = group.generationId;
        shard.append(List.of(GroupRecords.groupRecord(shard.now(), group, assignments)))
                .whenComplete((v, e) -> {
                    if (!groups.isCurrent(group)
                            || !group.is(GroupState.COMPLETING_REBALANCE)
                            || group.generationId != generation) {
                        return; // a newer rebalance took over; it answered the waiting members
                    }
                    if (e != null) {
                        Errors error = CoordinatorShard.appendError(e, false);
                        log.warn("Group {}: could not store generation {}: {}", group.groupId, generation, error);
                        resetAndPropagateAssignmentError(group, error);
                        maybePrepareRebalance(group, "storing the assignment failed with " + error);
                        return;
                    }
                    for (GroupMember m : group.members.values()) {
                        m.assignment = assignments.getOrDefault(m.memberId, new byte[0]);
                    }
                    propagateAssignment(group, Errors.NONE);
                    group.transitionTo(GroupState.STABLE, shard.now());
                    log.info("Group {}: stable at generation {}", group.groupId, generation);
                });
    }

    /** Answers every waiting SyncGroup with {@code error} and clears the assignments. */
    void resetAndPropagateAssignmentError(ClassicGroup group, Errors error) {
        for (GroupMember m : group.members.values()) {
            m.assignment = new byte[0];
        }
        propagateAssignment(group, error);
    }

    /** Answers every waiting SyncGroup: with its member's assignment, or with {@code error}. */
    void propagateAssignment(ClassicGroup group, Errors error) {
        for (GroupMember m : group.members.values()) {
            if (m.isAwaitingSync()) {
                m.completeSync(
                        error == Errors.NONE ? syncResponse(group, m.assignment, Errors.NONE) : syncError(error));
                // its session may have expired while it waited: start it afresh
                scheduleHeartbeatExpiry(group, m);
            }
        }
    }

    /** Restarts {@code m}'s session: it is removed unless it heartbeats (or joins, syncs, commits) within its timeout. */
    void scheduleHeartbeatExpiry(ClassicGroup group, GroupMember m) {
        long timeout = m.isNew ? NEW_MEMBER_JOIN_TIMEOUT_MS : m.sessionTimeoutMs;
        m.heartbeatDeadlineMs = shard.now() + timeout;
        if (m.heartbeatDeadlineMs < m.expiryTimerAtMs) {
            armExpiry(group, m, m.heartbeatDeadlineMs);
        }
    }

    /** Arms a timer for {@code atMs}; a timer armed earlier for a later time is superseded by it. */
    private void armExpiry(ClassicGroup group, GroupMember m, long atMs) {
        m.expiryTimerAtMs = atMs;
        shard.schedule(atMs - shard.now(), () -> onExpiryTimer(group, m, atMs));
    }

    private void onExpiryTimer(ClassicGroup group, GroupMember m, long armedForMs) {
        if (armedForMs != m.expiryTimerAtMs) {
            return; // superseded
        }
        m.expiryTimerAtMs = Long.MAX_VALUE;
        if (!groups.isCurrent(group) || group.members.get(m.memberId) != m) {
            return;
        }
        long now = shard.now();
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

    /** Removes a member that left or failed; answers its waiting requests and rebalances the rest. */
    void removeMemberAndUpdateGroup(ClassicGroup group, GroupMember m, String reason) {
        m.completeJoin(joinError(m.memberId, Errors.UNKNOWN_MEMBER_ID));
        m.completeSync(syncError(Errors.UNKNOWN_MEMBER_ID));
        group.remove(m.memberId);
        switch (group.state) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(group, reason);
            case PREPARING_REBALANCE -> maybeCompleteJoin(group);
            default -> {}
        }
    }
}
