package io.strand.tools.bench;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParameterException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Rebalance time when a member joins a consuming group, on several clusters alternately (Apache
 * Kafka, Strand), for three group protocols:
 *
 * <ul>
 *   <li>{@code eager}: the classic protocol with the client's {@link RangeAssignor} (every member
 *       gives up all its partitions, then gets its new ones);
 *   <li>{@code cooperative}: the classic protocol with {@link CooperativeStickyAssignor} (only the
 *       partitions that move are revoked, in a first rebalance, and assigned in a second);
 *   <li>{@code consumer}: KIP-848 ({@code group.protocol=consumer}), the broker's {@code uniform}
 *       assignor ({@code group.remote.assignor}); members learn of changes at their heartbeats.
 * </ul>
 *
 * <p>Each round, on each cluster and for each protocol: a background producer sends {@code --rate}
 * records/s to a {@code --partitions}-partition topic (round-robin over the partitions, so every
 * partition gets a record every partitions/rate seconds); three consumers (threads of this JVM,
 * {@code auto.offset.reset=latest}, every other setting at the client's default) join a fresh group
 * and consume; once the group is consuming (as defined below) with the three and {@code
 * --settle-ms} plus a random wait below {@code --jitter-ms} (drawn per round and protocol, the same
 * on every cluster: the members' heartbeats keep the phase of their joins, so a fixed wait would put
 * the join at the same point of every heartbeat interval) has passed, a fourth consumer subscribes. The figure is the time from just before the
 * fourth's {@code subscribe()} to the first moment the group of four is <em>consuming</em>, which is
 * when both hold:
 *
 * <ol>
 *   <li>the assignment is final: the partitions the four members own (as their rebalance listeners
 *       last reported: onPartitionsAssigned adds, onPartitionsRevoked and onPartitionsLost remove)
 *       are disjoint, cover the topic and are balanced (each member owns partitions/4, rounded down
 *       or up; every one of the three assignors ends there, and none passes through such a state
 *       before its last step);
 *   <li>every member has, since the fourth's subscribe() and since it last gained the partition,
 *       had poll() return a record of every partition it owns.
 * </ol>
 *
 * The time until (1) alone is reported too ("assigned"). A member that keeps a partition through the
 * rebalance (cooperative, consumer) only needs to poll a record of it after the join; one that loses
 * and regains it (eager) must poll one after regaining it. A round that does not get there within
 * {@code --timeout-seconds} counts as failed. The first {@code --warmup-rounds} of each protocol on
 * each cluster are not counted. Results are median [min-max] per protocol and cluster, with the
 * median of the per-round ratios to the first cluster (below 1: faster).
 *
 * <p>The group settings are the brokers' (both default to Kafka's: {@code
 * group.initial.rebalance.delay.ms} 3000, which only delays the first rebalance of an empty classic
 * group, hence the three members' start, not the measured join; consumer groups' heartbeat interval
 * 5000 ms) and the clients' defaults (classic heartbeat.interval.ms 3000, session.timeout.ms
 * 45000).
 *
 * <pre>bin/strand-bench compare-kafka --rebalance --rounds 5</pre>
 */
public final class RebalanceBenchmark {
    static final class Flags {
        @Parameter(
                names = "--compare",
                splitter = io.strand.tools.cli.NoSplitter.class,
                description = "name=bootstrap of a cluster to measure (repeatable); ratios are to the first",
                required = true)
        List<String> compare = new ArrayList<>();

        @Parameter(names = "--topic")
        String topic = "strand-bench-rebalance";

        @Parameter(names = "--partitions", description = "partitions of the topic if it is created")
        int partitions = 60;

        @Parameter(names = "--replication-factor")
        short replicationFactor = 3;

        @Parameter(names = "--rate", description = "records/s of the background producer")
        int rate = 3000;

        @Parameter(names = "--record-size", description = "bytes per record value")
        int recordSize = 100;

        @Parameter(names = "--modes", description = "protocols: eager, cooperative, consumer")
        List<String> modes = new ArrayList<>(List.of("eager", "cooperative", "consumer"));

        @Parameter(names = "--members", description = "members consuming before one more joins")
        int members = 3;

        @Parameter(names = "--rounds", description = "measured rounds per protocol and cluster")
        int rounds = 5;

        @Parameter(names = "--warmup-rounds", description = "uncounted rounds per protocol and cluster first")
        int warmupRounds = 1;

        @Parameter(names = "--settle-ms", description = "how long the first members consume before one more joins")
        int settleMs = 2000;

