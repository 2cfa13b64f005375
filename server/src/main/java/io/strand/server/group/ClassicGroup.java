package io.strand.server.group;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.protocol.Errors;

/**
 * A classic group's state: membership, generation and selected protocol, and the rules about them
 * that need no I/O (including which of its offsets may be committed, deleted or expired; the
 * offsets themselves are held by {@link OffsetManager}). The rebalance (timers, futures, writes) is
 * driven by {@link ClassicGroupManager} and {@link ClassicRebalance}.
 *
 * <p>Not thread-safe: touched only on its shard's executor.
 */
final class ClassicGroup implements Group {
    static final String CONSUMER_PROTOCOL_TYPE = ConsumerProtocol.PROTOCOL_TYPE;

    final String groupId;
    GroupState state = GroupState.EMPTY;
    long stateTimestampMs;
    int generationId;
    /** Null for a group that only ever had standalone commits. */
    String protocolType;

    String protocolName;
    String leaderId;
    final LinkedHashMap<String, GroupMember> members = new LinkedHashMap<>();
    /** group.instance.id -> member id of the static members. */
    final Map<String, String> staticMembers = new HashMap<>();
    /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined with them yet. */
    final Set<String> pendingMembers = new HashSet<>();
    /** Members of the current generation that have not sent SyncGroup yet. */
    final Set<String> pendingSyncMembers = new HashSet<>();

    /** Bumped whenever a join timer becomes stale (a new rebalance, or the join completed). */
    int joinTimerToken;

    boolean initialJoin;
    boolean newMemberAdded;
    long initialDelayRemainingMs;
    int syncTimerToken;

    ClassicGroup(String groupId, long nowMs) {
        this.groupId = groupId;
        this.stateTimestampMs = nowMs;
    }

    @Override
    public String groupId() {
        return groupId;
    }

    @Override
    public GroupType type() {
        return GroupType.CLASSIC;
    }

    @Override
    public boolean isDead() {
        return is(GroupState.DEAD);
    }

    @Override
    public GroupCoordinator.Listed listing() {
        return new GroupCoordinator.Listed(
                groupId, protocolType == null ? "" : protocolType, state.kafkaName(), GroupType.CLASSIC);
    }

    boolean is(GroupState s) {
        return state == s;
    }

    void transitionTo(GroupState s, long nowMs) {
        state = s;
        stateTimestampMs = nowMs;
    }

    boolean has(String memberId) {
        return members.containsKey(memberId);
    }

    boolean isLeader(String memberId) {
        return memberId.equals(leaderId);
    }

    void add(GroupMember m) {
        if (members.isEmpty()) {
            protocolType = m.protocolType;
        }
        members.put(m.memberId, m);
        if (m.isStatic()) {
            staticMembers.put(m.groupInstanceId, m.memberId);
        }
        if (leaderId == null) {
            leaderId = m.memberId;
        }
    }

