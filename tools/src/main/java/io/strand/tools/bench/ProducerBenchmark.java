package io.strand.tools.bench;

import com.beust.jcommander.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Producer benchmark with the stock Java client, runnable unchanged against any Kafka-compatible
 * bootstrap (Strand, Apache Kafka, ...): a throughput run (as fast as the client can send) and a
 * fixed-rate latency run reporting p50/p99/p99.9 of the send-to-acknowledgement time. Defaults: 1 KiB
 * records, a 6-partition RF=3 topic, acks=all. A warm-up of {@code --warmup-records} comes first
 * and is not counted. With {@code --compare}, several clusters alternately ({@link ProducerComparison}).
 *
 * <pre>bin/strand-bench producer --bootstrap-server 127.0.0.1:9092 --records 1000000 --rate 20000</pre>
 */
public final class ProducerBenchmark {
    static final class Flags {
        @Parameter(names = "--bootstrap-server", description = "where to produce")
        String bootstrap = "127.0.0.1:9092";

        @Parameter(names = "--topic")
        String topic = "strand-bench";

        @Parameter(names = "--partitions", description = "partitions of the topic if it is created")
        int partitions = 6;

        @Parameter(names = "--replication-factor", description = "replication factor of the topic if it is created")
        int replicationFactor = 3;

        @Parameter(names = "--record-size", description = "bytes per record value")
        int recordSize = 1024;

        @Parameter(names = "--records", description = "records in the throughput run")
        long records = 1_000_000;

        @Parameter(names = "--warmup-records", description = "records sent (and acknowledged) before measuring")
        long warmupRecords = 1_000_000;

        @Parameter(
                names = "--rate",
                description = "records/s of the fixed-rate latency runs, comma-separated: one run per rate (0 = none)")
        List<Integer> rates = new ArrayList<>(List.of(10_000));

        @Parameter(names = "--latency-seconds", description = "duration of the latency run")
        int latencySeconds = 30;

        @Parameter(names = "--acks")
        String acks = "all";

        @Parameter(
                names = "--producer-prop",
                splitter = io.strand.tools.cli.NoSplitter.class,
                description = "extra producer setting k=v (repeatable)")
        List<String> producerProps = new ArrayList<>();

        @Parameter(
                names = "--compare",
                splitter = io.strand.tools.cli.NoSplitter.class,
                description =
                        "name=bootstrap of a cluster to measure (repeatable): the runs "
                                + "alternate between the clusters round by round, and ratios are reported against the first one")
        List<String> compare = new ArrayList<>();

        @Parameter(names = "--rounds", description = "measured rounds per cluster with --compare")
        int rounds = 5;

        @Parameter(
                names = "--client-config",
                splitter = io.strand.tools.cli.NoSplitter.class,
                description = "name=file: Kafka client properties (e.g. security.protocol=SSL and the"
                        + " ssl.truststore.* settings) for the clients of cluster name, or of --bootstrap-server"
                        + " when the name is 'default' (repeatable)")
        List<String> clientConfigs = new ArrayList<>();

        @Parameter(
                names = "--ratio",
                splitter = io.strand.tools.cli.NoSplitter.class,
                description = "name/base: also report cluster name against cluster base with --compare"
                        + " (repeatable), e.g. strand-tls/strand")
        List<String> ratios = new ArrayList<>();

        @Parameter(
                names = "--pids",
                splitter = io.strand.tools.cli.NoSplitter.class,
                description = "name=pid,pid,...: the broker processes of cluster name, for their CPU time per record"
                        + " and RSS over each run (read from /proc; repeatable)")
        List<String> pids = new ArrayList<>();

        @Parameter(
                names = "--aux-pids",
                splitter = io.strand.tools.cli.NoSplitter.class,
                description = "name=pid,...: processes cluster name needs besides its brokers (Strand's ZooKeeper),"
                        + " measured like --pids and reported apart (repeatable)")
        List<String> auxPids = new ArrayList<>();

        @Parameter(
                names = "--ack-latency",
                splitter = io.strand.tools.cli.NoSplitter.class,
                description = "name=http://host:port,...: the HTTP listeners of a Strand cluster's brokers, whose"
                        + " acks=all latency breakdown (/api/local/ack-latency) is read around each latency run"
                        + " (repeatable)")
        List<String> ackLatency = new ArrayList<>();

