package io.strand.server.group.assignor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * The {@code "simple"} share-group assignor, following Kafka 4.1's {@code SimpleAssignor} (its
 * homogeneous and heterogeneous builders). A partition may go to several members at once.
 *
 * <p>The assignment is built over one <i>unit</i> at a time: when all members that subscribe to
 * anything subscribe to the same topics, one unit of all those members and all the topics'
 * partitions; otherwise one unit per topic, of its subscribers and its partitions. In a unit of
 * {@code M} members and {@code P > 0} partitions:
 *
 * <ul>
 *   <li>each partition wants {@code S = ceil(M / P)} members (1 unless members outnumber partitions);
 *   <li>the {@code S * P} assignments are split over the members as evenly as possible, so each
 *       member wants {@code floor(S * P / M)} or one more, at least 1: every member gets a partition,
 *       and when members outnumber partitions the partitions are shared (3 members on 1 partition
 *       all get partition 0);
 *   <li>stickiness: each member keeps its current target's partitions in the unit, except that a
 *       member with more than it wants gives up its most shared ones, and a partition with more than
 *       {@code S} members drops its most loaded ones; the larger wants go to the members keeping the
 *       most, so an already balanced assignment does not move;
 *   <li>each partition short of {@code S} members then takes the least loaded members still short of
 *       their wants that lack it. Every partition ends with at least one member.
 * </ul>
 *
 * Ties go to the member id first in order, so the result is deterministic.
 */
public final class SimpleShareAssignor implements ShareGroupAssignor {
    /** This assignor's name: {@value}. */
    public static final String NAME = "simple";

    @Override
    public Map<String, Map<Uuid, Set<Integer>>> assign(Map<String, MemberSpec> members, Map<Uuid, TopicInfo> topics) {
        List<String> memberIds = AssignorSupport.sortedMemberIds(members);
        List<TopicInfo> subscribed = AssignorSupport.subscribedTopics(members, topics);
        Map<Uuid, List<Integer>> subscribers = AssignorSupport.subscribers(memberIds, members, subscribed);
        List<Map<Uuid, SortedSet<Integer>>> result = AssignorSupport.emptyPerMember(memberIds.size());

        Set<Uuid> common = null;
        boolean homogeneous = true;
        List<Integer> subscribing = new ArrayList<>();
        for (int m = 0; m < memberIds.size(); m++) {
            Set<Uuid> topicIds = new HashSet<>(members.get(memberIds.get(m)).subscribedTopics());
            topicIds.retainAll(topics.keySet());
            if (topicIds.isEmpty()) {
                continue;
            }
            subscribing.add(m);
            if (common == null) {
                common = topicIds;
            } else if (!common.equals(topicIds)) {
                homogeneous = false;
            }
        }
        if (homogeneous) {
            new Unit(subscribing, subscribed, memberIds, members).assignInto(result);
        } else {
            for (TopicInfo topic : subscribed) {
                new Unit(subscribers.get(topic.id()), List.of(topic), memberIds, members).assignInto(result);
            }
        }
        return AssignorSupport.freeze(memberIds, result);
    }

    /** The members and partitions assigned together; partitions are numbered 0..total-1 across its topics. */
    private static final class Unit {
        private final List<Integer> unitMembers;
        private final Uuid[] topicOf;
        private final int[] partitionOf;
        /** For each partition (unit number), the unit members (local indexes) holding it. */
        private final List<TreeSet<Integer>> holders = new ArrayList<>();
        /** For each unit member (local index), the partitions (unit numbers) it holds. */
        private final List<TreeSet<Integer>> held = new ArrayList<>();

        private final int[] wants;

        Unit(
                List<Integer> unitMembers,
                List<TopicInfo> unitTopics,
                List<String> memberIds,
                Map<String, MemberSpec> members) {
            this.unitMembers = unitMembers;
            int total = 0;
            Map<Uuid, Integer> firstOf = new HashMap<>();
            for (TopicInfo topic : unitTopics) {
                firstOf.put(topic.id(), total);
                total += topic.partitions();
            }
            topicOf = new Uuid[total];
            partitionOf = new int[total];
            int next = 0;
            for (TopicInfo topic : unitTopics) {
                for (int p = 0; p < topic.partitions(); p++, next++) {
                    topicOf[next] = topic.id();
                    partitionOf[next] = p;
                    holders.add(new TreeSet<>());
                }
            }
            for (int i = 0; i < unitMembers.size(); i++) {
                TreeSet<Integer> mine = new TreeSet<>();
                held.add(mine);
                MemberSpec member = members.get(memberIds.get(unitMembers.get(i)));
                for (TopicInfo topic : unitTopics) {
                    for (int p : member.currentTarget().getOrDefault(topic.id(), Set.of())) {
                        if (p >= 0 && p < topic.partitions()) {
                            int x = firstOf.get(topic.id()) + p;
                            mine.add(x);
                            holders.get(x).add(i);
                        }
                    }
                }
            }
            wants = new int[unitMembers.size()];
        }