    void remove(String memberId) {
        GroupMember m = members.remove(memberId);
        if (m != null && m.isStatic() && memberId.equals(staticMembers.get(m.groupInstanceId))) {
            staticMembers.remove(m.groupInstanceId);
        }
        pendingSyncMembers.remove(memberId);
        if (memberId.equals(leaderId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
    }

    /** Replaces a static member's old member id by a new one; returns the new member. */
    GroupMember replaceStaticMember(String instanceId, String oldMemberId, String newMemberId) {
        GroupMember old = members.remove(oldMemberId);
        GroupMember replacement = old.withMemberId(newMemberId);
        members.put(newMemberId, replacement);
        staticMembers.put(instanceId, newMemberId);
        if (oldMemberId.equals(leaderId)) {
            leaderId = newMemberId;
        }
        if (pendingSyncMembers.remove(oldMemberId)) {
            pendingSyncMembers.add(newMemberId);
        }
        return replacement;
    }

    /** A request naming {@code instanceId} with a member id other than the one that instance has now. */
    boolean isStaticMemberFenced(String memberId, String instanceId) {
        if (instanceId == null) {
            return false;
        }
        String current = staticMembers.get(instanceId);
        return current != null && !current.equals(memberId);
    }

    boolean hasAllMembersJoined() {
        return pendingMembers.isEmpty() && members.values().stream().allMatch(GroupMember::isAwaitingJoin);
    }

    /** Makes a member that has rejoined the leader if the current one has not. False if none has rejoined. */
    boolean maybeElectJoinedLeader() {
        GroupMember leader = leaderId == null ? null : members.get(leaderId);
        if (leader != null && leader.isAwaitingJoin()) {
            return true;
        }
        for (GroupMember m : members.values()) {
            if (m.isAwaitingJoin()) {
                leaderId = m.memberId;
                return true;
            }
        }
        return false;
    }

    int maxRebalanceTimeoutMs() {
        return members.values().stream()
                .mapToInt(m -> m.rebalanceTimeoutMs)
                .max()
                .orElse(0);
    }

    /** Protocols every member supports. */
    Set<String> candidateProtocols() {
        Set<String> out = null;
        for (GroupMember m : members.values()) {
            Set<String> names = new HashSet<>();
            m.protocols.forEach(p -> names.add(p.name()));
            if (out == null) {
                out = names;
            } else {
                out.retainAll(names);
            }
        }
        return out == null ? Set.of() : out;
    }

    /**
     * A joining member may enter if its protocol type is the group's and it supports at least one
     * protocol every current member supports (any non-empty list, for an empty group).
     */
    boolean supportsProtocols(String memberProtocolType, List<String> memberProtocols) {
        if (memberProtocolType == null || memberProtocolType.isEmpty() || memberProtocols.isEmpty()) {
            return false;
        }
        if (members.isEmpty()) {
            return true;
        }
        if (!memberProtocolType.equals(protocolType)) {
            return false;
        }
        Set<String> candidates = candidateProtocols();
        return memberProtocols.stream().anyMatch(candidates::contains);
    }

    /**
     * The protocol for the next generation: among those every member supports, the one most members
     * prefer (each votes for the first candidate in its own list); ties go to the earliest-joined
     * member's preference.
     */
    String selectProtocol() {
        Set<String> candidates = candidateProtocols();
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (GroupMember m : members.values()) {
            for (GroupMember.Protocol p : m.protocols) {
                if (candidates.contains(p.name())) {
                    votes.merge(p.name(), 1, Integer::sum);
                    break;
                }
            }
        }
        String best = null;
        int bestVotes = -1;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        if (best == null) {
            throw new IllegalStateException("no protocol supported by every member of group " + groupId);
        }
        return best;
    }

    /**
     * The topics the members of a consumer group subscribe to, if that is known: empty for groups of
     * other protocol types or whose subscriptions cannot be read.
     */
    @Override
    public Optional<Set<String>> subscribedTopics() {
        if (!CONSUMER_PROTOCOL_TYPE.equals(protocolType) || protocolName == null) {
            return Optional.empty();
        }
        Set<String> topics = new HashSet<>();
        for (GroupMember m : members.values()) {
            try {
                topics.addAll(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(m.metadata(protocolName)))
                        .topics());
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
        return Optional.of(topics);
    }

    @Override
    public Optional<OffsetExpiry> offsetExpiry() {
        if (is(GroupState.EMPTY)) {
            // every offset, once the group has been empty and the offset uncommitted for the retention
            boolean standalone = protocolType == null;
            long emptySinceMs = stateTimestampMs;
            return Optional.of(new OffsetExpiry(
                    topic -> true,
                    o -> standalone ? o.commitTimestampMs() : Math.max(o.commitTimestampMs(), emptySinceMs)));
        }
        if (is(GroupState.DEAD)) {
            return Optional.empty();
        }
        // an active consumer group: offsets of topics no member subscribes to; other protocol types: none
        return subscribedTopics()
                .map(subscribed ->
                        new OffsetExpiry(topic -> !subscribed.contains(topic), CommittedOffset::commitTimestampMs));
    }

    @Override
    public Errors validateOffsetCommit(String memberId, String groupInstanceId, int generationId) {
        if (is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (generationId < 0 && is(GroupState.EMPTY)) {
            return Errors.NONE; // standalone commit
        }
        if (isStaticMemberFenced(memberId, groupInstanceId)) {
            return Errors.FENCED_INSTANCE_ID;
        }
        if (memberId == null || !has(memberId)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (generationId != this.generationId) {
            return Errors.ILLEGAL_GENERATION;
        }
        if (is(GroupState.COMPLETING_REBALANCE)) {
            // the member has its join answer but not its assignment yet
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }

    @Override
    public Errors validateOffsetDelete() {
        if (is(GroupState.DEAD)) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (!is(GroupState.EMPTY) && !CONSUMER_PROTOCOL_TYPE.equals(protocolType)) {
            return Errors.NON_EMPTY_GROUP;
        }
        return Errors.NONE;
    }

    @Override
    public Errors validateDeleteGroup() {
        if (is(GroupState.DEAD)) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (!is(GroupState.EMPTY) || !members.isEmpty()) {
            return Errors.NON_EMPTY_GROUP;
        }
        return Errors.NONE;
    }

    @Override
    public String toString() {
        return "ClassicGroup{" + groupId + ", " + state.kafkaName() + ", generation " + generationId + ", "
                + members.size() + " members}";
    }
}
