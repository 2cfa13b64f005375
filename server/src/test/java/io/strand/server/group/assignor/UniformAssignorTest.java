package io.strand.server.group.assignor;

import static io.strand.server.group.assignor.AssignorTesting.CASES;
import static io.strand.server.group.assignor.AssignorTesting.assertEachSubscribedPartitionOnce;
import static io.strand.server.group.assignor.AssignorTesting.assertGainsNothing;
import static io.strand.server.group.assignor.AssignorTesting.assertKeepsAll;
import static io.strand.server.group.assignor.AssignorTesting.assertWellFormed;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class UniformAssignorTest {
    private final UniformAssignor assignor = new UniformAssignor();

    /** Checks balance: no partition could go to a subscriber of its topic holding two fewer. */
    private static void assertBalanced(Group group, Map<String, Map<Uuid, Set<Integer>>> result) {
        Map<String, Integer> loads = loads(result);
        result.forEach((owner, assignment) -> assignment.keySet().forEach(topicId -> {
            for (String other : group.members().keySet()) {
                if (group.subscriptionOf(other).contains(topicId)) {
                    assertTrue(
                            loads.get(owner) - loads.get(other) <= 1,
                            owner + " (" + loads.get(owner) + ") could give a partition to " + other + " ("
                                    + loads.get(other) + ")");
                }
            }
        }));
    }

    /** Checks that the subscribing members' partition counts differ by at most one. */
    private static void assertEven(Group group, Map<String, Map<Uuid, Set<Integer>>> result) {
        Map<String, Integer> loads = loads(result);
        loads.keySet().removeIf(id -> group.subscriptionOf(id).isEmpty());
        int max = Collections.max(loads.values());
        int min = Collections.min(loads.values());
        assertTrue(max - min <= 1, "counts differ by at most one: " + loads);
    }

    /**
     * The fewest valid current partitions any balanced homogeneous assignment must move: the
     * one-more quotas go to the members keeping the most.
     */
    private static int fewestMoves(Group group) {
        int partitions = 0;
        String any = group.members().keySet().iterator().next();
        for (Uuid id : group.subscriptionOf(any)) {
            partitions += group.topics().get(id).partitions();
        }
        List<Integer> kept = new ArrayList<>();
        Map<Uuid, Map<Integer, Boolean>> claimed = new HashMap<>();
        List<String> ids = new ArrayList<>(group.members().keySet());
        Collections.sort(ids);
        for (String id : ids) {
            int count = 0;
            for (Map.Entry<Uuid, Set<Integer>> e :
                    group.members().get(id).currentTarget().entrySet()) {
                TopicInfo topic = group.topics().get(e.getKey());
                if (topic == null || !group.subscriptionOf(id).contains(topic.id())) {
                    continue;
                }
                for (int p : e.getValue()) {
                    if (p < topic.partitions()
                            && claimed.computeIfAbsent(topic.id(), t -> new HashMap<>())
                                            .putIfAbsent(p, true)
                                    == null) {
                        count++;
                    }
                }
            }
            kept.add(count);
        }
        kept.sort(Collections.reverseOrder());
        int n = kept.size();
        int moves = 0;
        for (int i = 0; i < n; i++) {
            int quota = partitions / n + (i < partitions % n ? 1 : 0);
            moves += Math.max(0, kept.get(i) - quota);
        }
        return moves;
    }

    @Test
    void homogeneousIsEvenAndAssignsEachPartitionOnce() {
        Random random = new Random(848);
        for (int c = 0; c < CASES; c++) {
            Group group = AssignorTesting.randomGroup(random, true);
            Map<String, Map<Uuid, Set<Integer>>> result = assignor.assign(group.members(), group.topics());
            assertWellFormed(group, result);
            assertEachSubscribedPartitionOnce(group, result);
            assertEven(group, result);
        }
    }

    @Test
    void heterogeneousIsAsBalancedAsSubscriptionsAllow() {
        Random random = new Random(849);
        for (int c = 0; c < CASES; c++) {
            Group group = AssignorTesting.randomGroup(random, false);
            Map<String, Map<Uuid, Set<Integer>>> result = assignor.assign(group.members(), group.topics());
            assertWellFormed(group, result);
            assertEachSubscribedPartitionOnce(group, result);
            assertBalanced(group, result);
        }
    }

    @Test
    void arbitraryCurrentTargetsStillGiveAValidBalancedAssignment() {
        Random random = new Random(850);
        for (int c = 0; c < CASES; c++) {
            boolean homogeneous = c % 2 == 0;
            Group group = AssignorTesting.withRandomTargets(random, AssignorTesting.randomGroup(random, homogeneous));
            Map<String, Map<Uuid, Set<Integer>>> result = assignor.assign(group.members(), group.topics());
            assertWellFormed(group, result);
            assertEachSubscribedPartitionOnce(group, result);
            assertBalanced(group, result);
            if (homogeneous) {
                assertEven(group, result);
                assertEquals(fewestMoves(group), movedAway(group, result), "moves only what balance requires");
            }
        }
    }

    @Test
    void aBalancedTargetIsKeptAsItIs() {
        Random random = new Random(851);
        for (int c = 0; c < CASES; c++) {
            Group group = AssignorTesting.randomGroup(random, c % 2 == 0);
            Map<String, Map<Uuid, Set<Integer>>> first = assignor.assign(group.members(), group.topics());
            Group again = group.withTarget(first);
            assertEquals(first, assignor.assign(again.members(), again.topics()));
        }
    }

    @Test
    void addingAMemberMovesOnlyItsShareFromTheOthers() {
        Random random = new Random(852);
        for (int c = 0; c < CASES; c++) {
            Group group = AssignorTesting.randomGroup(random, true);
            Map<String, Map<Uuid, Set<Integer>>> before = assignor.assign(group.members(), group.topics());
            String any = group.members().keySet().iterator().next();
            Group grown = group.withTarget(before).plus("a-new-member", group.subscriptionOf(any));
            Map<String, Map<Uuid, Set<Integer>>> after = assignor.assign(grown.members(), grown.topics());

            assertEachSubscribedPartitionOnce(grown, after);
            assertEven(grown, after);
            for (String old : group.members().keySet()) {
                assertGainsNothing(old, before, after);
            }
            int partitions =
                    loads(before).values().stream().mapToInt(Integer::intValue).sum();
            int newcomers = partitions / grown.members().size();
            assertEquals(newcomers, loads(after).get("a-new-member"), "the new member gets floor(P / N)");
            assertEquals(newcomers, movedAway(grown, after), "only the new member's partitions move");
        }
    }

    @Test
    void removingAMemberMovesOnlyItsPartitions() {
        Random random = new Random(853);
        for (int c = 0; c < CASES; c++) {
            Group group = AssignorTesting.randomGroup(random, c % 2 == 0);
            if (group.members().size() < 2) {
                continue;
            }
            Map<String, Map<Uuid, Set<Integer>>> before = assignor.assign(group.members(), group.topics());
            String leaving = new ArrayList<>(group.members().keySet())
                    .get(random.nextInt(group.members().size()));
            Group shrunk = group.withTarget(before).minus(leaving);
            Map<String, Map<Uuid, Set<Integer>>> after = assignor.assign(shrunk.members(), shrunk.topics());

            assertEachSubscribedPartitionOnce(shrunk, after);
            assertBalanced(shrunk, after);
            if (c % 2 == 0) {
                for (String stays : shrunk.members().keySet()) {
                    assertKeepsAll(stays, before, after);
                }
                assertEquals(0, movedAway(shrunk, after));
            }
        }
    }

    @Test
    void newPartitionsGoToTheLeastLoadedAndNothingElseMoves() {
        TopicInfo t = topic("t", 6);
        Map<String, MemberSpec> members = members(member("a", t), member("b", t), member("c", t), member("d", t));
        Map<String, Map<Uuid, Set<Integer>>> before = assignor.assign(members, topics(t));
        // a and b hold 2, c and d hold 1; 6 more partitions make 12, 3 each.
        TopicInfo grown = new TopicInfo(t.id(), "t", 12);
        Group group = new Group(members, topics(grown)).withTarget(before);
        Map<String, Map<Uuid, Set<Integer>>> after = assignor.assign(group.members(), group.topics());
        for (String id : members.keySet()) {
            assertKeepsAll(id, before, after);
            assertEquals(3, loads(after).get(id));
        }
        assertEachSubscribedPartitionOnce(group, after);
    }

    @Test
    void deletedAndUnsubscribedTopicsAreDropped() {
        TopicInfo t1 = topic("t1", 4);
        TopicInfo t2 = topic("t2", 4);
        Uuid deleted = Uuid.randomUuid();
        MemberSpec a = new MemberSpec(
                "a",
                null,
                null,
                Set.of(t1.id()),
                Map.of(t1.id(), Set.of(0, 1), t2.id(), Set.of(0), deleted, Set.of(0)));
        MemberSpec b = new MemberSpec("b", null, null, Set.of(t1.id(), t2.id()), Map.of(t1.id(), Set.of(2, 3, 9)));
        Map<String, Map<Uuid, Set<Integer>>> result = assignor.assign(members(a, b), topics(t1, t2));
        // a keeps t1-0 and t1-1 (t2 is unsubscribed, the third topic deleted) and b keeps t1-2 and t1-3
        // (t1-9 does not exist); t2 goes to b, its only subscriber, so balance moves t1-2 and t1-3 to a.
        assertEquals(
                Map.of("a", Map.of(t1.id(), Set.of(0, 1, 2, 3)), "b", Map.of(t2.id(), Set.of(0, 1, 2, 3))), result);
    }

    @Test
    void aPartitionClaimedTwiceStaysWithTheFirstMemberId() {
        TopicInfo t = topic("t", 2);
        MemberSpec b = new MemberSpec("b", null, null, Set.of(t.id()), Map.of(t.id(), Set.of(0)));
        MemberSpec a = new MemberSpec("a", null, null, Set.of(t.id()), Map.of(t.id(), Set.of(0)));
        Map<String, Map<Uuid, Set<Integer>>> result = assignor.assign(members(b, a), topics(t));
        assertEquals(Map.of("a", Map.of(t.id(), Set.of(0)), "b", Map.of(t.id(), Set.of(1))), result);
    }

    @Test
    void emptySubscriptionsAndNoTopicsGiveEmptyAssignments() {
        TopicInfo t = topic("t", 3);
        assertEquals(
                Map.of("a", Map.of(), "b", Map.of(t.id(), Set.of(0, 1, 2))),
                assignor.assign(members(member("a"), member("b", t)), topics(t)));
        assertEquals(
                Map.of("a", Map.of(), "b", Map.of()),
                assignor.assign(members(member("a", t), member("b", t)), Map.of()));
        assertEquals(Map.of(), assignor.assign(Map.of(), topics(t)));
    }

    @Test
    void heterogeneousExample() {
        // a: t1 only; b: t1 and t2; c: t2 only. 6 + 6 partitions: 4 each.
        TopicInfo t1 = topic("t1", 6);
        TopicInfo t2 = topic("t2", 6);
        Map<String, Map<Uuid, Set<Integer>>> result =
                assignor.assign(members(member("a", t1), member("b", t1, t2), member("c", t2)), topics(t1, t2));
        assertEquals(Map.of("a", 4, "b", 4, "c", 4), loads(result));
    }

    @Test
    void deterministicWhateverTheMapOrder() {
        Random random = new Random(854);
        for (int c = 0; c < CASES; c++) {
            Group group = AssignorTesting.withRandomTargets(random, AssignorTesting.randomGroup(random, c % 2 == 0));
            List<String> ids = new ArrayList<>(group.members().keySet());
            Collections.shuffle(ids, random);
            Map<String, MemberSpec> shuffled = new LinkedHashMap<>();
            ids.forEach(id -> shuffled.put(id, group.members().get(id)));
            List<TopicInfo> topicList = new ArrayList<>(group.topics().values());
            Collections.shuffle(topicList, random);
            Map<Uuid, TopicInfo> shuffledTopics = new LinkedHashMap<>();
            topicList.forEach(t -> shuffledTopics.put(t.id(), t));
            assertEquals(assignor.assign(group.members(), group.topics()), assignor.assign(shuffled, shuffledTopics));
        }
    }
}
