package io.strand.server.group;

import io.strand.server.group.assignor.TopicInfo;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * A KIP-848 consumer group: its members, the group epoch (bumped whenever membership, a subscription
 * or a subscribed topic's partitions change), the epoch of its target assignment, and the subscribed
 * topics that target was computed from. Membership is {@link ConsumerGroupManager}'s business; this
 * class holds the data and the rules that need nothing else: the group's state as Kafka names it, who
 * owns a partition, and whether offsets may be committed, deleted or expired.
 *
 * <p>Not thread-safe: touched only on its shard's executor.
 */
final class ConsumerGroup implements Group {
    /** The protocol type ListGroups shows for consumer groups. */
    static final String PROTOCOL_TYPE = "consumer";

    /** Kafka's consumer-group states, with their ListGroups/ConsumerGroupDescribe names. */
    enum State {
        EMPTY("Empty"),
        ASSIGNING("Assigning"),
        RECONCILING("Reconciling"),
        STABLE("Stable"),
        DEAD("Dead");

        final String kafkaName;

        State(String kafkaName) {
            this.kafkaName = kafkaName;
        }
    }

    final String groupId;
    final Map<String, ConsumerGroupMember> members = new LinkedHashMap<>();
    int groupEpoch;
    int assignmentEpoch;
    /** Topic name -> the topic as the last target assignment saw it. */
    Map<String, TopicInfo> subscribedTopics = Map.of();
    /** The assignor of the last target assignment. */
    String assignorName;

    long createdMs;
    private boolean dead;

    ConsumerGroup(String groupId, long createdMs) {
        this.groupId = groupId;
        this.createdMs = createdMs;
    }

    @Override
    public String groupId() {
        return groupId;
    }

    @Override
    public GroupType type() {
        return GroupType.CONSUMER;
    }

    @Override
    public boolean isDead() {
        return dead;
    }

    void markDead() {
        dead = true;
    }

    State state() {
        if (dead) {
            return State.DEAD;
        }
        if (members.isEmpty()) {
            return State.EMPTY;
        }
        if (assignmentEpoch < groupEpoch) {
            return State.ASSIGNING;
        }
        for (ConsumerGroupMember m : members.values()) {
            if (m.assignment.memberEpoch() != assignmentEpoch
                    || m.assignment.state() != MemberAssignment.State.STABLE) {
                return State.RECONCILING;
            }
        }
        return State.STABLE;
    }

    @Override
    public GroupCoordinator.Listed listing() {
        return new GroupCoordinator.Listed(groupId, PROTOCOL_TYPE, state().kafkaName, GroupType.CONSUMER);
    }

    /** The member with static instance id {@code instanceId}, or null. */
    ConsumerGroupMember staticMember(String instanceId) {
        if (instanceId == null) {
            return null;
        }
        for (ConsumerGroupMember m : members.values()) {
            if (instanceId.equals(m.instanceId)) {
                return m;
            }
        }
        return null;
    }

    /**
     * A classic JoinGroup may enter if it is of the consumer protocol type and supports a protocol
     * every classic member supports (any, while there is none).
     */
    boolean supportsClassicProtocols(String protocolType, List<String> names) {
        if (!PROTOCOL_TYPE.equals(protocolType) || names.isEmpty()) {
            return false;
        }
        Set<String> common = null;
        for (ConsumerGroupMember m : members.values()) {
            if (m.usesClassicProtocol()) {
                Set<String> its = new HashSet<>();
                m.classic.protocols().forEach(p -> its.add(p.name()));
                if (common == null) {
                    common = its;
                } else {
                    common.retainAll(its);
                }
            }
        }
        return common == null || names.stream().anyMatch(common::contains);
    }

    /** True if every member but {@code except} (null: every member) speaks the classic protocol. */
    boolean allUseClassicProtocolExcept(String except) {
        for (ConsumerGroupMember m : members.values()) {
            if (!m.memberId.equals(except) && !m.usesClassicProtocol()) { // except may be null: none
                return false;
            }
        }
        return true;
    }

    /** True if a member other than {@code except} owns or is revoking partition {@code p} of {@code topic}. */
    boolean ownedByAnother(ConsumerGroupMember except, Uuid topic, int p) {
        for (ConsumerGroupMember m : members.values()) {
            if (m != except && m.owns(topic, p)) {
                return true;
            }
        }
        return false;
    }

    /** The topic named {@code id} among the subscribed topics, or null. */
    TopicInfo subscribedTopic(Uuid id) {
        for (TopicInfo t : subscribedTopics.values()) {
            if (t.id().equals(id)) {
                return t;
            }
        }
        return null;
    }

    // ================================================================================ the offset rules

    @Override
    public Errors validateOffsetCommit(String memberId, String groupInstanceId, int generationId) {
        if (dead) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (generationId < 0 && members.isEmpty()) {
            return Errors.NONE; // an admin client's or assign()-mode consumer's commit to an empty group
        }
        ConsumerGroupMember m = memberId == null ? null : members.get(memberId);
        if (m == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (generationId == m.memberEpoch()) {
            return Errors.NONE;
        }
        // a member of the classic protocol commits with its generation, and expects the classic error
        return m.usesClassicProtocol() ? Errors.ILLEGAL_GENERATION : Errors.STALE_MEMBER_EPOCH;
    }

    /** OffsetFetch with a member (v9+): NONE if the member may read the group's offsets. */
    Errors validateOffsetFetch(String memberId, int memberEpoch) {
        if (memberEpoch < 0) {
            return Errors.NONE; // no member given: an admin fetch
        }
        ConsumerGroupMember m = members.get(memberId);
        if (m == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return memberEpoch == m.memberEpoch() ? Errors.NONE : Errors.STALE_MEMBER_EPOCH;
    }

    @Override
    public Errors validateOffsetDelete() {
        return dead ? Errors.GROUP_ID_NOT_FOUND : Errors.NONE;
    }

    @Override
    public Errors validateDeleteGroup() {
        if (dead) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        return members.isEmpty() ? Errors.NONE : Errors.NON_EMPTY_GROUP;
    }

    @Override
    public Optional<Set<String>> subscribedTopics() {
        return Optional.of(Set.copyOf(subscribedTopics.keySet()));
    }

    @Override
    public Optional<OffsetExpiry> offsetExpiry() {
        if (dead) {
            return Optional.empty();
        }
        Set<String> subscribed = Set.copyOf(subscribedTopics.keySet());
        // as Kafka: offsets of topics nobody subscribes to expire from their commit (all of them once empty)
        return Optional.of(new OffsetExpiry(
                topic -> members.isEmpty() || !subscribed.contains(topic), CommittedOffset::commitTimestampMs));
    }

    @Override
    public String toString() {
        return "ConsumerGroup{" + groupId + ", " + state().kafkaName + ", epoch " + groupEpoch + "/" + assignmentEpoch
                + ", " + members.size() + " members}";
    }
}