        @Parameter(
                names = "--jitter-ms",
                description = "a further wait before the join, drawn from [0, this) per round and protocol (the same on"
                        + " every cluster), so that the join falls anywhere within the members' heartbeat intervals")
        int jitterMs = 5000;

        @Parameter(names = "--timeout-seconds", description = "longest wait for a group to be consuming")
        int timeoutSeconds = 90;
    }

    /** A group protocol and the consumer settings that select it. */
    enum Mode {
        EAGER("classic", RangeAssignor.class.getName()),
        COOPERATIVE("classic", CooperativeStickyAssignor.class.getName()),
        CONSUMER("consumer", null);

        final String protocol;
        final String assignor;

        Mode(String protocol, String assignor) {
            this.protocol = protocol;
            this.assignor = assignor;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Mode of(String name) {
            for (Mode m : values()) {
                if (m.label().equals(name)) {
                    return m;
                }
            }
            throw new ParameterException("--modes: eager, cooperative or consumer, not " + name);
        }
    }

    /** A cluster under test and its background producer. */
    record Cluster(String name, String bootstrap, KafkaProducer<byte[], byte[]> producer) {}

    /** One round's outcome: milliseconds from the join to a final assignment and to consuming. */
    record Outcome(double assignedMs, double consumingMs) {
        static final Outcome FAILED = new Outcome(Double.NaN, Double.NaN);
    }

    private final Flags f;
    private final String prefix = "strand-bench-rebalance-" + Long.toString(System.currentTimeMillis(), 36);

    private RebalanceBenchmark(Flags f) {
        this.f = f;
    }

    public static void main(String[] args) throws Exception {
        Flags f = new Flags();
        if (!BenchArgs.parse("strand-bench rebalance", f, args)) {
            return;
        }
        List<Mode> modes = f.modes.stream().map(Mode::of).toList();
        List<Cluster> clusters = new ArrayList<>();
        try {
            for (Map.Entry<String, String> c :
                    BenchArgs.named("--compare", f.compare).entrySet()) {
                ProducerBenchmark.ensureTopic(c.getValue(), f.topic, f.partitions, f.replicationFactor);
                clusters.add(new Cluster(
                        c.getKey(),
                        c.getValue(),
                        new KafkaProducer<>(ProducerBenchmark.baseProducerProps(c.getValue()))));
                System.out.printf(Locale.ROOT, "%s: %s%n", c.getKey(), c.getValue());
            }
            System.out.printf(
                    Locale.ROOT,
                    "topic %s: %d partitions, %d records/s of %d B in the background; %d members, then one more;"
                            + " protocols %s%n",
                    f.topic,
                    f.partitions,
                    f.rate,
                    f.recordSize,
                    f.members,
                    f.modes);
            new RebalanceBenchmark(f).run(clusters, modes);
        } finally {
            clusters.forEach(c -> c.producer().close());
        }
    }

    private void run(List<Cluster> clusters, List<Mode> modes) throws Exception {
        for (int w = 1; w <= f.warmupRounds; w++) {
            for (Cluster c : clusters) {
                for (Mode m : modes) {
                    round(c, m, "warm-up " + w, jitter(-w, m));
                }
            }
        }
        Map<String, List<Double>> consuming = new LinkedHashMap<>();
        Map<String, List<Double>> assigned = new LinkedHashMap<>();
        for (int round = 1; round <= f.rounds; round++) {
            for (Cluster c : Rounds.order(clusters, round)) {
                for (Mode m : modes) {
                    Outcome o = round(c, m, "round " + round, jitter(round, m));
                    String key = m.label() + "/" + c.name();
                    consuming.computeIfAbsent(key, k -> new ArrayList<>()).add(o.consumingMs());
                    assigned.computeIfAbsent(key, k -> new ArrayList<>()).add(o.assignedMs());
                }
            }
        }
        Cluster base = clusters.get(0);
        System.out.printf(
                Locale.ROOT,
                "%nSUMMARY rebalance when member %d joins %d consuming %d partitions, %d rounds (ms from its"
                        + " subscribe() to every member consuming every partition it owns, and to the final"
                        + " assignment; median [min-max]; ratio = median of the per-round ratios to %s, below 1"
                        + " is faster)%n",
                f.members + 1,
                f.members,
                f.partitions,
                f.rounds,
                base.name());
        for (Mode m : modes) {
            List<Double> baseConsuming = consuming.get(m.label() + "/" + base.name());
            for (Cluster c : clusters) {
                String key = m.label() + "/" + c.name();
                System.out.printf(
                        Locale.ROOT,
                        "%-12s %-14s consuming %s ms%s; assigned %s ms%n",
                        m.label(),
                        c.name(),
                        Rounds.spread(consuming.get(key), "%.0f"),
                        c == base ? "" : " (ratio " + Rounds.ratio(consuming.get(key), baseConsuming) + ")",
                        Rounds.spread(assigned.get(key), "%.0f"));
            }
        }
    }

