package io.strand.server.group.assignor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * The {@code "uniform"} assignor, Kafka's default for consumer groups: balanced and sticky. Every
 * partition of a subscribed topic goes to exactly one of its subscribers, and:
 *
 * <ul>
 *   <li><b>Balance</b> (first): when every member that subscribes to anything subscribes to the same
 *       topics (homogeneous), those members' partition counts differ by at most one. Otherwise
 *       (heterogeneous) it is as balanced as the subscriptions allow, topic by topic, as Kafka's
 *       heterogeneous builder promises: no partition could move to another subscriber of its topic
 *       whose count is at least two lower.
 *   <li><b>Stickiness</b> (second): a member keeps the partitions of its current target that still
 *       exist and that it still subscribes to, unless balance needs them elsewhere. In a homogeneous
 *       group exactly the fewest partitions move that balance requires: the one-more quotas go to the
 *       members keeping the most, and a member gives up only what exceeds its quota.
 * </ul>
 *
 * <p>Steps. Both kinds: keep the current target's valid partitions (one claimed by two members'
 * current targets stays with the first in member id order). Homogeneous, as Kafka's
 * {@code UniformHomogeneousAssignmentBuilder}: give each member a quota of {@code P / N} or one
 * more, revoke what exceeds it, and give the unowned partitions to the least loaded members under
 * quota. Heterogeneous, as Kafka's {@code UniformHeterogeneousAssignmentBuilder}: give each unowned
 * partition to the least loaded subscriber of its topic, topics with the most partitions per
 * subscriber first; then move partitions from most to least loaded subscribers, topic by topic,
 * until no move helps (each move lowers the sum of squared counts, so this ends). Ties go to the
 * member id first in order.
 */
public final class UniformAssignor implements ConsumerGroupAssignor {
    /** This assignor's name: {@value}. */
    public static final String NAME = "uniform";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Map<Uuid, Set<Integer>>> assign(Map<String, MemberSpec> members, Map<Uuid, TopicInfo> topics) {
        List<String> memberIds = AssignorSupport.sortedMemberIds(members);
        List<TopicInfo> subscribed = AssignorSupport.subscribedTopics(members, topics);
        Map<Uuid, List<Integer>> subscribers = AssignorSupport.subscribers(memberIds, members, subscribed);
        Map<Uuid, int[]> owners = new HashMap<>();
        for (TopicInfo topic : subscribed) {
            int[] owner = new int[topic.partitions()];
            Arrays.fill(owner, -1);
            owners.put(topic.id(), owner);
        }
        int[] load = new int[memberIds.size()];

        keepCurrent(memberIds, members, owners, load);
        List<Integer> subscribing = homogeneousSubscribers(memberIds, members, topics);
        if (subscribing != null) {
            assignHomogeneous(subscribing, subscribed, owners, load);
        } else {
            assignUnowned(subscribed, subscribers, owners, load);
            boolean moved = true;
            while (moved) {
                moved = false;
                for (TopicInfo topic : subscribed) {
                    List<Integer> topicSubscribers = subscribers.get(topic.id());
                    if (topicSubscribers.size() > 1 && balance(topicSubscribers, owners.get(topic.id()), load)) {
                        moved = true;
                    }
                }
            }
        }
        return AssignorSupport.fromOwners(memberIds, owners);
    }

    /** Gives each member the partitions of its current target it may keep: existing, subscribed, unclaimed. */
    private static void keepCurrent(
            List<String> memberIds, Map<String, MemberSpec> members, Map<Uuid, int[]> owners, int[] load) {
        for (int m = 0; m < memberIds.size(); m++) {
            MemberSpec member = members.get(memberIds.get(m));
            for (Map.Entry<Uuid, Set<Integer>> entry : member.currentTarget().entrySet()) {
                int[] owner = owners.get(entry.getKey());
                if (owner == null || !member.subscribedTopics().contains(entry.getKey())) {
                    continue;
                }
                for (int p : entry.getValue()) {
                    if (p >= 0 && p < owner.length && owner[p] < 0) {
                        owner[p] = m;
                        load[m]++;
                    }
                }
            }
        }
    }

    /**
     * The indexes of the members subscribing to any existing topic if they all subscribe to the same
     * existing topics, else null.
     */
    private static List<Integer> homogeneousSubscribers(
            List<String> memberIds, Map<String, MemberSpec> members, Map<Uuid, TopicInfo> topics) {
        List<Integer> subscribing = new ArrayList<>();
        Set<Uuid> common = null;
        for (int m = 0; m < memberIds.size(); m++) {
            Set<Uuid> mine = new HashSet<>(members.get(memberIds.get(m)).subscribedTopics());
            mine.retainAll(topics.keySet());
            if (mine.isEmpty()) {
                continue;
            }
            if (common == null) {
                common = mine;
            } else if (!common.equals(mine)) {
                return null;
            }
            subscribing.add(m);
        }
        return subscribing;
    }

