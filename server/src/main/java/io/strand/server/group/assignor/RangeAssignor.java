package io.strand.server.group.assignor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * The {@code "range"} assignor, as Kafka's server-side {@code RangeAssignor}: each topic's partitions
 * are split into contiguous ranges over the topic's subscribers in a fixed order, the first
 * {@code partitions % subscribers} of them getting one partition more; with more subscribers than
 * partitions the last subscribers get none of that topic. Every partition goes to exactly one member.
 *
 * <p>Subscribers are ordered static members first, by instance id, then the others, by member id.
 * So topics with the same partition count and the same subscribers give each member the same
 * partition numbers (co-partitioning, for joins), and a static member keeps its ranges across
 * restarts (new member id) as long as the members, their subscriptions and the partition counts stay
 * the same. Like Kafka's, this assignor has no other stickiness: it does not read the current target.
 */
public final class RangeAssignor implements ConsumerGroupAssignor {
    /** This assignor's name: {@value}. */
    public static final String NAME = "range";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Map<Uuid, Set<Integer>>> assign(Map<String, MemberSpec> members, Map<Uuid, TopicInfo> topics) {
        List<String> memberIds = new ArrayList<>(members.keySet());
        memberIds.sort(rangeOrder(members));
        List<TopicInfo> subscribed = AssignorSupport.subscribedTopics(members, topics);
        Map<Uuid, List<Integer>> subscribers = AssignorSupport.subscribers(memberIds, members, subscribed);
        Map<Uuid, int[]> owners = new HashMap<>();
        for (TopicInfo topic : subscribed) {
            List<Integer> topicSubscribers = subscribers.get(topic.id());
            int[] owner = new int[topic.partitions()];
            int quota = owner.length / topicSubscribers.size();
            int extra = owner.length % topicSubscribers.size();
            int next = 0;
            for (int i = 0; i < topicSubscribers.size(); i++) {
                int end = next + quota + (i < extra ? 1 : 0);
                for (int p = next; p < end; p++) {
                    owner[p] = topicSubscribers.get(i);
                }
                next = end;
            }
            owners.put(topic.id(), owner);
        }
        return AssignorSupport.fromOwners(memberIds, owners);
    }

    /** Static members first, by instance id; then the others, by member id (the map key). */
    private static Comparator<String> rangeOrder(Map<String, MemberSpec> members) {
        return (a, b) -> {
            String instanceA = members.get(a).instanceId();
            String instanceB = members.get(b).instanceId();
            if (instanceA != null && instanceB != null) {
                int c = instanceA.compareTo(instanceB);
                return c != 0 ? c : a.compareTo(b);
            } else if (instanceA != null) {
                return -1;
            } else if (instanceB != null) {
                return 1;
            }
            return a.compareTo(b);
        };
    }
}
