package io.strand.server.group.assignor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/** Builders of random groups and checks shared by the assignor tests. */
final class AssignorTesting {
    /** Random cases per property test: 200, or the system property {@code cases}. */
    static final int CASES = Integer.getInteger("cases", 200);

    private AssignorTesting() {}

    /** A group's input: its members and the topics that exist. */
    record Group(Map<String, MemberSpec> members, Map<Uuid, TopicInfo> topics) {
        /** This group with every member's current target replaced by {@code target}'s entry for it. */
        Group withTarget(Map<String, Map<Uuid, Set<Integer>>> target) {
            Map<String, MemberSpec> next = new TreeMap<>();
            members.forEach((id, m) -> next.put(
                    id,
                    new MemberSpec(
                            id, m.instanceId(), m.rackId(), m.subscribedTopics(), target.getOrDefault(id, Map.of()))));
            return new Group(next, topics);
        }

        /** This group plus a new member (empty current target) subscribing to {@code topicIds}. */
        Group plus(String memberId, Set<Uuid> topicIds) {
            Map<String, MemberSpec> next = new TreeMap<>(members);
            next.put(memberId, new MemberSpec(memberId, null, null, topicIds, Map.of()));
            return new Group(next, topics);
        }

        /** This group without member {@code memberId}. */
        Group minus(String memberId) {
            Map<String, MemberSpec> next = new TreeMap<>(members);
            next.remove(memberId);
            return new Group(next, topics);
        }

        /** The members' subscriptions to topics that exist. */
        Set<Uuid> subscriptionOf(String memberId) {
            Set<Uuid> ids = new TreeSet<>(members.get(memberId).subscribedTopics());
            ids.retainAll(topics.keySet());
            return ids;
        }
    }

