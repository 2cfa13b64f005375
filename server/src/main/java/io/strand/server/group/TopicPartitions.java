package io.strand.server.group;

import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * Operations on partitions as KIP-848 assignments name them: topic id -> partition numbers. The
 * maps this class returns are sorted and unmodifiable and hold no topic with an empty set, so two
 * equal assignments are {@code equals}. Stateless.
 */
final class TopicPartitions {
    private TopicPartitions() {}

    static final Map<Uuid, Set<Integer>> EMPTY = Map.of();

    /** An unmodifiable, sorted copy of {@code m} without empty topics. */
    static Map<Uuid, Set<Integer>> copyOf(Map<Uuid, Set<Integer>> m) {
        TreeMap<Uuid, Set<Integer>> out = new TreeMap<>();
        m.forEach((t, ps) -> {
            if (!ps.isEmpty()) {
                out.put(t, Collections.unmodifiableSortedSet(new TreeSet<>(ps)));
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** True if {@code m} holds partition {@code p} of {@code topic}. */
    static boolean contains(Map<Uuid, Set<Integer>> m, Uuid topic, int p) {
        Set<Integer> ps = m.get(topic);
        return ps != null && ps.contains(p);
    }

    /** True if every partition of {@code sub} is in {@code of}. */
    static boolean isSubset(Map<Uuid, Set<Integer>> sub, Map<Uuid, Set<Integer>> of) {
        for (Map.Entry<Uuid, Set<Integer>> e : sub.entrySet()) {
            Set<Integer> ps = of.getOrDefault(e.getKey(), Set.of());
            if (!ps.containsAll(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** True if {@code a} and {@code b} share a partition. */
    static boolean intersects(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        for (Map.Entry<Uuid, Set<Integer>> e : a.entrySet()) {
            Set<Integer> ps = b.get(e.getKey());
            if (ps != null && !Collections.disjoint(ps, e.getValue())) {
                return true;
            }
        }
        return false;
    }

    /** The number of partitions in {@code m}. */
    static int count(Map<Uuid, Set<Integer>> m) {
        int n = 0;
        for (Set<Integer> ps : m.values()) {
            n += ps.size();
        }
        return n;
    }

    /** The topics of {@code a} and {@code b}. */
    static Set<Uuid> topics(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        Set<Uuid> out = new HashSet<>(a.keySet());
        out.addAll(b.keySet());
        return out;
    }
}
