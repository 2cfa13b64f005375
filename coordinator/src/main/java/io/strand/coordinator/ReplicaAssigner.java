package io.strand.coordinator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Kafka's replica placement: round-robin over the live brokers from a random start, the first
 * replica of each partition is its preferred leader (so leaders spread), followers are shifted so
 * that replicas of consecutive partitions do not line up. With racks, the broker list alternates
 * racks and a partition's replicas take distinct racks while there are racks left.
 *
 * <p>Stateless and thread-safe.
 */
public final class ReplicaAssigner {
    /** A live broker and its rack ("" = none). */
    public record BrokerRack(int brokerId, String rack) {}

    private final RandomGenerator random;

    public ReplicaAssigner(RandomGenerator random) {
        this.random = random;
    }

    /**
     * @throws IllegalArgumentException if {@code replicationFactor} exceeds the number of brokers
     */
    public Map<Integer, List<Integer>> assign(List<BrokerRack> brokers, int numPartitions, int replicationFactor) {
        if (numPartitions <= 0) {
            throw new IllegalArgumentException("number of partitions must be larger than 0");
        }
        if (replicationFactor <= 0) {
            throw new IllegalArgumentException("replication factor must be larger than 0");
        }
        if (replicationFactor > brokers.size()) {
            throw new IllegalArgumentException("replication factor " + replicationFactor
                    + " is larger than the number of live brokers " + brokers.size());
        }
        List<BrokerRack> ordered = rackAlternated(brokers);
        Map<Integer, String> rackOf = new LinkedHashMap<>();
        ordered.forEach(b -> rackOf.put(b.brokerId(), b.rack()));
        long distinctRacks = ordered.stream().map(BrokerRack::rack).distinct().count();
        boolean rackAware = distinctRacks > 1;

        int n = ordered.size();
        int startIndex = random.nextInt(n);
        int nextReplicaShift = random.nextInt(n);
        Map<Integer, List<Integer>> out = new TreeMap<>();
        for (int p = 0; p < numPartitions; p++) {
            if (p > 0 && p % n == 0) {
                nextReplicaShift++;
            }
            int first = (p + startIndex) % n;
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            replicas.add(ordered.get(first).brokerId());
            Set<String> racksUsed = new HashSet<>();
            racksUsed.add(ordered.get(first).rack());
            while (replicas.size() < replicationFactor) {
                boolean wantNewRack = rackAware && racksUsed.size() < distinctRacks;
                int chosen = -1;
                int fallback = -1;
                for (int j = 0; j < n - 1 && chosen < 0; j++) {
                    int candidate = ordered.get(replicaIndex(first, nextReplicaShift, j, n))
                            .brokerId();
                    if (replicas.contains(candidate)) {
                        continue;
                    }
                    if (fallback < 0) {
                        fallback = candidate;
                    }
                    if (!wantNewRack || !racksUsed.contains(rackOf.get(candidate))) {
                        chosen = candidate;
                    }
                }
                int next = chosen >= 0 ? chosen : fallback;
                replicas.add(next);
                racksUsed.add(rackOf.get(next));
            }
            out.put(p, List.copyOf(replicas));
        }
        return out;
    }

    private static int replicaIndex(int firstReplicaIndex, int secondReplicaShift, int replicaIndex, int n) {
        if (n == 1) {
            return firstReplicaIndex;
        }
        int shift = 1 + (secondReplicaShift + replicaIndex) % (n - 1);
        return (firstReplicaIndex + shift) % n;
    }

    /** Brokers sorted by id, then interleaved rack by rack: r1b1, r2b2, r1b3, r2b4, ... */
    static List<BrokerRack> rackAlternated(List<BrokerRack> brokers) {
        Map<String, List<BrokerRack>> byRack = new TreeMap<>();
        brokers.stream()
                .sorted((a, b) -> Integer.compare(a.brokerId(), b.brokerId()))
                .forEach(b ->
                        byRack.computeIfAbsent(b.rack(), r -> new ArrayList<>()).add(b));
        List<BrokerRack> out = new ArrayList<>(brokers.size());
        int i = 0;
        while (out.size() < brokers.size()) {
            for (List<BrokerRack> rack : byRack.values()) {
                if (i < rack.size()) {
                    out.add(rack.get(i));
                }
            }
            i++;
        }
        return out;
    }
}
