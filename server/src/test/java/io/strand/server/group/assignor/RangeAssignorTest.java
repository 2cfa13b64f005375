package io.strand.server.group.assignor;

import static io.strand.server.group.assignor.AssignorTesting.CASES;
import static io.strand.server.group.assignor.AssignorTesting.assertEachSubscribedPartitionOnce;
import static io.strand.server.group.assignor.AssignorTesting.assertWellFormed;
import static io.strand.server.group.assignor.AssignorTesting.member;
import static io.strand.server.group.assignor.AssignorTesting.members;
import static io.strand.server.group.assignor.AssignorTesting.topic;
import static io.strand.server.group.assignor.AssignorTesting.topics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.group.assignor.AssignorTesting.Group;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class RangeAssignorTest {
    private final RangeAssignor assignor = new RangeAssignor();

    /**
     * Checks each topic's split: its subscribers, static first by instance id then the rest by member
     * id, get contiguous ranges in that order, sizes differing by at most one, the larger first.
     */
    private static void assertRanges(Group group, Map<String, Map<Uuid, Set<Integer>>> result) {
        for (TopicInfo topic : group.topics().values()) {
            List<MemberSpec> subscribers = new ArrayList<>();
            for (MemberSpec m : group.members().values()) {
                if (group.subscriptionOf(m.memberId()).contains(topic.id())) {
                    subscribers.add(m);
                }
            }
            subscribers.sort((a, b) -> {
                if (a.instanceId() != null && b.instanceId() != null) {
                    return a.instanceId().compareTo(b.instanceId());
                }
                if (a.instanceId() != null || b.instanceId() != null) {
                    return a.instanceId() != null ? -1 : 1;
                }
                return a.memberId().compareTo(b.memberId());
            });
            int next = 0;
            int previousSize = Integer.MAX_VALUE;
            for (MemberSpec m : subscribers) {
                List<Integer> mine = new ArrayList<>(result.get(m.memberId()).getOrDefault(topic.id(), Set.of()));
                for (int k = 0; k < mine.size(); k++) {
                    assertEquals(next + k, mine.get(k), m.memberId() + "'s range of " + topic.name() + ": " + mine);
                }
                next += mine.size();
                assertTrue(mine.size() <= previousSize, "larger ranges first");
                previousSize = mine.size();
                int even = topic.partitions() / subscribers.size();
                assertTrue(mine.size() == even || mine.size() == even + 1, "range sizes differ by at most one");
            }
        }
    }

    @Test
    void homogeneousAndHeterogeneousGroupsGetBalancedContiguousRanges() {
        Random random = new Random(932);
        for (int c = 0; c < CASES; c++) {
            Group group = AssignorTesting.withRandomTargets(random, AssignorTesting.randomGroup(random, c % 2 == 0));
            Map<String, Map<Uuid, Set<Integer>>> result = assignor.assign(group.members(), group.topics());
            assertWellFormed(group, result);
            assertEachSubscribedPartitionOnce(group, result);
            assertRanges(group, result);
        }
    }

    @Test
    void topicsWithTheSameSubscribersAndPartitionCountAreCoPartitioned() {
        Random random = new Random(933);
        int coPartitioned = 0;
        for (int c = 0; c < CASES; c++) {
            Map<Uuid, TopicInfo> topics = new LinkedHashMap<>();
            int partitions = 1 + random.nextInt(60);
            for (int i = 0; i < 2 + random.nextInt(9); i++) {
                Uuid id = new Uuid(random.nextLong(), random.nextLong());
                // Some topics share the partition count, some do not.
                topics.put(id, new TopicInfo(id, "t" + i, random.nextBoolean() ? partitions : 1 + random.nextInt(60)));
            }
            Set<Uuid> common = AssignorTesting.randomSubset(random, topics);
            Map<String, MemberSpec> members = new HashMap<>();
            for (int i = 0; i < 1 + random.nextInt(20); i++) {
                String id = "m" + i;
                // Even cases homogeneous, odd ones each member its own topics.
                Set<Uuid> subscription = c % 2 == 0 ? common : AssignorTesting.randomSubset(random, topics);
                members.put(id, new MemberSpec(id, null, null, subscription, Map.of()));
            }
            Group group = new Group(members, topics);
            Map<String, Map<Uuid, Set<Integer>>> result = assignor.assign(group.members(), group.topics());
            for (TopicInfo a : topics.values()) {
                for (TopicInfo b : topics.values()) {
                    if (a.partitions() != b.partitions()
                            || !subscribers(group, a).equals(subscribers(group, b))) {
                        continue;
                    }
                    if (a != b) {
                        coPartitioned++;
                    }
                    for (String id : subscribers(group, a)) {
                        assertEquals(
                                result.get(id).getOrDefault(a.id(), Set.of()),
                                result.get(id).getOrDefault(b.id(), Set.of()),
                                id + " gets the same partitions of " + a.name() + " and " + b.name());
                    }
                }
            }
        }
        assertTrue(coPartitioned > CASES, "enough co-partitioned pairs checked: " + coPartitioned);
    }

    private static List<String> subscribers(Group group, TopicInfo topic) {
        List<String> ids = new ArrayList<>();
        for (String id : group.members().keySet()) {
            if (group.subscriptionOf(id).contains(topic.id())) {
                ids.add(id);
            }
        }
        Collections.sort(ids);
        return ids;
    }

    @Test
    void kafkasExample() {
        TopicInfo t1 = topic("t1", 3);
        TopicInfo t2 = topic("t2", 3);
        Map<String, Map<Uuid, Set<Integer>>> result =
                assignor.assign(members(member("m1", t1, t2), member("m0", t1, t2)), topics(t1, t2));
        assertEquals(
                Map.of(
                        "m0", Map.of(t1.id(), Set.of(0, 1), t2.id(), Set.of(0, 1)),
                        "m1", Map.of(t1.id(), Set.of(2), t2.id(), Set.of(2))),
                result);
    }

    @Test
    void heterogeneousSplitsEachTopicOverItsOwnSubscribers() {
        TopicInfo t1 = topic("t1", 5);
        TopicInfo t2 = topic("t2", 2);
        Map<String, Map<Uuid, Set<Integer>>> result = assignor.assign(
                members(member("a", t1), member("b", t1, t2), member("c", t2), member("d", t2), member("e")),
                topics(t1, t2));
        assertEquals(
                Map.of(
                        "a", Map.of(t1.id(), Set.of(0, 1, 2)),
                        "b", Map.of(t1.id(), Set.of(3, 4), t2.id(), Set.of(0)),
                        "c", Map.of(t2.id(), Set.of(1)),
                        "d", Map.of(),
                        "e", Map.of()),
                result);
    }

    @Test
    void staticMembersComeFirstByInstanceIdAndKeepTheirRangesUnderNewMemberIds() {
        TopicInfo t = topic("t", 7);
        Set<Uuid> sub = Set.of(t.id());
        Map<String, MemberSpec> before = members(
                new MemberSpec("a", null, null, sub, Map.of()),
                new MemberSpec("z1", "i2", null, sub, Map.of()),
                new MemberSpec("z2", "i1", null, sub, Map.of()));
        Map<String, Map<Uuid, Set<Integer>>> first = assignor.assign(before, topics(t));
        assertEquals(
                Map.of(
                        "z2", Map.of(t.id(), Set.of(0, 1, 2)),
                        "z1", Map.of(t.id(), Set.of(3, 4)),
                        "a", Map.of(t.id(), Set.of(5, 6))),
                first);
        // Both static members restart and come back with new member ids that sort the other way.
        Map<String, MemberSpec> after = members(
                new MemberSpec("a", null, null, sub, Map.of()),
                new MemberSpec("b1", "i1", null, sub, Map.of()),
                new MemberSpec("b2", "i2", null, sub, Map.of()));
        Map<String, Map<Uuid, Set<Integer>>> second = assignor.assign(after, topics(t));
        assertEquals(first.get("z2"), second.get("b1"));
        assertEquals(first.get("z1"), second.get("b2"));
        assertEquals(first.get("a"), second.get("a"));
    }

    @Test
    void emptySubscriptionsAndNoTopicsGiveEmptyAssignments() {
        TopicInfo t = topic("t", 2);
        assertEquals(
                Map.of("a", Map.of(), "b", Map.of()), assignor.assign(members(member("a"), member("b")), topics(t)));
        assertEquals(Map.of("a", Map.of()), assignor.assign(members(member("a", t)), Map.of()));
    }

    @Test
    void deterministicWhateverTheMapOrder() {
        Random random = new Random(934);
        for (int c = 0; c < CASES; c++) {
            Group group = AssignorTesting.randomGroup(random, c % 2 == 0);
            List<String> ids = new ArrayList<>(group.members().keySet());
            Collections.shuffle(ids, random);
            Map<String, MemberSpec> shuffled = new LinkedHashMap<>();
            ids.forEach(id -> shuffled.put(id, group.members().get(id)));
            assertEquals(
                    assignor.assign(new TreeMap<>(group.members()), group.topics()),
                    assignor.assign(shuffled, group.topics()));
        }
    }
}
