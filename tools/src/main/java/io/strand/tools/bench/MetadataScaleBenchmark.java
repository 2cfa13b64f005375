package io.strand.tools.bench;

import com.beust.jcommander.Parameter;
import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.ZooKeeperConnection;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;

/**
 * Metadata at scale: with 100,000 partitions (RF=3, three simulated brokers, a real ZooKeeper) how
 * long a broker's {@link MetadataCache} takes to load and how much heap it keeps per partition, and
 * how long leader re-election takes when a broker is lost with the controller running, when the
 * controller's own broker is lost, and when the new controller must first load everything
 * ({@link TakeoverScenarios}).
 *
 * <pre>bin/strand-bench metadata-scale --partitions 100000 --rounds 3</pre>
 *
 * <p>Retained heap is measured as the used heap after {@code System.gc()} (the median of three
 * readings) with the loaded cache reachable, minus the same before it was created, divided by the
 * partition count.
 */
public final class MetadataScaleBenchmark {
    static final class Flags {
        @Parameter(names = "--partitions", description = "partition count (topics of 1,000 partitions, RF=3)")
        int partitions = 100_000;

        @Parameter(names = "--rounds", description = "measured rounds per scenario (after one warm-up round)")
        int rounds = 3;

        @Parameter(
                names = "--scenarios",
                description = "comma-separated: cache-load, lost-broker, takeover, cold-takeover")
        String scenarios = "cache-load,lost-broker,takeover,cold-takeover";

        @Parameter(
                names = "--leaders",
                description = "balanced (each broker leads a third) or all (broker 1 leads every partition;"
                        + " lost-broker and cache-load only)")
        String leaders = "balanced";

        @Parameter(names = "--dir", description = "parent directory of the embedded ZooKeeper's data")
        String dir = "/tmp";
    }

    private MetadataScaleBenchmark() {}

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
        if (!BenchArgs.parse("strand-bench metadata-scale", flags, args)) {
            return;
        }
        boolean balanced = !flags.leaders.equals("all");
        ScaleTopics topics = new ScaleTopics(flags.partitions, balanced);
        List<String> scenarios = List.of(flags.scenarios.split(","));
        Map<String, List<List<Double>>> results = new LinkedHashMap<>();
        try (EmbeddedZooKeeper zk = new EmbeddedZooKeeper(Path.of(flags.dir));
                TakeoverScenarios cluster = new TakeoverScenarios(zk.connect("/strand-scale"), topics)) {
            System.out.println("ZooKeeper " + zk.connect("/strand-scale") + " (embedded, fsync on); partitions "
                    + flags.partitions + ", " + (balanced ? "each broker leads a third" : "broker 1 leads all")
                    + "; max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
            cluster.register();
            if (scenarios.contains("cache-load")) {
                results.put("cache-load", cacheLoad(zk.connect("/strand-scale"), topics, flags.rounds));
            }
            List<String> takeovers =
                    scenarios.stream().filter(s -> !s.equals("cache-load")).toList();
            if (!takeovers.isEmpty()) {
                cluster.startAll(balanced ? 1 : 2);
            }
            for (String scenario : takeovers) {
                List<List<Double>> figures = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
                for (int round = 0; round <= flags.rounds; round++) {
                    System.out.println(scenario + (round == 0 ? " warm-up" : " round " + round));
                    long[] r = cluster.round(scenario);
                    if (round > 0) {
                        for (int k = 0; k < 3; k++) {
                            figures.get(k).add((double) r[k]);
                        }
                    }
                }
                results.put(scenario, figures);
            }
        }
        results.forEach((scenario, f) -> {
            if (scenario.equals("cache-load")) {
                System.out.printf(
                        Locale.ROOT,
                        "RESULT metadata-scale cache-load partitions=%d rounds=%d start() ms: %s;"
                                + " every partition visible ms: %s; retained heap bytes/partition: %s%n",
                        flags.partitions,
                        flags.rounds,
                        Rounds.spread(f.get(0), "%.0f"),
                        Rounds.spread(f.get(1), "%.0f"),
                        Rounds.spread(f.get(2), "%.0f"));
            } else {
                System.out.printf(
                        Locale.ROOT,
                        "RESULT metadata-scale %s partitions=%d leaders=%s rounds=%d session-close-to-last-leader"
                                + " ms: %s; %s-to-last-leader ms: %s; session-close-to-leaders-visible ms: %s%n",
                        scenario,
                        flags.partitions,
                        flags.leaders,
                        flags.rounds,
                        Rounds.spread(f.get(0), "%.0f"),
                        scenario.equals("cold-takeover") ? "process-start" : "controller-noticed",
                        Rounds.spread(f.get(1), "%.0f"),
                        Rounds.spread(f.get(2), "%.0f"));
            }
        });
    }

    /** A broker's cache starting from nothing: {start() ms, every partition visible ms, retained bytes/partition}. */
    private static List<List<Double>> cacheLoad(String connect, ScaleTopics topics, int rounds) throws Exception {
        List<List<Double>> figures = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int round = 0; round <= rounds; round++) {
            long heapBefore = retainedHeap();
            CuratorFramework session = ZooKeeperConnection.connect(
                    connect, SimulatedBroker.SESSION_TIMEOUT_MS, SimulatedBroker.SESSION_TIMEOUT_MS);
            MetadataCache cache = new MetadataCache(session);
            long t0 = System.nanoTime();
            cache.start(300_000);
            long started = TakeoverScenarios.ms(t0);
            TakeoverScenarios.waitFor(() -> topics.every(cache, p -> true), "every partition in the cache");
            long visible = TakeoverScenarios.ms(t0);
            long heapAfter = retainedHeap();
            double perPartition = (double) (heapAfter - heapBefore) / topics.partitions;
            System.out.printf(
                    Locale.ROOT,
                    "cache-load %s: start() returned after %d ms, every partition visible after %d ms;"
                            + " retained heap %d MiB (%.0f bytes per partition)%n",
                    round == 0 ? "warm-up" : "round " + round,
                    started,
                    visible,
                    (heapAfter - heapBefore) >> 20,
                    perPartition);
            if (cache.topics().isEmpty()) {
                throw new IllegalStateException("cache emptied");
            }
            cache.close();
            session.close();
            if (round > 0) {
                figures.get(0).add((double) started);
                figures.get(1).add((double) visible);
                figures.get(2).add(perPartition);
            }
        }
        return figures;
    }

    /** The used heap after a full collection: the median of three readings. */
    private static long retainedHeap() throws InterruptedException {
        List<Long> readings = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            System.gc();
            Thread.sleep(100);
            readings.add(
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        readings.sort(Long::compare);
        return readings.get(1);
    }
}
