package io.strand.tools.bench;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParameterException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Share-group (KIP-932) delivery throughput on several clusters alternately (Apache Kafka, Strand):
 * records/s acknowledged by {@code KafkaShareConsumer}s (kafka-clients, threads of this JVM) sharing
 * one partition.
 *
 * <p>Per cluster, a 1-partition topic is filled once with {@code --records} records of {@code
 * --record-size} bytes. Each round, for each number of consumers in {@code --consumers}, a fresh
 * share group is given {@code share.auto.offset.reset=earliest} (Admin incrementalAlterConfigs on
 * the GROUP resource) and that many consumers subscribe to the topic and poll, acknowledging every
 * record they get ({@code --acknowledgement implicit}: by the next poll; {@code explicit}: {@code
 * acknowledge(record)} for each, sent with the next poll). A record counts as acknowledged when the
 * consumer's acknowledgement commit callback reports its offset without an error. The figure is
 * records acknowledged per second <em>while every consumer consumes</em>: from the moment the last
 * consumer's poll first returned records until {@code --records} are acknowledged, the records
 * acknowledged in that window over its length (so that a member's join, which the group
 * coordinator answers at a heartbeat, does not count as delivery time). The time from the start to
 * the first record and the rate over the whole delivery (first record to last acknowledgement) are
 * printed too. Every other setting is the client's and the broker's default.
 *
 * <p>A cluster that does not finalize the {@code share.version} feature (does not serve share
 * groups), or whose share consumer gets no record within {@code --probe-seconds} of a first, uncounted
 * probe, is reported and left out. A cluster that refuses {@code share.auto.offset.reset} as a group
 * config gets each fresh group's start offset set to 0 by Admin {@code alterShareGroupOffsets}
 * instead (the same start; said in the output).
 *
 * <pre>bin/strand-bench compare-kafka --share --rounds 3</pre>
 */
public final class ShareGroupBenchmark {
    static final class Flags {
        @Parameter(
                names = "--compare",
                splitter = io.strand.tools.cli.NoSplitter.class,
                description = "name=bootstrap of a cluster to measure (repeatable); ratios are to the first",
                required = true)
        List<String> compare = new ArrayList<>();

        @Parameter(names = "--topic")
        String topic = "strand-bench-share";

        @Parameter(names = "--replication-factor")
        short replicationFactor = 3;

        @Parameter(names = "--records", description = "records in the topic, all acknowledged per round")
        long records = 200_000;

        @Parameter(names = "--record-size", description = "bytes per record value")
        int recordSize = 1024;

        @Parameter(names = "--consumers", description = "numbers of consumers to measure with")
        List<Integer> consumers = new ArrayList<>(List.of(1, 3));

        @Parameter(names = "--acknowledgement", description = "implicit or explicit")
        String acknowledgement = "implicit";

        @Parameter(names = "--rounds", description = "measured rounds per number of consumers and cluster")
        int rounds = 3;

        @Parameter(names = "--warmup-rounds", description = "uncounted rounds (one consumer) per cluster first")
        int warmupRounds = 1;

        @Parameter(names = "--timeout-seconds", description = "longest wait for a round's records to be acknowledged")
        int timeoutSeconds = 300;

        @Parameter(
                names = "--probe-seconds",
                description = "longest wait for a first record to a share consumer before the rounds (else the"
                        + " cluster is left out)")
        int probeSeconds = 60;
    }

    /** A cluster under test. */
    record Cluster(String name, String bootstrap, Admin admin) {}

    /** One round: acknowledged records/s while all consumed, over the whole delivery, ms to the first. */
    record Outcome(double rps, double wholeRps, double firstMs) {
        static final Outcome FAILED = new Outcome(Double.NaN, Double.NaN, Double.NaN);
    }

    private final Flags f;
    private final String prefix = "strand-bench-share-" + Long.toString(System.currentTimeMillis(), 36);
    /** The clusters that refuse share.auto.offset.reset as a group config (see startAtEarliest). */
    private final Set<String> byOffsets = new HashSet<>();

    private ShareGroupBenchmark(Flags f) {
        this.f = f;
    }