    /**
     * Homogeneous groups: quotas of {@code P / N} or one more (the more to the members keeping the
     * most), partitions over quota revoked (the last in topic and partition order), then the unowned
     * partitions given to the least loaded members under quota.
     */
    private static void assignHomogeneous(
            List<Integer> subscribing, List<TopicInfo> topics, Map<Uuid, int[]> owners, int[] load) {
        if (subscribing.isEmpty()) {
            return;
        }
        int total = 0;
        for (TopicInfo topic : topics) {
            total += topic.partitions();
        }
        List<Integer> byKept = new ArrayList<>(subscribing);
        byKept.sort(Comparator.comparing((Integer m) -> -load[m]).thenComparing(m -> m));
        int[] quota = new int[load.length];
        for (int rank = 0; rank < byKept.size(); rank++) {
            quota[byKept.get(rank)] = total / byKept.size() + (rank < total % byKept.size() ? 1 : 0);
        }
        Map<Integer, List<int[]>> owned = new HashMap<>();
        for (int t = 0; t < topics.size(); t++) {
            int[] owner = owners.get(topics.get(t).id());
            for (int p = 0; p < owner.length; p++) {
                if (owner[p] >= 0 && load[owner[p]] > quota[owner[p]]) {
                    owned.computeIfAbsent(owner[p], k -> new ArrayList<>()).add(new int[] {t, p});
                }
            }
        }
        owned.forEach((m, partitions) -> {
            for (int k = partitions.size() - 1; load[m] > quota[m]; k--) {
                int[] tp = partitions.get(k);
                owners.get(topics.get(tp[0]).id())[tp[1]] = -1;
                load[m]--;
            }
        });
        TreeSet<Integer> unfilled = new TreeSet<>(byLoad(load));
        for (int m : subscribing) {
            if (load[m] < quota[m]) {
                unfilled.add(m);
            }
        }
        for (TopicInfo topic : topics) {
            int[] owner = owners.get(topic.id());
            for (int p = 0; p < owner.length; p++) {
                if (owner[p] < 0) {
                    int m = unfilled.pollFirst();
                    owner[p] = m;
                    load[m]++;
                    if (load[m] < quota[m]) {
                        unfilled.add(m);
                    }
                }
            }
        }
    }

    /** Gives every unowned partition to its topic's least loaded subscriber, in Kafka's topic order. */
    private static void assignUnowned(
            List<TopicInfo> subscribed, Map<Uuid, List<Integer>> subscribers, Map<Uuid, int[]> owners, int[] load) {
        List<TopicInfo> order = new ArrayList<>(subscribed);
        // Most partitions per subscriber first (compared by cross-multiplying), then fewer subscribers, then id.
        order.sort((a, b) -> {
            long perA = (long) a.partitions() * subscribers.get(b.id()).size();
            long perB = (long) b.partitions() * subscribers.get(a.id()).size();
            int c = Long.compare(perB, perA);
            if (c == 0) {
                c = Integer.compare(
                        subscribers.get(a.id()).size(), subscribers.get(b.id()).size());
            }
            return c != 0 ? c : a.id().compareTo(b.id());
        });
        for (TopicInfo topic : order) {
            int[] owner = owners.get(topic.id());
            TreeSet<Integer> byLoad = new TreeSet<>(byLoad(load));
            byLoad.addAll(subscribers.get(topic.id()));
            for (int p = 0; p < owner.length; p++) {
                if (owner[p] < 0) {
                    int m = byLoad.pollFirst();
                    owner[p] = m;
                    load[m]++;
                    byLoad.add(m);
                }
            }
        }
    }

    /**
     * Moves partitions of one topic from its most loaded subscriber that owns one to its least loaded
     * subscriber while their counts differ by more than one. Returns whether anything moved.
     */
    private static boolean balance(List<Integer> topicSubscribers, int[] owner, int[] load) {
        Map<Integer, List<Integer>> owned = new HashMap<>();
        for (int p = 0; p < owner.length; p++) {
            owned.computeIfAbsent(owner[p], k -> new ArrayList<>()).add(p);
        }
        TreeSet<Integer> byLoad = new TreeSet<>(byLoad(load));
        byLoad.addAll(topicSubscribers);
        boolean moved = false;
        while (true) {
            int least = byLoad.first();
            int most = -1;
            for (Iterator<Integer> it = byLoad.descendingIterator(); it.hasNext(); ) {
                int m = it.next();
                if (load[m] - load[least] <= 1) {
                    break;
                }
                List<Integer> partitions = owned.get(m);
                if (partitions != null && !partitions.isEmpty()) {
                    most = m;
                    break;
                }
            }
            if (most < 0) {
                return moved;
            }
            List<Integer> from = owned.get(most);
            int p = from.remove(from.size() - 1);
            byLoad.remove(most);
            byLoad.remove(least);
            owner[p] = least;
            load[most]--;
            load[least]++;
            owned.computeIfAbsent(least, k -> new ArrayList<>()).add(p);
            byLoad.add(most);
            byLoad.add(least);
            moved = true;
        }
    }

    /** Members (indexes) by partition count, then index. */
    private static Comparator<Integer> byLoad(int[] load) {
        return (a, b) -> {
            int c = Integer.compare(load[a], load[b]);
            return c != 0 ? c : Integer.compare(a, b);
        };
    }
}