        /** Computes the unit's assignment and adds it to {@code result} (indexed by member index). */
        void assignInto(List<Map<Uuid, SortedSet<Integer>>> result) {
            int total = topicOf.length;
            int count = unitMembers.size();
            if (total == 0 || count == 0) {
                return;
            }
            int sharing = (count + total - 1) / total;
            computeWants((long) sharing * total);
            dropExcessPartitions();
            dropExcessHolders(sharing);
            fill(sharing);
            for (int i = 0; i < count; i++) {
                Map<Uuid, SortedSet<Integer>> assignment = result.get(unitMembers.get(i));
                for (int x : held.get(i)) {
                    assignment.computeIfAbsent(topicOf[x], k -> new TreeSet<>()).add(partitionOf[x]);
                }
            }
        }

        /** Splits the assignments evenly; the one-more shares go to the members holding the most. */
        private void computeWants(long assignments) {
            int count = unitMembers.size();
            List<Integer> order = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                order.add(i);
                wants[i] = (int) (assignments / count);
            }
            order.sort(Comparator.comparing((Integer i) -> -held.get(i).size()).thenComparing(i -> i));
            for (int k = 0; k < assignments % count; k++) {
                wants[order.get(k)]++;
            }
        }

        /** A member holding more than it wants gives up its most shared partitions (then highest numbered). */
        private void dropExcessPartitions() {
            for (int i = 0; i < wants.length; i++) {
                int excess = held.get(i).size() - wants[i];
                if (excess <= 0) {
                    continue;
                }
                List<Integer> mine = new ArrayList<>(held.get(i));
                mine.sort(Comparator.comparing((Integer x) -> -holders.get(x).size())
                        .thenComparing(x -> -x));
                for (int k = 0; k < excess; k++) {
                    release(i, mine.get(k));
                }
            }
        }

        /** A partition held by more than {@code sharing} members drops its most loaded ones (then last in order). */
        private void dropExcessHolders(int sharing) {
            for (int x = 0; x < holders.size(); x++) {
                int excess = holders.get(x).size() - sharing;
                if (excess <= 0) {
                    continue;
                }
                List<Integer> theirs = new ArrayList<>(holders.get(x));
                theirs.sort(
                        Comparator.comparing((Integer i) -> -held.get(i).size()).thenComparing(i -> -i));
                for (int k = 0; k < excess; k++) {
                    release(theirs.get(k), x);
                }
            }
        }

        /**
         * Gives each partition short of {@code sharing} holders to the least loaded members short of
         * their wants that lack it; then any partition still without a holder to the least loaded member.
         */
        private void fill(int sharing) {
            Comparator<Integer> byLoad =
                    Comparator.comparing((Integer i) -> held.get(i).size()).thenComparing(i -> i);
            TreeSet<Integer> unfilled = new TreeSet<>(byLoad);
            for (int i = 0; i < wants.length; i++) {
                if (held.get(i).size() < wants[i]) {
                    unfilled.add(i);
                }
            }
            for (int x = 0; x < holders.size() && !unfilled.isEmpty(); x++) {
                TreeSet<Integer> mine = holders.get(x);
                while (mine.size() < sharing) {
                    Integer taker = null;
                    for (int i : unfilled) {
                        if (!mine.contains(i)) {
                            taker = i;
                            break;
                        }
                    }
                    if (taker == null) {
                        break;
                    }
                    unfilled.remove(taker);
                    take(taker, x);
                    if (held.get(taker).size() < wants[taker]) {
                        unfilled.add(taker);
                    }
                }
            }
            // Not expected to happen (the wants add up to sharing * partitions), but a partition must not go
            // unassigned.
            for (int x = 0; x < holders.size(); x++) {
                if (holders.get(x).isEmpty()) {
                    int least = 0;
                    for (int i = 1; i < wants.length; i++) {
                        if (byLoad.compare(i, least) < 0) {
                            least = i;
                        }
                    }
                    take(least, x);
                }
            }
        }

        private void take(int member, int partition) {
            held.get(member).add(partition);
            holders.get(partition).add(member);
        }

        private void release(int member, int partition) {
            held.get(member).remove(partition);
            holders.get(partition).remove(member);
        }
    }
}
