package io.strand.server.group.assignor;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * One member as the assignor sees it: its id, its static instance id and rack (null if none), the
 * ids of the topics it subscribes to (only topics that exist are given; an id missing from the
 * topics map is ignored), and the partitions the group's current target assignment gives it (empty
 * for a new member), which the assignors use for stickiness.
 *
 * <p>Immutable: the constructor copies the sets and the map; a null set or map is taken as empty.
 */
public record MemberSpec(
        String memberId,
        String instanceId,
        String rackId,
        Set<Uuid> subscribedTopics,
        Map<Uuid, Set<Integer>> currentTarget) {
    public MemberSpec {
        Objects.requireNonNull(memberId, "memberId");
        subscribedTopics = subscribedTopics == null ? Set.of() : Set.copyOf(subscribedTopics);
        if (currentTarget == null || currentTarget.isEmpty()) {
            currentTarget = Map.of();
        } else {
            Map<Uuid, Set<Integer>> copy = new HashMap<>(currentTarget.size() * 2);
            currentTarget.forEach((topicId, partitions) -> {
                if (partitions != null && !partitions.isEmpty()) {
                    copy.put(topicId, Set.copyOf(partitions));
                }
            });
            currentTarget = Map.copyOf(copy);
        }
    }
}
