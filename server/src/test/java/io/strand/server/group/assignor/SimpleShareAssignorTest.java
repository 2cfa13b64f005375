package io.strand.server.group.assignor;

import static io.strand.server.group.assignor.AssignorTesting.CASES;
import static io.strand.server.group.assignor.AssignorTesting.assertGainsNothing;
import static io.strand.server.group.assignor.AssignorTesting.assertWellFormed;
import static io.strand.server.group.assignor.AssignorTesting.holders;
import static io.strand.server.group.assignor.AssignorTesting.loads;
import static io.strand.server.group.assignor.AssignorTesting.member;
import static io.strand.server.group.assignor.AssignorTesting.members;
import static io.strand.server.group.assignor.AssignorTesting.movedAway;
import static io.strand.server.group.assignor.AssignorTesting.topic;
import static io.strand.server.group.assignor.AssignorTesting.topics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.group.assignor.AssignorTesting.Group;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class SimpleShareAssignorTest {
    private final SimpleShareAssignor assignor = new SimpleShareAssignor();

    /**
     * Checks the share guarantees over {@code memberIds} and {@code topicIds} (a homogeneous group's
     * subscribers and topics, or one topic and its subscribers): every partition has between 1 and
     * ceil(members / partitions) members, exactly 1 when partitions are at least as many as members;
     * every member has at least one partition and the members' counts differ by at most one.
     */
    private static void assertShared(
            Group group, Map<String, Map<Uuid, Set<Integer>>> result, List<String> memberIds, Set<Uuid> topicIds) {
        int partitions = 0;
        for (Uuid id : topicIds) {
            partitions += group.topics().get(id).partitions();
        }
        int sharing = (memberIds.size() + partitions - 1) / partitions;
        Map<Uuid, Map<Integer, List<String>>> holders = holders(result);
        for (Uuid id : topicIds) {
            TopicInfo topic = group.topics().get(id);
            for (int p = 0; p < topic.partitions(); p++) {
                int count = holders.getOrDefault(id, Map.of())
                        .getOrDefault(p, List.of())
                        .size();
                assertTrue(count >= 1, topic.name() + "-" + p + " assigned");
                assertTrue(count <= sharing, topic.name() + "-" + p + " shared by at most " + sharing);
            }
        }
        List<Integer> counts = new ArrayList<>();
        for (String id : memberIds) {
            counts.add(result.get(id).entrySet().stream()
                    .filter(e -> topicIds.contains(e.getKey()))
                    .mapToInt(e -> e.getValue().size())
                    .sum());
        }
        assertTrue(Collections.min(counts) >= 1, "every member gets a partition: " + counts);
        assertTrue(Collections.max(counts) - Collections.min(counts) <= 1, "balanced: " + counts);
    }

    private static void assertShareGuarantees(Group group, Map<String, Map<Uuid, Set<Integer>>> result) {
        assertWellFormed(group, result);
        List<String> subscribing = new ArrayList<>();
        Set<Set<Uuid>> subscriptions = new java.util.HashSet<>();
        for (String id : group.members().keySet()) {
            if (!group.subscriptionOf(id).isEmpty()) {
                subscribing.add(id);
                subscriptions.add(group.subscriptionOf(id));
            } else {
                assertEquals(Map.of(), result.get(id));
            }
        }
        if (subscriptions.size() == 1) {
            assertShared(group, result, subscribing, subscriptions.iterator().next());
        } else {
            for (TopicInfo topic : group.topics().values()) {
                List<String> subscribers = new ArrayList<>();
                for (String id : subscribing) {
                    if (group.subscriptionOf(id).contains(topic.id())) {
                        subscribers.add(id);
                    }
                }
                if (!subscribers.isEmpty()) {
                    assertShared(group, result, subscribers, Set.of(topic.id()));
                }
            }
        }
    }

    @Test
    void homogeneousGroupsShareOnlyWhenMembersOutnumberPartitions() {
        Random random = new Random(4321);
        for (int c = 0; c < CASES; c++) {
            Group group = AssignorTesting.randomGroup(random, true);
            assertShareGuarantees(group, assignor.assign(group.members(), group.topics()));
        }
    }

    @Test
    void heterogeneousGroupsBalanceEachTopicOverItsSubscribers() {
        Random random = new Random(4322);
        for (int c = 0; c < CASES; c++) {
            Group group = AssignorTesting.randomGroup(random, false);
            assertShareGuarantees(group, assignor.assign(group.members(), group.topics()));
        }
    }

    @Test
    void manyMembersOnFewPartitions() {
        Random random = new Random(4323);
        for (int c = 0; c < CASES; c++) {
            Map<Uuid, TopicInfo> topics = AssignorTesting.randomTopics(random, 1 + random.nextInt(3), 4);
            Map<String, MemberSpec> members = new LinkedHashMap<>();
            boolean homogeneous = c % 2 == 0;
            Set<Uuid> common = AssignorTesting.randomSubset(random, topics);
            for (int i = 0; i < 1 + random.nextInt(20); i++) {
                Set<Uuid> subscription = homogeneous ? common : AssignorTesting.randomSubset(random, topics);
                members.put("m" + i, new MemberSpec("m" + i, null, null, subscription, Map.of()));
            }
            Group group = new Group(members, topics);
            assertShareGuarantees(group, assignor.assign(group.members(), group.topics()));
        }
    }

    @Test
    void arbitraryCurrentTargetsStillGiveTheGuarantees() {
        Random random = new Random(4324);
        for (int c = 0; c < CASES; c++) {
            Group group = AssignorTesting.withRandomTargets(random, AssignorTesting.randomGroup(random, c % 2 == 0));
            assertShareGuarantees(group, assignor.assign(group.members(), group.topics()));
        }
    }

    @Test
    void changesFromABalancedTargetKeepTheGuarantees() {
        Random random = new Random(4325);
        for (int c = 0; c < CASES; c++) {
            Group group = AssignorTesting.randomGroup(random, c % 2 == 0);
            Map<String, Map<Uuid, Set<Integer>>> first = assignor.assign(group.members(), group.topics());
            Group changed = group.withTarget(first);
            List<String> ids = new ArrayList<>(changed.members().keySet());
            for (int k = random.nextInt(4); k > 0 && ids.size() > 1; k--) {
                changed = changed.minus(ids.remove(random.nextInt(ids.size())));
            }
            for (int k = random.nextInt(6); k > 0; k--) {
                changed = changed.plus("new-" + k, AssignorTesting.randomSubset(random, group.topics()));
            }
            assertShareGuarantees(changed, assignor.assign(changed.members(), changed.topics()));
        }
    }

    @Test
    void aBalancedTargetIsKeptAsItIs() {
        Random random = new Random(4326);
        for (int c = 0; c < CASES; c++) {
            Group group = AssignorTesting.randomGroup(random, c % 2 == 0);
            Map<String, Map<Uuid, Set<Integer>>> first = assignor.assign(group.members(), group.topics());
            Group again = group.withTarget(first);
            assertEquals(first, assignor.assign(again.members(), again.topics()));
        }
    }

    @Test
    void addingAMemberTakesOnlyItsShareFromTheOthers() {
        Random random = new Random(4327);
        int checked = 0;
        for (int c = 0; c < CASES; c++) {
            Group group = AssignorTesting.randomGroup(random, true);
            Map<String, Map<Uuid, Set<Integer>>> before = assignor.assign(group.members(), group.topics());
            int partitions = 0;
            String any = group.members().keySet().iterator().next();
            for (Uuid id : group.subscriptionOf(any)) {
                partitions += group.topics().get(id).partitions();
            }
            if (partitions <= group.members().size()) {
                continue; // sharing changes the picture: not this test's case
            }
            checked++;
            Group grown = group.withTarget(before).plus("a-new-member", group.subscriptionOf(any));
            Map<String, Map<Uuid, Set<Integer>>> after = assignor.assign(grown.members(), grown.topics());
            assertShareGuarantees(grown, after);
            for (String old : group.members().keySet()) {
                assertGainsNothing(old, before, after);
            }
            // The new member's id sorts first: its share is still the smaller one, taken from the others.
            assertEquals(partitions / grown.members().size(), loads(after).get("a-new-member"));
            assertEquals(partitions / grown.members().size(), movedAway(grown, after));
        }
        assertTrue(checked > CASES / 2, "enough cases checked: " + checked);
    }

    @Test
    void threeMembersOnOnePartitionAllGetIt() {
        TopicInfo t = topic("t", 1);
        Map<String, Map<Uuid, Set<Integer>>> result =
                assignor.assign(members(member("a", t), member("b", t), member("c", t)), topics(t));
        Map<Uuid, Set<Integer>> zero = Map.of(t.id(), Set.of(0));
        assertEquals(Map.of("a", zero, "b", zero, "c", zero), result);
    }

    @Test
    void fiveMembersOnTwoPartitions() {
        // Each partition wants ceil(5 / 2) = 3 members; the 6 assignments make one member's 2.
        TopicInfo t = topic("t", 2);
        Map<String, Map<Uuid, Set<Integer>>> result = assignor.assign(
                members(member("a", t), member("b", t), member("c", t), member("d", t), member("e", t)), topics(t));
        assertEquals(Map.of("a", 2, "b", 1, "c", 1, "d", 1, "e", 1), loads(result));
        Map<Uuid, Map<Integer, List<String>>> holders = holders(result);
        assertEquals(3, holders.get(t.id()).get(0).size());
        assertEquals(3, holders.get(t.id()).get(1).size());
    }

    @Test
    void heterogeneousSubscribersOfATopicShareIt() {
        // t1 has 1 partition and three subscribers (a, b, c); t2 has 4 partitions and one (c).
        TopicInfo t1 = topic("t1", 1);
        TopicInfo t2 = topic("t2", 4);
        Map<String, Map<Uuid, Set<Integer>>> result = assignor.assign(
                members(member("a", t1), member("b", t1), member("c", t1, t2), member("d")), topics(t1, t2));
        assertEquals(
                Map.of(
                        "a", Map.of(t1.id(), Set.of(0)),
                        "b", Map.of(t1.id(), Set.of(0)),
                        "c", Map.of(t1.id(), Set.of(0), t2.id(), Set.of(0, 1, 2, 3)),
                        "d", Map.of()),
                result);
    }

    @Test
    void noTopicsGiveEmptyAssignments() {
        TopicInfo t = topic("t", 1);
        assertEquals(Map.of("a", Map.of()), assignor.assign(members(member("a", t)), Map.of()));
        assertEquals(Map.of("a", Map.of()), assignor.assign(members(member("a")), topics(t)));
    }

    @Test
    void deterministicWhateverTheMapOrder() {
        Random random = new Random(4328);
        for (int c = 0; c < CASES; c++) {
            Group group = AssignorTesting.withRandomTargets(random, AssignorTesting.randomGroup(random, c % 2 == 0));
            List<String> ids = new ArrayList<>(group.members().keySet());
            Collections.shuffle(ids, random);
            Map<String, MemberSpec> shuffled = new LinkedHashMap<>();
            ids.forEach(id -> shuffled.put(id, group.members().get(id)));
            assertEquals(assignor.assign(group.members(), group.topics()), assignor.assign(shuffled, group.topics()));
        }
    }
}