    /** {@code count} topics named t0, t1, ... with 1..maxPartitions partitions each. */
    static Map<Uuid, TopicInfo> randomTopics(Random random, int count, int maxPartitions) {
        Map<Uuid, TopicInfo> topics = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            Uuid id = new Uuid(random.nextLong(), random.nextLong());
            topics.put(id, new TopicInfo(id, "t" + i, 1 + random.nextInt(maxPartitions)));
        }
        return topics;
    }

    /** A non-empty random subset of {@code topics}' ids. */
    static Set<Uuid> randomSubset(Random random, Map<Uuid, TopicInfo> topics) {
        List<Uuid> ids = new ArrayList<>(topics.keySet());
        Set<Uuid> subset = new HashSet<>();
        while (subset.isEmpty()) {
            for (Uuid id : ids) {
                if (random.nextInt(3) == 0) {
                    subset.add(id);
                }
            }
        }
        return subset;
    }

    /**
     * A random group of 1-20 members and 1-10 topics of 1-60 partitions, with no current target.
     * Homogeneous: every member subscribes to the same topics; otherwise each to its own random
     * subset, a few to none.
     */
    static Group randomGroup(Random random, boolean homogeneous) {
        Map<Uuid, TopicInfo> topics = randomTopics(random, 1 + random.nextInt(10), 60);
        int memberCount = 1 + random.nextInt(20);
        Set<Uuid> common = randomSubset(random, topics);
        Map<String, MemberSpec> members = new HashMap<>();
        for (int i = 0; i < memberCount; i++) {
            String id = "m" + Integer.toString(random.nextInt(1_000_000), 36) + "-" + i;
            Set<Uuid> subscription;
            if (homogeneous) {
                subscription = common;
            } else {
                subscription = random.nextInt(10) == 0 ? Set.of() : randomSubset(random, topics);
            }
            members.put(id, new MemberSpec(id, null, null, subscription, Map.of()));
        }
        return new Group(members, topics);
    }

    /** Random current targets: partitions of any topic, some past the topic's end, some claimed twice. */
    static Group withRandomTargets(Random random, Group group) {
        Map<String, Map<Uuid, Set<Integer>>> target = new HashMap<>();
        List<TopicInfo> topics = new ArrayList<>(group.topics().values());
        for (String id : group.members().keySet()) {
            Map<Uuid, Set<Integer>> mine = new HashMap<>();
            int count = random.nextInt(15);
            for (int k = 0; k < count; k++) {
                TopicInfo topic = topics.get(random.nextInt(topics.size()));
                mine.computeIfAbsent(topic.id(), t -> new HashSet<>()).add(random.nextInt(topic.partitions() + 3));
            }
            if (random.nextInt(5) == 0) {
                mine.put(Uuid.randomUuid(), Set.of(0, 1)); // a deleted topic
            }
            target.put(id, mine);
        }
        return group.withTarget(target);
    }

    /**
     * Checks what every assignor guarantees: an entry for every member, no other entries, only
     * non-empty sorted sets of partitions that exist, of topics the member subscribes to.
     */
    static void assertWellFormed(Group group, Map<String, Map<Uuid, Set<Integer>>> result) {
        assertEquals(group.members().keySet(), result.keySet(), "an entry for every member and no other");
        result.forEach((memberId, assignment) -> assignment.forEach((topicId, partitions) -> {
            assertTrue(group.subscriptionOf(memberId).contains(topicId), memberId + " got unsubscribed " + topicId);
            assertTrue(partitions instanceof SortedSet, "sorted set");
            assertTrue(!partitions.isEmpty(), "no empty set");
            int previous = -1;
            for (int p : partitions) {
                assertTrue(p > previous, "ascending");
                assertTrue(p < group.topics().get(topicId).partitions(), "partition exists");
                previous = p;
            }
        }));
    }

    /** For each topic, for each partition, the members given it. */
    static Map<Uuid, Map<Integer, List<String>>> holders(Map<String, Map<Uuid, Set<Integer>>> result) {
        Map<Uuid, Map<Integer, List<String>>> holders = new HashMap<>();
        result.forEach((memberId, assignment) -> assignment.forEach((topicId, partitions) -> {
            for (int p : partitions) {
                holders.computeIfAbsent(topicId, t -> new HashMap<>())
                        .computeIfAbsent(p, q -> new ArrayList<>())
                        .add(memberId);
            }
        }));
        return holders;
    }

    /** Checks that every partition of every subscribed topic has exactly one member, others none. */
    static void assertEachSubscribedPartitionOnce(Group group, Map<String, Map<Uuid, Set<Integer>>> result) {
        Map<Uuid, Map<Integer, List<String>>> holders = holders(result);
        for (TopicInfo topic : group.topics().values()) {
            boolean subscribed = group.members().keySet().stream()
                    .anyMatch(id -> group.subscriptionOf(id).contains(topic.id()));
            Map<Integer, List<String>> byPartition = holders.getOrDefault(topic.id(), Map.of());
            if (!subscribed) {
                assertTrue(byPartition.isEmpty(), "unsubscribed topic " + topic.name() + " unassigned");
                continue;
            }
            for (int p = 0; p < topic.partitions(); p++) {
                assertEquals(
                        1,
                        byPartition.getOrDefault(p, List.of()).size(),
                        topic.name() + "-" + p + " assigned exactly once: " + byPartition.get(p));
            }
        }
    }

    /** The number of partitions each member is given. */
    static Map<String, Integer> loads(Map<String, Map<Uuid, Set<Integer>>> result) {
        Map<String, Integer> loads = new TreeMap<>();
        result.forEach((id, assignment) ->
                loads.put(id, assignment.values().stream().mapToInt(Set::size).sum()));
        return loads;
    }

    /**
     * The members' valid current-target partitions (existing, subscribed) that {@code result} no longer
     * gives them. A partition several current targets name counts only for the first in member id order.
     */
    static int movedAway(Group group, Map<String, Map<Uuid, Set<Integer>>> result) {
        int moved = 0;
        Set<String> claimed = new HashSet<>();
        for (MemberSpec member : new TreeMap<>(group.members()).values()) {
            for (Map.Entry<Uuid, Set<Integer>> e : member.currentTarget().entrySet()) {
                TopicInfo topic = group.topics().get(e.getKey());
                if (topic == null || !group.subscriptionOf(member.memberId()).contains(topic.id())) {
                    continue;
                }
                for (int p : e.getValue()) {
                    if (p < topic.partitions()
                            && claimed.add(topic.id() + "-" + p)
                            && !result.get(member.memberId())
                                    .getOrDefault(topic.id(), Set.of())
                                    .contains(p)) {
                        moved++;
                    }
                }
            }
        }
        return moved;
    }

    /** Checks that {@code previous}'s partitions for {@code memberId} are all still in {@code next}'s. */
    static void assertKeepsAll(
            String memberId, Map<String, Map<Uuid, Set<Integer>>> previous, Map<String, Map<Uuid, Set<Integer>>> next) {
        previous.get(memberId)
                .forEach((topicId, partitions) -> assertTrue(
                        next.get(memberId).getOrDefault(topicId, Set.of()).containsAll(partitions),
                        memberId + " keeps " + partitions + " of " + topicId + ": " + next.get(memberId)));
    }

    /** Checks that {@code next}'s partitions for {@code memberId} all were in {@code previous}'s. */
    static void assertGainsNothing(
            String memberId, Map<String, Map<Uuid, Set<Integer>>> previous, Map<String, Map<Uuid, Set<Integer>>> next) {
        next.get(memberId)
                .forEach((topicId, partitions) -> assertTrue(
                        previous.get(memberId).getOrDefault(topicId, Set.of()).containsAll(partitions),
                        memberId + " gains nothing: had " + previous.get(memberId) + ", has " + next.get(memberId)));
    }

    static TopicInfo topic(String name, int partitions) {
        return new TopicInfo(new Uuid(0, name.hashCode()), name, partitions);
    }

    static Map<Uuid, TopicInfo> topics(TopicInfo... topics) {
        Map<Uuid, TopicInfo> map = new LinkedHashMap<>();
        for (TopicInfo t : topics) {
            map.put(t.id(), t);
        }
        return map;
    }

    static MemberSpec member(String id, TopicInfo... subscribed) {
        Set<Uuid> ids = new HashSet<>();
        for (TopicInfo t : subscribed) {
            ids.add(t.id());
        }
        return new MemberSpec(id, null, null, ids, Map.of());
    }

    static Map<String, MemberSpec> members(MemberSpec... members) {
        Map<String, MemberSpec> map = new LinkedHashMap<>();
        for (MemberSpec m : members) {
            map.put(m.memberId(), m);
        }
        return map;
    }
}
