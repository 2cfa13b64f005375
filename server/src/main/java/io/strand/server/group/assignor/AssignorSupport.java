package io.strand.server.group.assignor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/** What the assignors share: a fixed order of members and topics, and turning their work into a result. */
final class AssignorSupport {
    private AssignorSupport() {}

    /** The member ids (the keys of {@code members}) sorted, the order every assignor breaks ties by. */
    static List<String> sortedMemberIds(Map<String, MemberSpec> members) {
        List<String> ids = new ArrayList<>(members.keySet());
        Collections.sort(ids);
        return ids;
    }

    /** The topics that exist and at least one member subscribes to, sorted by id. */
    static List<TopicInfo> subscribedTopics(Map<String, MemberSpec> members, Map<Uuid, TopicInfo> topics) {
        Set<Uuid> ids = new HashSet<>();
        for (MemberSpec member : members.values()) {
            for (Uuid id : member.subscribedTopics()) {
                if (topics.containsKey(id)) {
                    ids.add(id);
                }
            }
        }
        List<TopicInfo> list = new ArrayList<>(ids.size());
        for (Uuid id : ids) {
            list.add(topics.get(id));
        }
        list.sort(Comparator.comparing(TopicInfo::id));
        return list;
    }

    /** For each topic of {@code topics}, the indexes into {@code memberIds} of its subscribers, ascending. */
    static Map<Uuid, List<Integer>> subscribers(
            List<String> memberIds, Map<String, MemberSpec> members, List<TopicInfo> topics) {
        Map<Uuid, List<Integer>> byTopic = new HashMap<>();
        for (TopicInfo topic : topics) {
            byTopic.put(topic.id(), new ArrayList<>());
        }
        for (int i = 0; i < memberIds.size(); i++) {
            for (Uuid id : members.get(memberIds.get(i)).subscribedTopics()) {
                List<Integer> list = byTopic.get(id);
                if (list != null) {
                    list.add(i);
                }
            }
        }
        return byTopic;
    }

    /**
     * The result for assignors that give each partition to one member: {@code owners.get(topicId)[p]}
     * is the index into {@code memberIds} of partition p's owner, or -1 for none.
     */
    static Map<String, Map<Uuid, Set<Integer>>> fromOwners(List<String> memberIds, Map<Uuid, int[]> owners) {
        List<Map<Uuid, SortedSet<Integer>>> perMember = emptyPerMember(memberIds.size());
        owners.forEach((topicId, owner) -> {
            for (int p = 0; p < owner.length; p++) {
                if (owner[p] >= 0) {
                    perMember
                            .get(owner[p])
                            .computeIfAbsent(topicId, k -> new TreeSet<>())
                            .add(p);
                }
            }
        });
        return freeze(memberIds, perMember);
    }

    /** One empty, growable assignment per member. */
    static List<Map<Uuid, SortedSet<Integer>>> emptyPerMember(int count) {
        List<Map<Uuid, SortedSet<Integer>>> perMember = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            perMember.add(new TreeMap<>());
        }
        return perMember;
    }

    /**
     * The immutable result: member {@code memberIds.get(i)} gets {@code perMember.get(i)} without its
     * empty sets; the maps iterate in member id and topic id order, the sets in partition order.
     */
    static Map<String, Map<Uuid, Set<Integer>>> freeze(
            List<String> memberIds, List<Map<Uuid, SortedSet<Integer>>> perMember) {
        TreeMap<String, Map<Uuid, Set<Integer>>> result = new TreeMap<>();
        for (int i = 0; i < memberIds.size(); i++) {
            TreeMap<Uuid, Set<Integer>> assignment = new TreeMap<>();
            perMember.get(i).forEach((topicId, partitions) -> {
                if (!partitions.isEmpty()) {
                    assignment.put(topicId, Collections.unmodifiableSortedSet(partitions));
                }
            });
            result.put(memberIds.get(i), Collections.unmodifiableMap(assignment));
        }
        return Collections.unmodifiableMap(result);
    }
}