    public static void main(String[] args) throws Exception {
        Flags f = new Flags();
        if (!BenchArgs.parse("strand-bench share", f, args)) {
            return;
        }
        if (!List.of("implicit", "explicit").contains(f.acknowledgement)) {
            throw new ParameterException("--acknowledgement: implicit or explicit, not " + f.acknowledgement);
        }
        ShareGroupBenchmark bench = new ShareGroupBenchmark(f);
        List<Cluster> clusters = new ArrayList<>();
        try {
            for (Map.Entry<String, String> c :
                    BenchArgs.named("--compare", f.compare).entrySet()) {
                Properties p = new Properties();
                p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.getValue());
                Cluster cluster = new Cluster(c.getKey(), c.getValue(), Admin.create(p));
                FinalizedVersionRange share = cluster.admin()
                        .describeFeatures()
                        .featureMetadata()
                        .get()
                        .finalizedFeatures()
                        .get("share.version");
                if (share == null || share.maxVersionLevel() < 1) {
                    System.out.printf(
                            Locale.ROOT,
                            "%s: %s does not serve share groups (share.version not finalized): left out%n",
                            c.getKey(),
                            c.getValue());
                    cluster.admin().close();
                    continue;
                }
                bench.fill(cluster);
                if (!bench.probe(cluster)) {
                    cluster.admin().close();
                    continue;
                }
                clusters.add(cluster);
                System.out.printf(
                        Locale.ROOT, "%s: %s, share.version %d%n", c.getKey(), c.getValue(), share.maxVersionLevel());
            }
            if (clusters.isEmpty()) {
                System.out.println("no cluster serves share groups");
                return;
            }
            bench.run(clusters);
        } finally {
            clusters.forEach(c -> c.admin().close());
        }
    }

    /** Creates the topic unless it exists and fills it up to {@code --records} records. */
    private void fill(Cluster c) throws Exception {
        ProducerBenchmark.ensureTopic(c.bootstrap(), f.topic, 1, f.replicationFactor);
        TopicPartition tp = new TopicPartition(f.topic, 0);
        long end = c.admin()
                .listOffsets(Map.of(tp, OffsetSpec.latest()))
                .partitionResult(tp)
                .get()
                .offset();
        if (end >= f.records) {
            return;
        }
        byte[] value = new byte[f.recordSize];
        new Random(1).nextBytes(value);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(ProducerBenchmark.baseProducerProps(c.bootstrap()))) {
            ProducerBenchmark.Run r = ProducerBenchmark.throughput(
                    producer, f.records - end, i -> new ProducerRecord<>(f.topic, 0, null, value), f.recordSize);
            System.out.printf(Locale.ROOT, "filled %s on %s: %s%n", f.topic, c.name(), r);
        }
    }

    /**
     * Has the share group {@code group} start at the topic's first offset: {@code
     * share.auto.offset.reset=earliest} set on the group (Admin incrementalAlterConfigs on the GROUP
     * resource), or, on a cluster that refuses that, the group's start offset set to 0 by Admin
     * alterShareGroupOffsets while the group has no members (the same start for a fresh group).
     */
    private void startAtEarliest(Cluster c, String group) throws Exception {
        if (!byOffsets.contains(c.name())) {
            try {
                c.admin()
                        .incrementalAlterConfigs(Map.of(
                                new ConfigResource(ConfigResource.Type.GROUP, group),
                                List.of(new AlterConfigOp(
                                        new ConfigEntry("share.auto.offset.reset", "earliest"),
                                        AlterConfigOp.OpType.SET))))
                        .all()
                        .get();
                return;
            } catch (ExecutionException e) {
                System.out.printf(
                        Locale.ROOT,
                        "%s refuses share.auto.offset.reset as a group config (%s): its share groups start at"
                                + " offset 0 by alterShareGroupOffsets instead%n",
                        c.name(),
                        e.getCause());
                byOffsets.add(c.name());
            }
        }
        c.admin()
                .alterShareGroupOffsets(group, Map.of(new TopicPartition(f.topic, 0), 0L))
                .all()
                .get();
    }

    /**
     * Whether a share consumer gets a record from {@code c} within {@code --probe-seconds}: a cluster
     * may finalize share.version (serve share-group membership) without serving ShareFetch yet.
     */
    private boolean probe(Cluster c) throws Exception {
        String group = prefix + "-probe-" + c.name();
        Progress progress = new Progress(1);
        Thread t = null;
        try {
            startAtEarliest(c, group);
            Properties p = consumerProps(c, group, 0);
            t = new Thread(() -> consume(p, 0, progress), "bench-share-probe");
            t.setDaemon(true);
            t.start();
            long start = System.nanoTime();
            if (progress.awaitFirst(start + TimeUnit.SECONDS.toNanos(f.probeSeconds))) {
                System.out.printf(
                        Locale.ROOT,
                        "%s: first record to a share consumer after %.0f ms%n",
                        c.name(),
                        (progress.firstAt[0] - start) / 1e6);
                return true;
            }
            System.out.printf(
                    Locale.ROOT,
                    "%s: no record reached a share consumer in %d s (error %s): left out%n",
                    c.name(),
                    f.probeSeconds,
                    progress.error.get());
            return false;
        } catch (ExecutionException e) {
            System.out.printf(Locale.ROOT, "%s: cannot start a share group at offset 0 (%s): left out%n", c.name(), e);
            return false;
        } finally {
            progress.stopped = true;
            if (t != null) {
                t.join(TimeUnit.SECONDS.toMillis(60));
            }
        }
    }

    private Properties consumerProps(Cluster c, String group, int i) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-share-" + i);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, f.acknowledgement);
        return p;
    }

    private void run(List<Cluster> clusters) throws Exception {
        System.out.printf(
                Locale.ROOT,
                "topic %s: 1 partition, %d records of %d B; %s acknowledgement%n",
                f.topic,
                f.records,
                f.recordSize,
                f.acknowledgement);
        for (int w = 1; w <= f.warmupRounds; w++) {
            for (Cluster c : clusters) {
                round(c, 1, "warm-up " + w);
            }
        }
        Map<String, List<Double>> rps = new LinkedHashMap<>();
        Map<String, List<Double>> whole = new LinkedHashMap<>();
        Map<String, List<Double>> first = new LinkedHashMap<>();
        for (int n : f.consumers) {
            for (int round = 1; round <= f.rounds; round++) {
                for (Cluster c : Rounds.order(clusters, round)) {
                    Outcome o = round(c, n, "round " + round);
                    String key = n + "/" + c.name();
                    rps.computeIfAbsent(key, k -> new ArrayList<>()).add(o.rps());
                    whole.computeIfAbsent(key, k -> new ArrayList<>()).add(o.wholeRps());
                    first.computeIfAbsent(key, k -> new ArrayList<>()).add(o.firstMs());
                }
            }
        }
        Cluster base = clusters.get(0);
        System.out.printf(
                Locale.ROOT,
                "%nSUMMARY share-group delivery, %d records on 1 partition, %s acknowledgement, %d rounds"
                        + " (records/s acknowledged while every consumer consumes, median [min-max]; ratio ="
                        + " median of the per-round ratios to %s; whole delivery from the first record; ms to"
                        + " the first record)%n",
                f.records,
                f.acknowledgement,
                f.rounds,
                base.name());
        for (int n : f.consumers) {
            String baseKey = n + "/" + base.name();
            for (Cluster c : clusters) {
                String key = n + "/" + c.name();
                System.out.printf(
                        Locale.ROOT,
                        "%d consumer(s) %-14s %s records/s%s; whole delivery %s records/s; first record %s ms%n",
                        n,
                        c.name(),
                        Rounds.spread(rps.get(key), "%.0f"),
                        c == base ? "" : " (ratio " + Rounds.ratio(rps.get(key), rps.get(baseKey)) + ")",
                        Rounds.spread(whole.get(key), "%.0f"),
                        Rounds.spread(first.get(key), "%.0f"));
            }
        }
    }

    /** {@code n} consumers in a fresh share group acknowledge the topic's records; see the class comment. */
    private Outcome round(Cluster c, int n, String label) throws Exception {
        String group = prefix + "-" + n + "-" + label.replace(' ', '-') + "-" + c.name();
        startAtEarliest(c, group);
        Progress progress = new Progress(n);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Properties p = consumerProps(c, group, i);
            int index = i;
            Thread t = new Thread(() -> consume(p, index, progress), "bench-share-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        try {
            if (!progress.await(f.records, System.nanoTime() + TimeUnit.SECONDS.toNanos(f.timeoutSeconds))) {
                System.out.printf(
                        Locale.ROOT,
                        "%s %s %d consumer(s): only %d of %d records acknowledged in %d s (%d failed, error %s)%n",
                        label,
                        c.name(),
                        n,
                        progress.acked.get(),
                        f.records,
                        f.timeoutSeconds,
                        progress.failedAcks.get(),
                        progress.error.get());
                return Outcome.FAILED;
            }
            Outcome o = progress.outcome(start, f.records);
            System.out.printf(
                    Locale.ROOT,
                    "%s %s %d consumer(s): %.0f records/s acknowledged while all consumed (%d of the records, in"
                            + " %.2f s), %.0f records/s over the whole delivery, first record after %.0f ms;"
                            + " delivered %s, failed acknowledgements %d%n",
                    label,
                    c.name(),
                    n,
                    o.rps(),
                    f.records - progress.ackedWhenAll,
                    (progress.doneAt - progress.allAt) / 1e9,
                    o.wholeRps(),
                    o.firstMs(),
                    progress.deliveries(),
                    progress.failedAcks.get());
            return o;
        } finally {
            progress.stopped = true;
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(60));
            }
        }
    }

    private void consume(Properties props, int index, Progress progress) {
        try (KafkaShareConsumer<byte[], byte[]> consumer = new KafkaShareConsumer<>(props)) {
            consumer.setAcknowledgementCommitCallback((offsets, e) -> {
                long count = offsets.values().stream().mapToLong(s -> s.size()).sum();
                if (e == null) {
                    progress.acknowledged(count);
                } else {
                    progress.failedAcks.addAndGet(count);
                }
            });
            consumer.subscribe(List.of(f.topic));
            boolean explicit = f.acknowledgement.equals("explicit");
            while (!progress.stopped) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    progress.delivered(index, records.count());
                    if (explicit) {
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            consumer.acknowledge(r);
                        }
                    }
                }
            }
        } catch (Exception e) {
            progress.error.compareAndSet(null, e);
        }
    }

    /** A round's counts and moments, shared by its consumers' threads. */
    private static final class Progress {
        final AtomicLong acked = new AtomicLong();
        final AtomicLong failedAcks = new AtomicLong();
        final AtomicReference<Exception> error = new AtomicReference<>();
        final long[] firstAt;
        final long[] delivered;
        /** Per consumer, the polls that returned records. */
        final long[] polls;

        volatile boolean stopped;
        long allAt;
        long ackedWhenAll;
        long doneAt;
        private long target = Long.MAX_VALUE;

        Progress(int consumers) {
            firstAt = new long[consumers];
            delivered = new long[consumers];
            polls = new long[consumers];
        }

        synchronized void delivered(int consumer, int records) {
            if (firstAt[consumer] == 0) {
                firstAt[consumer] = System.nanoTime();
                if (allAt == 0 && java.util.Arrays.stream(firstAt).allMatch(t -> t != 0)) {
                    allAt = firstAt[consumer];
                    ackedWhenAll = acked.get();
                }
            }
            delivered[consumer] += records;
            polls[consumer]++;
            notifyAll();
        }

        /** Waits until the first consumer's poll returned records (true) or the deadline or an error. */
        synchronized boolean awaitFirst(long deadline) throws InterruptedException {
            while (firstAt[0] == 0 && error.get() == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
            return firstAt[0] != 0;
        }

        synchronized void acknowledged(long records) {
            if (acked.addAndGet(records) >= target && doneAt == 0) {
                doneAt = System.nanoTime();
                notifyAll();
            }
        }

        synchronized boolean await(long records, long deadline) throws InterruptedException {
            target = records;
            while (acked.get() < records && error.get() == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
            if (doneAt == 0) {
                doneAt = System.nanoTime();
            }
            return error.get() == null;
        }

        synchronized Outcome outcome(long start, long records) {
            long first =
                    java.util.Arrays.stream(firstAt).filter(t -> t != 0).min().orElse(doneAt);
            double whole = records / ((doneAt - first) / 1e9);
            if (allAt == 0) {
                // some consumer never got a record: all the consuming there was
                allAt = first;
                ackedWhenAll = 0;
            }
            double rps = (records - ackedWhenAll) / ((doneAt - allAt) / 1e9);
            return new Outcome(rps, whole, (first - start) / 1e6);
        }

        /** Records delivered per consumer, and per poll that returned any. */
        synchronized String deliveries() {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < delivered.length; i++) {
                s.append(i == 0 ? "" : ", ")
                        .append(delivered[i])
                        .append(String.format(
                                Locale.ROOT, " (%.0f per poll)", delivered[i] / (double) Math.max(polls[i], 1)));
            }
            return s.toString();
        }
    }
}