    /** The wait added to {@code --settle-ms} in a round for a protocol: the same on every cluster. */
    private long jitter(int round, Mode m) {
        return f.jitterMs <= 0 ? 0 : new Random(round * 31L + m.ordinal()).nextInt(f.jitterMs);
    }

    /**
     * One measurement: members join a fresh group and consume; {@code --settle-ms} plus {@code
     * jitterMs} later one more joins; see the class comment.
     */
    private Outcome round(Cluster c, Mode m, String label, long jitterMs) throws Exception {
        String group = prefix + "-" + m.label() + "-" + label.replace(' ', '-') + "-" + c.name();
        Tracker tracker = new Tracker(f.partitions);
        Feeder feeder = new Feeder(c.producer());
        List<Member> members = new ArrayList<>();
        feeder.start();
        try {
            for (int i = 0; i < f.members; i++) {
                members.add(new Member(tracker, i, props(c, m, group, i), false));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(f.timeoutSeconds);
            if (!tracker.awaitConsuming(f.members, deadline)) {
                System.out.printf(
                        Locale.ROOT,
                        "%s %s %s: the first %d members were NOT consuming after %d s: %s%n",
                        label,
                        c.name(),
                        m.label(),
                        f.members,
                        f.timeoutSeconds,
                        tracker);
                return Outcome.FAILED;
            }
            long steady = System.nanoTime();
            Thread.sleep(f.settleMs + jitterMs);
            members.add(new Member(tracker, f.members, props(c, m, group, f.members), true));
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(f.timeoutSeconds);
            Outcome o = tracker.awaitJoined(f.members + 1, deadline);
            if (o == Outcome.FAILED) {
                System.out.printf(
                        Locale.ROOT,
                        "%s %s %s: NOT consuming %d s after member %d joined: %s%n",
                        label,
                        c.name(),
                        m.label(),
                        f.timeoutSeconds,
                        f.members + 1,
                        tracker);
            } else {
                System.out.printf(
                        Locale.ROOT,
                        "%s %s %s: assigned in %.0f ms, consuming in %.0f ms (%d members consuming %.1f s after"
                                + " the group's first join, member %d joining %d ms later; %d records sent)%n",
                        label,
                        c.name(),
                        m.label(),
                        o.assignedMs(),
                        o.consumingMs(),
                        f.members,
                        (steady - tracker.firstStart) / 1e9,
                        f.members + 1,
                        f.settleMs + jitterMs,
                        feeder.sent.get());
            }
            return o;
        } finally {
            members.forEach(Member::stop);
            for (Member member : members) {
                member.thread.join(TimeUnit.SECONDS.toMillis(60));
            }
            feeder.stop();
            if (tracker.error != null) {
                System.out.printf(Locale.ROOT, "  a member failed: %s%n", tracker.error);
            }
        }
    }

    private Properties props(Cluster c, Mode m, String group, int member) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-" + m.label() + "-" + member);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, m.protocol);
        if (m.assignor != null) {
            p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, m.assignor);
        } else {
            p.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "uniform");
        }
        return p;
    }

    /** The background producer: {@code --rate} records/s, round-robin over the partitions. */
    private final class Feeder {
        private final KafkaProducer<byte[], byte[]> producer;
        private final byte[] value = new byte[f.recordSize];
        private final AtomicLong sent = new AtomicLong();
        private volatile boolean stopped;
        private final Thread thread = new Thread(this::feed, "bench-feeder");

        Feeder(KafkaProducer<byte[], byte[]> producer) {
            this.producer = producer;
        }

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.join();
            producer.flush();
        }

        private void feed() {
            long start = System.nanoTime();
            long n = 0;
            try {
                while (!stopped) {
                    long due = (System.nanoTime() - start) * f.rate / 1_000_000_000L;
                    for (; n < due; n++) {
                        producer.send(new ProducerRecord<>(f.topic, (int) (n % f.partitions), null, value));
                        sent.incrementAndGet();
                    }
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A consumer on its own thread, reporting what it owns and polls to the tracker. */
    private final class Member {
        private final Tracker tracker;
        private final int index;
        private final Properties props;
        private final boolean measured;
        private volatile boolean stopped;
        private final Thread thread;

        Member(Tracker tracker, int index, Properties props, boolean measured) {
            this.tracker = tracker;
            this.index = index;
            this.props = props;
            this.measured = measured;
            thread = new Thread(this::consume, "bench-member-" + index);
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            stopped = true;
        }

        private void consume() {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
                tracker.started(index, measured);
                consumer.subscribe(List.of(f.topic), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        tracker.lost(index, partitions);
                    }

                    @Override
                    public void onPartitionsLost(Collection<TopicPartition> partitions) {
                        tracker.lost(index, partitions);
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        tracker.gained(index, partitions);
                    }
                });
                while (!stopped) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    if (!records.isEmpty()) {
                        tracker.polled(index, records.partitions());
                    }
                }
            } catch (Exception e) {
                tracker.failed(index, e);
            }
        }
    }

    /**
     * What the members own and have polled, and the moments the group reaches a final assignment and
     * consumes (see the class comment). Guarded by its monitor.
     */
    private static final class Tracker {
        private final int partitions;
        private final Map<Integer, Set<Integer>> owned = new LinkedHashMap<>();
        /** Per member, the owned partitions of which poll() returned a record since the join and the gain. */
        private final Map<Integer, Set<Integer>> consumed = new LinkedHashMap<>();

        long firstStart;
        private long joinAt;
        private long assignedAt;
        private long consumingAt;
        volatile Exception error;

        Tracker(int partitions) {
            this.partitions = partitions;
        }

        synchronized void started(int member, boolean measured) {
            owned.put(member, new TreeSet<>());
            consumed.put(member, new HashSet<>());
            if (measured) {
                joinAt = System.nanoTime();
                consumed.values().forEach(Set::clear);
            } else if (firstStart == 0) {
                firstStart = System.nanoTime();
            }
        }

        synchronized void gained(int member, Collection<TopicPartition> tps) {
            for (TopicPartition tp : tps) {
                owned.get(member).add(tp.partition());
                consumed.get(member).remove(tp.partition());
            }
            check();
        }

        synchronized void lost(int member, Collection<TopicPartition> tps) {
            for (TopicPartition tp : tps) {
                owned.get(member).remove(tp.partition());
                consumed.get(member).remove(tp.partition());
            }
            check();
        }

        synchronized void polled(int member, Set<TopicPartition> tps) {
            Set<Integer> mine = owned.get(member);
            for (TopicPartition tp : tps) {
                if (mine.contains(tp.partition())) {
                    consumed.get(member).add(tp.partition());
                }
            }
            check();
        }

        synchronized void failed(int member, Exception e) {
            if (error == null) {
                error = e;
            }
            notifyAll();
        }

        /** Whether the members' assignment is final: disjoint, covering, balanced. */
        private boolean assigned() {
            int n = owned.size();
            Set<Integer> union = new HashSet<>();
            int sum = 0;
            for (Set<Integer> ps : owned.values()) {
                if (ps.size() < partitions / n || ps.size() > (partitions + n - 1) / n) {
                    return false;
                }
                union.addAll(ps);
                sum += ps.size();
            }
            return sum == partitions && union.size() == partitions;
        }

        private boolean consuming() {
            return assigned()
                    && owned.entrySet().stream()
                            .allMatch(e -> consumed.get(e.getKey()).containsAll(e.getValue()));
        }

        private void check() {
            if (joinAt != 0 && consumingAt == 0) {
                if (assignedAt == 0 && assigned()) {
                    assignedAt = System.nanoTime();
                }
                if (consuming()) {
                    consumingAt = System.nanoTime();
                }
            }
            notifyAll();
        }

        synchronized boolean awaitConsuming(int members, long deadline) throws InterruptedException {
            while (!(owned.size() == members && consuming()) && error == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return error == null;
        }

        synchronized Outcome awaitJoined(int members, long deadline) throws InterruptedException {
            while (!(owned.size() == members && consumingAt != 0) && error == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Outcome.FAILED;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            if (error != null) {
                return Outcome.FAILED;
            }
            return new Outcome((assignedAt - joinAt) / 1e6, (consumingAt - joinAt) / 1e6);
        }

        @Override
        public synchronized String toString() {
            StringBuilder s = new StringBuilder();
            owned.forEach((m, ps) -> s.append(String.format(
                    Locale.ROOT,
                    "member %d owns %d partitions, %d consumed since the join; ",
                    m,
                    ps.size(),
                    consumed.get(m).size())));
            return s + "error " + error + (error == null ? "" : " " + Arrays.toString(error.getStackTrace()));
        }
    }
}
