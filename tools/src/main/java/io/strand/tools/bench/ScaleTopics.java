package io.strand.tools.bench;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.ReplicaAssigner;
import io.strand.coordinator.TopicCreation;
import io.strand.coordinator.TopicCreator;
import io.strand.coordinator.TopicSpec;
import io.strand.coordinator.TopicView;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.PartitionState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.curator.framework.api.transaction.CuratorOp;

/**
 * The topics of the metadata benchmarks: {@code partitions} partitions in topics of at most 1,000
 * (a ZooKeeper multi is bounded by jute.maxbuffer), RF=3 over brokers 1-3. Balanced, the first
 * (preferred) replica rotates so that each broker leads a third; otherwise broker 1 leads all.
 * Also the questions the benchmarks ask of a cache, and the write that puts a returned broker back
 * into every ISR (as the partitions' leaders would, in pipelined batches).
 *
 * <p>Immutable; thread-safe.
 */
final class ScaleTopics {
    private static final int PER_TOPIC = 1000;
    private static final int OPS_PER_MULTI = 500;

    final int partitions;
    final boolean balanced;

    ScaleTopics(int partitions, boolean balanced) {
        this.partitions = partitions;
        this.balanced = balanced;
    }

    int topics() {
        return (partitions + PER_TOPIC - 1) / PER_TOPIC;
    }

    private int perTopic(int t) {
        return Math.min(PER_TOPIC, partitions - t * PER_TOPIC);
    }

    static String topic(int t) {
        return "scale-" + t;
    }

    /** The replicas of partition {@code p} of topic {@code t}; the first is the preferred leader. */
    List<Integer> replicas(int t, int p) {
        int shift = balanced ? (t * PER_TOPIC + p) % 3 : 0;
        List<Integer> r = new ArrayList<>(3);
        for (int k = 0; k < 3; k++) {
            r.add(1 + (shift + k) % 3);
        }
        return r;
    }

    /** How many partitions {@code broker} leads when every preferred replica leads. */
    int preferredBy(int broker) {
        int n = 0;
        for (int t = 0; t < topics(); t++) {
            for (int p = 0; p < perTopic(t); p++) {
                if (replicas(t, p).get(0) == broker) {
                    n++;
                }
            }
        }
        return n;
    }

    void create(MetadataStore store) {
        TopicCreator creator = new TopicCreator(store, -1, new ReplicaAssigner(new Random(1)));
        for (int t = 0; t < topics(); t++) {
            Map<Integer, List<Integer>> assignment = new HashMap<>();
            for (int p = 0; p < perTopic(t); p++) {
                assignment.put(p, replicas(t, p));
            }
            TopicCreation c = creator.create(
                    new TopicSpec(topic(t), -1, -1, assignment, Map.of()), new TopicCreator.Defaults(1, 1), false);
            if (!(c instanceof TopicCreation.Created)) {
                throw new IllegalStateException("could not create " + topic(t) + ": " + c);
            }
        }
    }

    /** True if the cache holds every benchmark topic with the state of each partition, each passing {@code test}. */
    boolean every(MetadataCache cache, Predicate<PartitionInfo> test) {
        for (int t = 0; t < topics(); t++) {
            TopicView view = cache.topic(topic(t)).orElse(null);
            if (view == null) {
                return false;
            }
            java.util.Collection<PartitionInfo> states = view.partitionsSnapshot();
            if (states.size() != perTopic(t)) {
                return false;
            }
            for (PartitionInfo p : states) {
                if (!test.test(p)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Counts the partitions the cache shows led by {@code broker}. */
    int ledBy(MetadataCache cache, int broker) {
        int n = 0;
        for (int t = 0; t < topics(); t++) {
            TopicView view = cache.topic(topic(t)).orElseThrow();
            for (PartitionInfo p : view.partitionsSnapshot()) {
                if (p.leader() == broker) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Adds {@code broker} back to every ISR it is missing from, as each partition's leader would
     * (CAS on the state version {@code cache} shows), in batched multis, several in flight.
     */
    void addToEveryIsr(MetadataStore store, MetadataCache cache, int broker) throws Exception {
        List<List<CuratorOp>> batches = new ArrayList<>();
        List<CuratorOp> ops = new ArrayList<>();
        for (int t = 0; t < topics(); t++) {
            for (PartitionInfo p : cache.topic(topic(t)).orElseThrow().partitionsSnapshot()) {
                if (p.isr().contains(broker)) {
                    continue;
                }
                PartitionState next = p.state().toBuilder()
                        .addIsr(broker)
                        .setPartitionEpoch(p.state().getPartitionEpoch() + 1)
                        .build();
                ops.add(store.setOp(Znodes.partitionState(p.topicPartition()), next, p.stateVersion()));
                if (ops.size() == OPS_PER_MULTI) {
                    batches.add(ops);
                    ops = new ArrayList<>();
                }
            }
        }
        if (!ops.isEmpty()) {
            batches.add(ops);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (List<CuratorOp> b : batches) {
                done.add(pool.submit(() -> store.multi(b)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}