        @Parameter(
                names = "--sync",
                arity = 1,
                description = "with --compare: run sync before each measured run, so that the page-cache writeback"
                        + " of one cluster's run does not land in the next one's")
        boolean sync = false;

        @Parameter(
                names = "--consume-records",
                description = "with --compare: records a new consumer group reads from the topic's beginning, per"
                        + " cluster per round, after the producer rounds (0 = no consumer runs; compare-kafka"
                        + " passes 100000)")
        long consumeRecords = 0;

        @Parameter(
                names = "--delete-topic",
                description = "with --compare: delete the topic on every cluster at the end (its data is gigabytes)")
        boolean deleteTopic = false;
    }

    private ProducerBenchmark() {}

    public static void main(String[] args) throws Exception {
        Flags f = new Flags();
        if (!BenchArgs.parse("strand-bench producer", f, args)) {
            return;
        }
        if (!f.compare.isEmpty()) {
            ProducerComparison.run(f);
            return;
        }
        Properties client = clientConfig(f, "default");
        ensureTopic(f.bootstrap, f.topic, f.partitions, (short) f.replicationFactor, Map.of(), client);
        Properties p = producerProps(f, f.bootstrap, client);
        byte[] value = new byte[f.recordSize];
        new Random(1).nextBytes(value);
        System.out.printf(
                Locale.ROOT,
                "bootstrap=%s topic=%s record=%dB acks=%s producer=%s%n",
                f.bootstrap,
                f.topic,
                f.recordSize,
                f.acks,
                p);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            if (f.warmupRecords > 0) {
                Run warm = throughput(producer, f.topic, value, f.warmupRecords);
                System.out.printf(Locale.ROOT, "warm-up: %s%n", warm);
            }
            Run run = throughput(producer, f.topic, value, f.records);
            System.out.printf(Locale.ROOT, "RESULT throughput: %s%n", run);
            for (int rate : f.rates) {
                if (rate > 0) {
                    Run latency = fixedRate(producer, f.topic, value, rate, f.latencySeconds);
                    System.out.printf(Locale.ROOT, "RESULT latency at %d records/s: %s%n", rate, latency);
                }
            }
        }
    }

    /** The client properties file given for cluster {@code name} with --client-config, or none. */
    static Properties clientConfig(Flags f, String name) throws java.io.IOException {
        Properties p = new Properties();
        String file = BenchArgs.named("--client-config", f.clientConfigs).get(name);
        if (file != null) {
            try (java.io.Reader in = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of(file))) {
                p.load(in);
            }
        }
        return p;
    }

    static Properties producerProps(Flags f, String bootstrap, Properties client) {
        Properties p = baseProducerProps(bootstrap);
        p.putAll(client);
        p.put(ProducerConfig.ACKS_CONFIG, f.acks);
        for (String kv : f.producerProps) {
            int eq = kv.indexOf('=');
            p.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return p;
    }

    /**
     * The producer settings every benchmark shares: byte-array keys and values, {@code linger.ms=5},
     * 64 KiB batches (acks, idempotence and the rest at the client's defaults).
     */
    static Properties baseProducerProps(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        return p;
    }

    /** One run's outcome. */
    record Run(long records, long errors, double seconds, long[] latenciesMicros, int recordSize) {
        @Override
        public String toString() {
            long[] l = latenciesMicros.clone();
            Arrays.sort(l);
            double rps = records / seconds;
            return String.format(
                    Locale.ROOT,
                    "%d records in %.2f s = %.0f records/s, %.1f MB/s; errors %d; "
                            + "latency ms p50 %.2f p99 %.2f p99.9 %.2f max %.2f",
                    records,
                    seconds,
                    rps,
                    rps * recordSize / 1e6,
                    errors,
                    pct(l, 0.50),
                    pct(l, 0.99),
                    pct(l, 0.999),
                    l.length == 0 ? 0 : l[l.length - 1] / 1000.0);
        }

        static double pct(long[] sorted, double q) {
            if (sorted.length == 0) {
                return 0;
            }
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1000.0;
        }
    }

    static Run throughput(KafkaProducer<byte[], byte[]> producer, String topic, byte[] value, long n)
            throws InterruptedException {
        return throughput(producer, n, i -> new ProducerRecord<>(topic, value), value.length);
    }

    /**
     * Sends {@code n} records, {@code record.apply(i)} for i = 0..n-1, as fast as the client takes
     * them, and waits for every acknowledgement: records/s over the whole run and each record's
     * send-to-acknowledgement time.
     */
    static Run throughput(
            KafkaProducer<byte[], byte[]> producer,
            long n,
            LongFunction<ProducerRecord<byte[], byte[]>> record,
            int recordSize)
            throws InterruptedException {
        long[] latencies = new long[(int) Math.min(n, 5_000_000)];
        AtomicLong errors = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch((int) n);
        long start = System.nanoTime();
        for (long i = 0; i < n; i++) {
            long sent = System.nanoTime();
            int slot = (int) (i % latencies.length);
            producer.send(record.apply(i), (md, e) -> {
                latencies[slot] = (System.nanoTime() - sent) / 1000;
                if (e != null) {
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, e);
                }
                done.countDown();
            });
        }
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (firstError.get() != null) {
            System.out.println("first error: " + firstError.get());
        }
        return new Run(n, errors.get(), seconds, latencies, recordSize);
    }

    /**
     * Sends {@code rate} records/s for {@code seconds}, each when it is due (unless send() blocks on a full client
     * buffer), and waits for every acknowledgement: each record's send-to-acknowledgement time.
     */
    static Run fixedRate(KafkaProducer<byte[], byte[]> producer, String topic, byte[] value, int rate, int seconds)
            throws InterruptedException {
        int n = rate * seconds;
        long[] latencies = new long[n];
        AtomicLong errors = new AtomicLong();
        CountDownLatch done = new CountDownLatch(n);
        long start = System.nanoTime();
        long intervalNanos = 1_000_000_000L / rate;
        for (int i = 0; i < n; i++) {
            long due = start + i * intervalNanos;
            long now;
            while ((now = System.nanoTime()) < due) {
                if (due - now > 200_000) {
                    TimeUnit.NANOSECONDS.sleep(due - now - 100_000);
                }
            }
            int slot = i;
            long sent = System.nanoTime();
            producer.send(new ProducerRecord<>(topic, value), (md, e) -> {
                latencies[slot] = (System.nanoTime() - sent) / 1000;
                if (e != null) {
                    errors.incrementAndGet();
                }
                done.countDown();
            });
        }
        done.await();
        return new Run(n, errors.get(), (System.nanoTime() - start) / 1e9, latencies, value.length);
    }

    /** Partitions created or added by one admin request. */
    private static final int PARTITIONS_PER_REQUEST = 2_000;

    /** Creates {@code topic} unless it exists. */
    static void ensureTopic(String bootstrap, String topic, int partitions, short replicationFactor) throws Exception {
        ensureTopic(bootstrap, topic, partitions, replicationFactor, Map.of());
    }

    /** Creates {@code topic} with the topic configs {@code configs} unless it exists. */
    static void ensureTopic(
            String bootstrap, String topic, int partitions, short replicationFactor, Map<String, String> configs)
            throws Exception {
        ensureTopic(bootstrap, topic, partitions, replicationFactor, configs, new Properties());
    }

    /**
     * As above, the admin client with {@code client}'s settings (security) too.
     *
     * @return whether it created the topic (false: it existed)
     */
    static boolean ensureTopic(
            String bootstrap,
            String topic,
            int partitions,
            short replicationFactor,
            Map<String, String> configs,
            Properties client)
            throws Exception {
        Properties p = new Properties();
        p.putAll(client);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (Admin admin = Admin.create(p)) {
            while (true) {
                try {
                    // KRaft refuses an operation of more than 10,000 records, and Strand writes a topic or the
                    // partitions added in one ZooKeeper multi (jute.maxbuffer, 1 MiB): a larger topic is created in
                    // steps
                    int first = Math.min(partitions, PARTITIONS_PER_REQUEST);
                    admin.createTopics(List.of(new NewTopic(topic, first, replicationFactor).configs(configs)))
                            .all()
                            .get();
                    for (int n = first; n < partitions; ) {
                        n = Math.min(partitions, n + PARTITIONS_PER_REQUEST);
                        admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(n)))
                                .all()
                                .get();
                    }
                    System.out.println("created topic " + topic);
                    return true;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof TopicExistsException) return false;
                    // a cluster just started may not have every broker registered (KRaft: unfenced) yet
                    if (!(e.getCause() instanceof InvalidReplicationFactorException) || System.nanoTime() > deadline)
                        throw e;
                    Thread.sleep(1000);
                }
            }
        }
    }
}
