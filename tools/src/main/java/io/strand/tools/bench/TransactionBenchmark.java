package io.strand.tools.bench;

import com.beust.jcommander.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Transactional throughput: a Java transactional producer committing every N records (1 KiB, on a
 * 6-partition RF=3 topic), records/s and commit latency (p50/p99 of commitTransaction), measured on
 * several clusters alternately, round by round after a warm-up of each, with ratios to the first.
 */
public final class TransactionBenchmark {
    static final class Flags {
        @Parameter(
                names = "--compare",
                splitter = io.strand.tools.cli.NoSplitter.class,
                description = "name=bootstrap of a cluster to measure (repeatable); ratios are to the first",
                required = true)
        List<String> compare = new ArrayList<>();

        @Parameter(names = "--topic")
        String topic = "strand-bench-txn";

        @Parameter(names = "--partitions")
        int partitions = 6;

        @Parameter(names = "--replication-factor")
        short replicationFactor = 3;

        @Parameter(names = "--record-size")
        int recordSize = 1024;

        @Parameter(names = "--records", description = "records per measured run")
        long records = 200_000;

        @Parameter(names = "--warmup-records", description = "records sent (committing every 1000) before measuring")
        long warmupRecords = 1_000_000;

        @Parameter(names = "--commit-every", description = "records per transaction (repeatable)")
        List<Integer> commitEvery = new ArrayList<>(List.of(100, 1000));

        @Parameter(names = "--rounds")
        int rounds = 3;
    }

    /** One run: records/s and the commit latencies in microseconds. */
    record Run(long records, double seconds, long[] commitMicros) {
        double rps() {
            return records / seconds;
        }

        double commitMs(double q) {
            long[] s = commitMicros.clone();
            Arrays.sort(s);
            return ProducerBenchmark.Run.pct(s, q);
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%d records in %.2f s = %.0f records/s; %d commits, ms p50 %.2f p99 %.2f",
                    records,
                    seconds,
                    rps(),
                    commitMicros.length,
                    commitMs(0.50),
                    commitMs(0.99));
        }
    }

    private TransactionBenchmark() {}

    public static void main(String[] args) throws Exception {
        Flags f = new Flags();
        if (!BenchArgs.parse("strand-bench transactions", f, args)) {
            return;
        }
        byte[] value = new byte[f.recordSize];
        new Random(1).nextBytes(value);
        List<String> names = new ArrayList<>();
        List<KafkaProducer<byte[], byte[]>> producers = new ArrayList<>();
        try {
            for (Map.Entry<String, String> cluster :
                    BenchArgs.named("--compare", f.compare).entrySet()) {
                String name = cluster.getKey();
                String bootstrap = cluster.getValue();
                ProducerBenchmark.ensureTopic(bootstrap, f.topic, f.partitions, f.replicationFactor);
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props(bootstrap, name));
                producer.initTransactions();
                names.add(name);
                producers.add(producer);
                System.out.printf(Locale.ROOT, "%s: %s%n", name, bootstrap);
            }
            for (int c = 0; c < names.size(); c++) {
                System.out.printf(
                        Locale.ROOT,
                        "warm-up %s: %s%n",
                        names.get(c),
                        run(producers.get(c), f.topic, value, f.warmupRecords, 1000));
            }
            for (int every : f.commitEvery) {
                List<List<Double>> rps = new ArrayList<>();
                List<List<Double>> p50 = new ArrayList<>();
                List<List<Double>> p99 = new ArrayList<>();
                for (int c = 0; c < names.size(); c++) {
                    rps.add(new ArrayList<>());
                    p50.add(new ArrayList<>());
                    p99.add(new ArrayList<>());
                }
                List<Integer> clusters = new ArrayList<>();
                for (int c = 0; c < names.size(); c++) {
                    clusters.add(c);
                }
                for (int round = 1; round <= f.rounds; round++) {
                    for (int c : Rounds.order(clusters, round)) {
                        Run r = run(producers.get(c), f.topic, value, f.records, every);
                        rps.get(c).add(r.rps());
                        p50.get(c).add(r.commitMs(0.50));
                        p99.get(c).add(r.commitMs(0.99));
                        System.out.printf(
                                Locale.ROOT, "round %d commit every %d %s: %s%n", round, every, names.get(c), r);
                    }
                }
                System.out.printf(
                        Locale.ROOT,
                        "%nSUMMARY commit every %d records, %d rounds (median [min-max]; ratio = median of the "
                                + "per-round ratios to %s)%n",
                        every,
                        f.rounds,
                        names.get(0));
                for (int c = 0; c < names.size(); c++) {
                    System.out.printf(
                            Locale.ROOT,
                            "%-14s throughput %s records/s%s; commit ms p50 %s, p99 %s%s%n",
                            names.get(c),
                            Rounds.spread(rps.get(c)),
                            c == 0 ? "" : " (ratio " + Rounds.ratio(rps.get(c), rps.get(0)) + ")",
                            Rounds.spread(p50.get(c)),
                            Rounds.spread(p99.get(c)),
                            c == 0 ? "" : " (p99 ratio " + Rounds.ratio(p99.get(c), p99.get(0)) + ")");
                }
            }
        } finally {
            producers.forEach(KafkaProducer::close);
        }
    }

    private static Properties props(String bootstrap, String name) {
        Properties p = ProducerBenchmark.baseProducerProps(bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "strand-bench-txn-" + name);
        return p;
    }

    /** {@code n} records in transactions of {@code every} records each. */
    private static Run run(KafkaProducer<byte[], byte[]> producer, String topic, byte[] value, long n, int every) {
        long transactions = (n + every - 1) / every;
        long[] commits = new long[(int) transactions];
        long start = System.nanoTime();
        long sent = 0;
        for (int t = 0; t < transactions; t++) {
            producer.beginTransaction();
            for (int i = 0; i < every && sent < n; i++, sent++) {
                producer.send(new ProducerRecord<>(topic, value));
            }
            long c = System.nanoTime();
            producer.commitTransaction();
            commits[t] = (System.nanoTime() - c) / 1000;
        }
        return new Run(n, (System.nanoTime() - start) / 1e9, commits);
    }
}
