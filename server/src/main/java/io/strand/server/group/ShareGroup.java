package io.strand.server.group;

import io.strand.server.group.assignor.TopicInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;

/**
 * A KIP-932 share group's membership: members, the group epoch (bumped when a member joins or leaves
 * or the subscribed topics change) and the epoch of its assignment. Where each member's records come
 * from is {@link io.strand.server.share}'s business, on the partitions' leaders; a share group has no
 * committed offsets in {@code __consumer_offsets} (its start offsets live in {@code __share_group_state}).
 *
 * <p>Not thread-safe: touched only on its shard's executor.
 */
final class ShareGroup implements Group {
    /** The protocol type ListGroups shows for share groups. */
    static final String PROTOCOL_TYPE = "share";

    final String groupId;
    final Map<String, ShareGroupMember> members = new LinkedHashMap<>();
    int groupEpoch;
    int assignmentEpoch;
    Map<String, TopicInfo> subscribedTopics = Map.of();
    /** Every topic the group has subscribed to (sorted): its start offsets there outlive its members. */
    final java.util.SortedSet<String> readTopics = new java.util.TreeSet<>();

    long createdMs;
    private boolean dead;

    ShareGroup(String groupId, long createdMs) {
        this.groupId = groupId;
        this.createdMs = createdMs;
    }

    @Override
    public String groupId() {
        return groupId;
    }

    @Override
    public GroupType type() {
        return GroupType.SHARE;
    }

    @Override
    public boolean isDead() {
        return dead;
    }

    void markDead() {
        dead = true;
    }

    /** Kafka's share-group states: Empty, Stable, Dead. */
    String stateName() {
        return dead ? "Dead" : members.isEmpty() ? "Empty" : "Stable";
    }

    @Override
    public GroupCoordinator.Listed listing() {
        return new GroupCoordinator.Listed(groupId, PROTOCOL_TYPE, stateName(), GroupType.SHARE);
    }

    /** Share groups commit no offsets: OffsetCommit and OffsetDelete are for other groups (as Kafka answers). */
    @Override
    public Errors validateOffsetCommit(String memberId, String groupInstanceId, int generationId) {
        return Errors.GROUP_ID_NOT_FOUND;
    }

    @Override
    public Errors validateOffsetDelete() {
        return Errors.GROUP_ID_NOT_FOUND;
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
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "ShareGroup{" + groupId + ", " + stateName() + ", epoch " + groupEpoch + ", " + members.size()
                + " members}";
    }
}
