package io.strand.tools.bench;

import com.beust.jcommander.Parameter;
import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.ReplicaAssigner;
import io.strand.coordinator.TopicCreation;
import io.strand.coordinator.TopicCreator;
import io.strand.coordinator.TopicSpec;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.controller.Controller;
import io.strand.coordinator.proto.BrokerRegistration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;

/**
 * Failover cost of the controller: with N partitions led by one broker, the time from the controller
 * noticing that broker's registration vanish to the last new leader written (batched, CAS-checked
 * ZooKeeper multis). Runs a real ZooKeeper server in this process (or uses {@code --zookeeper}),
 * three broker registrations held by their own sessions, and Strand's {@link Controller}.
 *
 * <pre>bin/strand-bench failover --partitions 1000,10000 --rounds 5</pre>
 */
public final class FailoverBenchmark {
    static final class Flags {
        @Parameter(names = "--partitions", description = "comma-separated partition counts to measure")
        String partitions = "1000,10000";

        @Parameter(names = "--rounds", description = "measured rounds per count (after one warm-up round)")
        int rounds = 5;

        @Parameter(
                names = "--zookeeper",
                description = "use this ZooKeeper (connect string with chroot) instead of an embedded one")
        String zookeeper;
    }

    private FailoverBenchmark() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0); // ZooKeeper's server leaves non-daemon threads behind
    }

    private static void run(String[] args) throws Exception {
        Flags flags = new Flags();
        if (!BenchArgs.parse("strand-bench failover", flags, args)) {
            return;
        }
        EmbeddedZooKeeper embedded = flags.zookeeper == null ? new EmbeddedZooKeeper(null) : null;
        String connect = embedded == null ? flags.zookeeper : embedded.connect("/strand-bench");
        System.out.println("ZooKeeper " + connect + (embedded != null ? " (embedded, fsync on)" : ""));
        try {
            for (String count : flags.partitions.split(",")) {
                run(connect + "-" + count.trim(), Integer.parseInt(count.trim()), flags.rounds);
            }
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private static void run(String connect, int partitions, int rounds) throws Exception {
        List<CuratorFramework> sessions = new ArrayList<>();
        Map<Integer, CuratorFramework> brokers = new HashMap<>();
        try {
            for (int id = 1; id <= 3; id++) {
                brokers.put(id, register(connect, id));
            }
            CuratorFramework controllerSession = brokers.get(2);
            MetadataStore store = new MetadataStore(controllerSession);
            createTopics(store, partitions);
            MetadataCache cache = new MetadataCache(controllerSession);
            Controller controller =
                    new Controller(controllerSession, cache, 2, new Controller.Settings(false, false, 10, 3_600_000));
            cache.addListener(controller);
            cache.start(60_000);
            controller.start();
            waitFor(controller::isActive, "controller elected");
            List<Long> millis = new ArrayList<>();
            List<Long> endToEnd = new ArrayList<>();
            for (int round = 0; round <= rounds; round++) {
                CuratorFramework leader = brokers.remove(1);
                Controller.BrokerChangeStats before = controller.lastBrokerChange();
                long t0 = System.nanoTime();
                leader.close(); // session ends: /brokers/ids/1 vanishes at once
                waitFor(
                        () -> controller.lastBrokerChange() != before
                                && controller.lastBrokerChange().withLeader() == partitions,
                        "leaders moved");
                long e2e = (System.nanoTime() - t0) / 1_000_000;
                Controller.BrokerChangeStats s = controller.lastBrokerChange();
                if (round > 0) {
                    millis.add(s.millis());
                    endToEnd.add(e2e);
                }
                System.out.printf(
                        Locale.ROOT,
                        "%s partitions=%d: %d leaders written in %d ms after the controller noticed "
                                + "(%d ms from the session close)%n",
                        round == 0 ? "warm-up " : "round " + round,
                        partitions,
                        s.withLeader(),
                        s.millis(),
                        e2e);
                if (round == rounds) {
                    break;
                }
                // bring broker 1 back, in sync, and make it leader again for the next round
                brokers.put(1, register(connect, 1));
                waitFor(() -> cache.isLive(1), "broker 1 back");
                addBackToIsr(store, partitions);
                waitFor(() -> allInIsr(cache, partitions, 1), "broker 1 in every ISR");
                controller.electPreferredLeaders(null).get();
                waitFor(() -> allLedBy(cache, partitions, 1), "broker 1 leads again");
            }
            millis.sort(Long::compare);
            endToEnd.sort(Long::compare);
            System.out.printf(
                    Locale.ROOT,
                    "RESULT partitions=%d rounds=%d controller-to-last-leader ms: median %d, min %d, "
                            + "max %d; session-close-to-last-leader ms: median %d%n",
                    partitions,
                    rounds,
                    millis.get(millis.size() / 2),
                    millis.get(0),
                    millis.get(millis.size() - 1),
                    endToEnd.get(endToEnd.size() / 2));
            controller.close();
            cache.close();
        } finally {
            brokers.values().forEach(CuratorFramework::close);
            sessions.forEach(CuratorFramework::close);
        }
    }

    /** The controller removed broker 1 from every ISR; add it back as each partition's leader would. */
    private static void addBackToIsr(MetadataStore store, int partitions) {
        io.strand.coordinator.IsrUpdater isr = new io.strand.coordinator.IsrUpdater(store);
        for (int t = 0; t < topics(partitions); t++) {
            for (int p = 0; p < perTopic(partitions, t); p++) {
                var state = store.read(
                                Znodes.partitionState(topic(t), p), io.strand.coordinator.proto.PartitionState.parser())
                        .orElseThrow()
                        .value();
                if (!state.getIsrList().contains(1)) {
                    isr.update(
                            new org.apache.kafka.common.TopicPartition(topic(t), p),
                            state.getLeader(),
                            state.getLeaderEpoch(),
                            current -> {
                                List<Integer> next = new ArrayList<>(current);
                                next.add(1);
                                return next;
                            });
                }
            }
        }
    }

    private static boolean allInIsr(MetadataCache cache, int partitions, int broker) {
        return everyPartition(cache, partitions, p -> p.isr().contains(broker));
    }

    private static boolean allLedBy(MetadataCache cache, int partitions, int broker) {
        return everyPartition(cache, partitions, p -> p.leader() == broker);
    }

    /** True if every benchmark topic exists and each of its partitions passes {@code test}. */
    private static boolean everyPartition(MetadataCache cache, int partitions, Predicate<PartitionInfo> test) {
        for (int t = 0; t < topics(partitions); t++) {
            var view = cache.topic(topic(t)).orElse(null);
            if (view == null) {
                return false;
            }
            for (var p : view.partitionsSnapshot()) {
                if (!test.test(p)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static final int PER_TOPIC = 1000;

    private static int topics(int partitions) {
        return (partitions + PER_TOPIC - 1) / PER_TOPIC;
    }

    private static int perTopic(int partitions, int t) {
        return Math.min(PER_TOPIC, partitions - t * PER_TOPIC);
    }

    private static String topic(int t) {
        return "failover-" + t;
    }

    /** Topics of at most 1,000 partitions (a ZooKeeper multi is bounded by jute.maxbuffer), all led by broker 1. */
    private static void createTopics(MetadataStore store, int partitions) {
        TopicCreator creator = new TopicCreator(store, -1, new ReplicaAssigner(new Random(1)));
        for (int t = 0; t < topics(partitions); t++) {
            Map<Integer, List<Integer>> assignment = new HashMap<>();
            for (int p = 0; p < perTopic(partitions, t); p++) {
                assignment.put(p, List.of(1, 2, 3));
            }
            TopicCreation c = creator.create(
                    new TopicSpec(topic(t), -1, -1, assignment, Map.of()), new TopicCreator.Defaults(1, 1), false);
            if (!(c instanceof TopicCreation.Created)) {
                throw new IllegalStateException("could not create " + topic(t) + ": " + c);
            }
        }
    }

    private static CuratorFramework register(String connect, int id) {
        CuratorFramework zk = ZooKeeperConnection.connect(connect, 30_000, 30_000);
        MetadataStore store = new MetadataStore(zk);
        store.ensureParents();
        store.createIfAbsent(
                Znodes.broker(id),
                BrokerRegistration.newBuilder().setBrokerId(id).build(),
                CreateMode.EPHEMERAL);
        return zk;
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 300_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("timed out: " + what);
            }
            Thread.sleep(2);
        }
    }
}
