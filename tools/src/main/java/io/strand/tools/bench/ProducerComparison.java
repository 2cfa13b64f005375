package io.strand.tools.bench;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * {@code ProducerBenchmark --compare}: measures several clusters alternately with one client process. Each cluster is
 * warmed up once; then every round runs, on each cluster in turn (the order rotating from round to round), a
 * throughput run and one fixed-rate latency run per {@code --rate}; after the producer rounds, as many rounds of a
 * new consumer group reading {@code --consume-records} records of the topic from its beginning. Optionally, per
 * cluster: the brokers' CPU time and RSS over each run ({@code --pids}, {@link BrokerUsage}; {@code --aux-pids} for
 * processes the cluster needs besides its brokers, reported apart), Strand's acks=all latency breakdown over each
 * latency run ({@code --ack-latency}, {@link AckLatencyProbe}), and {@code sync} before each measured run ({@code
 * --sync}) so that the page-cache writeback of one cluster's run does not land in the next one's. {@link
 * ComparisonSummary} prints the figures.
 *
 * <p>Runs on the calling thread (the producers' callbacks on their I/O threads).
 */
final class ProducerComparison {
    /** A cluster under measurement and what measures it; usage, aux and ack may be null. */
    private record Cluster(
            String name,
            String bootstrap,
            Properties client,
            KafkaProducer<byte[], byte[]> producer,
            BrokerUsage usage,
            BrokerUsage aux,
            AckLatencyProbe ack,
            Figures figures) {}

    private final ProducerBenchmark.Flags f;
    private final List<Integer> rates;
    private final List<Cluster> clusters = new ArrayList<>();
    private final byte[] value;

    private ProducerComparison(ProducerBenchmark.Flags f) {
        this.f = f;
        this.rates = f.rates.stream().filter(r -> r > 0).toList();
        this.value = new byte[f.recordSize];
        new Random(1).nextBytes(value);
    }

    static void run(ProducerBenchmark.Flags f) throws Exception {
        new ProducerComparison(f).run();
    }

    private void run() throws Exception {
        Map<String, String> pids = BenchArgs.named("--pids", f.pids);
        Map<String, String> auxPids = BenchArgs.named("--aux-pids", f.auxPids);
        Map<String, String> ack = BenchArgs.named("--ack-latency", f.ackLatency);
        Map<String, String> bootstraps = BenchArgs.named("--compare", f.compare);
        for (String name : pids.keySet()) {
            requireCluster("--pids", name, bootstraps);
        }
        for (String name : auxPids.keySet()) {
            requireCluster("--aux-pids", name, bootstraps);
        }
        for (String name : ack.keySet()) {
            requireCluster("--ack-latency", name, bootstraps);
        }
        try {
            for (Map.Entry<String, String> e : bootstraps.entrySet()) {
                String name = e.getKey();
                String bootstrap = e.getValue();
                Properties client = ProducerBenchmark.clientConfig(f, name);
                boolean created = ProducerBenchmark.ensureTopic(
                        bootstrap, f.topic, f.partitions, (short) f.replicationFactor, Map.of(), client);
                clusters.add(new Cluster(
                        name,
                        bootstrap,
                        client,
                        new KafkaProducer<>(ProducerBenchmark.producerProps(f, bootstrap, client)),
                        pids.containsKey(name) ? new BrokerUsage(parsePids(pids.get(name))) : null,
                        auxPids.containsKey(name) ? new BrokerUsage(parsePids(auxPids.get(name))) : null,
                        ack.containsKey(name)
                                ? new AckLatencyProbe(List.of(ack.get(name).split(",")))
                                : null,
                        new Figures()));
                System.out.printf(
                        Locale.ROOT,
                        "%s: %s%s%s%s; %s%n",
                        name,
                        bootstrap,
                        pids.containsKey(name) ? ", broker pids " + pids.get(name) : "",
                        auxPids.containsKey(name) ? ", aux pids " + auxPids.get(name) : "",
                        created
                                ? ""
                                : "; topic " + f.topic
                                        + " existed already (an earlier run's; for a clean measurement use fresh"
                                        + " clusters)",
                        awaitInSync(bootstrap, client));
            }
            for (Cluster c : clusters) {
                System.out.printf(
                        Locale.ROOT,
                        "warm-up %s: %s%n",
                        c.name,
                        ProducerBenchmark.throughput(c.producer, f.topic, value, f.warmupRecords));
            }
            List<Cluster> order = List.copyOf(clusters);
            for (int round = 1; round <= f.rounds; round++) {
                for (Cluster c : Rounds.order(order, round)) {
                    produceRound(round, c);
                }
            }
            for (int round = 1; f.consumeRecords > 0 && round <= f.rounds; round++) {
                for (Cluster c : Rounds.order(order, round)) {
                    consumeRound(round, c);
                }
            }
            new ComparisonSummary(f, rates, names(), figures()).print();
            if (f.deleteTopic) {
                for (Cluster c : clusters) {
                    deleteTopic(c);
                }
            }
        } finally {
            for (Cluster c : clusters) {
                c.producer.close();
                if (c.usage != null) {
                    c.usage.close();
                }
                if (c.aux != null) {
                    c.aux.close();
                }
            }
        }
    }

    /** One cluster's producer runs of a round: throughput, then a latency run per rate. */
    private void produceRound(int round, Cluster c) throws InterruptedException {
        String synced = sync();
        Measured<ProducerBenchmark.Run> t =
                measure(c, () -> ProducerBenchmark.throughput(c.producer, f.topic, value, f.records));
        c.figures.add("throughput", t.result.records() / t.result.seconds());
        record(c, "", t, t.result.records());
        System.out.printf(
                Locale.ROOT,
                "round %d %s throughput: %s%s%s%n",
                round,
                c.name,
                t.result,
                t.usageText(t.result.records()),
                synced);
        for (int rate : rates) {
            synced = sync();
            List<JsonObject> before = readAckLatency(c); // dropped: it starts the brokers' interval afresh
            Measured<ProducerBenchmark.Run> l =
                    measure(c, () -> ProducerBenchmark.fixedRate(c.producer, f.topic, value, rate, f.latencySeconds));
            List<JsonObject> ack = readAckLatency(c);
            long[] sorted = l.result.latenciesMicros().clone();
            Arrays.sort(sorted);
            c.figures.add("p50@" + rate, ProducerBenchmark.Run.pct(sorted, 0.50));
            c.figures.add("p99@" + rate, ProducerBenchmark.Run.pct(sorted, 0.99));
            c.figures.add("p999@" + rate, ProducerBenchmark.Run.pct(sorted, 0.999));
            record(c, "@" + rate, l, l.result.records());
            System.out.printf(
                    Locale.ROOT,
                    "round %d %s latency at %d/s: %s%s%s%n",
                    round,
                    c.name,
                    rate,
                    l.result,
                    l.usageText(l.result.records()),
                    synced);
            if (c.ack != null) {
                recordAckLatency(c, rate, before == null ? null : ack);
            }
        }
    }

    /** One cluster's consumer run of a round. */
    private void consumeRound(int round, Cluster c) throws InterruptedException {
        String synced = sync();
        Measured<ConsumerReadRate.Read> r = measure(
                c,
                () -> ConsumerReadRate.read(c.bootstrap, c.client, f.topic, f.consumeRecords, Duration.ofSeconds(30)));
        c.figures.add("read", r.result.recordsPerSecond());
        c.figures.add("read-first", r.result.firstRecordSeconds());
        record(c, "@read", r, r.result.records());
        System.out.printf(
                Locale.ROOT,
                "round %d %s consumer (new group): %s%s%s%n",
                round,
                c.name,
                r.result,
                r.usageText(r.result.records()),
                synced);
    }

    /** Adds the CPU and RSS figures of a run (names cpu, rss, aux-cpu, aux-rss with {@code suffix}). */
    private static void record(Cluster c, String suffix, Measured<?> m, long records) {
        if (m.usage != null) {
            c.figures.add("cpu" + suffix, m.usage.cpuMsPer1000(records));
            c.figures.add("rss" + suffix, m.usage.maxRssMib());
        }
        if (m.aux != null) {
            c.figures.add("aux-cpu" + suffix, m.aux.cpuMsPer1000(records));
            c.figures.add("aux-rss" + suffix, m.aux.maxRssMib());
        }
    }

    /** Prints the latency run's breakdown, one line per phase, and adds its figures (NaN when it was not read). */
    private static void recordAckLatency(Cluster c, int rate, List<JsonObject> brokers) {
        Map<String, AckLatencyProbe.Phase> phases = brokers == null ? Map.of() : AckLatencyProbe.combine(brokers);
        for (String phase : ComparisonSummary.ACK_PHASES) {
            AckLatencyProbe.Phase p = phases.get(phase);
            c.figures.add("ack-p50@" + rate + ":" + phase, p == null ? Double.NaN : p.p50());
            c.figures.add("ack-p99@" + rate + ":" + phase, p == null ? Double.NaN : p.p99());
            System.out.printf(
                    Locale.ROOT,
                    "  ack-latency %-21s %s%n",
                    phase,
                    p == null
                            ? "n/a"
                            : String.format(
                                    Locale.ROOT,
                                    "p50 %.3f ms, p99 %.3f ms (n %d; median of the brokers' p50, max of their p99)",
                                    p.p50(),
                                    p.p99(),
                                    p.count()));
        }
    }

    /** Every broker's breakdown since the previous read; null (and a line saying why) when one cannot be read. */
    private static List<JsonObject> readAckLatency(Cluster c) throws InterruptedException {
        if (c.ack == null) {
            return List.of();
        }
        try {
            return c.ack.read();
        } catch (IOException | RuntimeException e) {
            System.out.printf(Locale.ROOT, "  ack-latency of %s not read: %s%n", c.name, e);
            return null;
        }
    }

    /** A run's result with the usage of the cluster's processes over it (null where not measured). */
    private record Measured<T>(T result, BrokerUsage.Usage usage, BrokerUsage.Usage aux) {
        String usageText(long records) {
            StringBuilder s = new StringBuilder();
            if (usage != null) {
                s.append(String.format(
                        Locale.ROOT,
                        "; brokers: cpu %.2f ms per 1000 records, rss max %.0f MiB",
                        usage.cpuMsPer1000(records),
                        usage.maxRssMib()));
            }
            if (aux != null) {
                s.append(String.format(
                        Locale.ROOT,
                        "; aux: cpu %.2f ms per 1000 records, rss max %.0f MiB",
                        aux.cpuMsPer1000(records),
                        aux.maxRssMib()));
            }
            return s.toString();
        }
    }

    private interface RunBody<T> {
        T run() throws InterruptedException;
    }

    private static <T> Measured<T> measure(Cluster c, RunBody<T> body) throws InterruptedException {
        BrokerUsage.Window usage = c.usage == null ? null : c.usage.begin();
        BrokerUsage.Window aux = c.aux == null ? null : c.aux.begin();
        T result = body.run();
        return new Measured<>(result, usage == null ? null : usage.end(), aux == null ? null : aux.end());
    }

    /**
     * With {@code --sync}: the {@code sync} command (every dirty page of every file system written back), so that
     * what an earlier run left in the page cache is not written during the next one; the text says how long it took.
     */
    private String sync() throws InterruptedException {
        if (!f.sync) {
            return "";
        }
        long start = System.nanoTime();
        try {
            int rc = new ProcessBuilder("sync").inheritIO().start().waitFor();
            if (rc != 0) {
                return " (sync before it failed: exit " + rc + ")";
            }
        } catch (IOException e) {
            return " (sync before it failed: " + e.getMessage() + ")";
        }
        return String.format(Locale.ROOT, " (sync before it: %.2f s)", (System.nanoTime() - start) / 1e9);
    }

    /**
     * Waits (up to two minutes) until every partition of the topic has a leader and all its replicas in sync, so that
     * a new topic's leader elections and first fetches are not part of the warm-up's first records; says how long it
     * took, or how far it got.
     */
    private String awaitInSync(String bootstrap, Properties client) throws Exception {
        Properties p = new Properties();
        p.putAll(client);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MINUTES.toNanos(2);
        try (Admin admin = Admin.create(p)) {
            while (true) {
                String state;
                try {
                    List<TopicPartitionInfo> partitions = admin.describeTopics(List.of(f.topic))
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .get(f.topic)
                            .partitions();
                    long ready = partitions.stream()
                            .filter(i -> i.leader() != null
                                    && i.isr().size() == i.replicas().size())
                            .count();
                    state = ready + " of " + partitions.size() + " partitions in sync";
                    if (ready == partitions.size()) {
                        return String.format(Locale.ROOT, "%s after %.1f s", state, (System.nanoTime() - start) / 1e9);
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    state = "topic not described (" + e.getCause() + ")"; // not known everywhere yet
                }
                if (System.nanoTime() > deadline) {
                    return String.format(Locale.ROOT, "only %s after %.0f s", state, (System.nanoTime() - start) / 1e9);
                }
                Thread.sleep(500);
            }
        }
    }

    private void deleteTopic(Cluster c) {
        Properties p = new Properties();
        p.putAll(c.client);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrap);
        try (Admin admin = Admin.create(p)) {
            admin.deleteTopics(List.of(f.topic)).all().get(60, TimeUnit.SECONDS);
            System.out.printf(Locale.ROOT, "deleted topic %s on %s%n", f.topic, c.name);
        } catch (Exception e) {
            System.out.printf(Locale.ROOT, "could not delete topic %s on %s: %s%n", f.topic, c.name, e);
        }
    }

    private List<String> names() {
        return clusters.stream().map(Cluster::name).toList();
    }

    private List<Figures> figures() {
        return clusters.stream().map(Cluster::figures).toList();
    }

    private static void requireCluster(String flag, String name, Map<String, String> bootstraps) {
        if (!bootstraps.containsKey(name)) {
            throw new com.beust.jcommander.ParameterException(flag + " names " + name + ", which no --compare names");
        }
    }

    private static List<Long> parsePids(String spec) {
        List<Long> pids = new ArrayList<>();
        for (String s : spec.split(",")) {
            if (!s.isBlank()) {
                pids.add(Long.parseLong(s.strip()));
            }
        }
        return pids;
    }
}
