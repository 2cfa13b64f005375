package io.strand.tools.bench;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParameterException;
import io.strand.tools.bench.CleanerLog.Cleaning;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Log compaction on several systems (Apache Kafka, Strand), alternated round by round, with ratios
 * to the first:
 *
 * <ol>
 *   <li>Cleaner throughput: a fresh 1-partition topic with {@code cleanup.policy=delete} gets
 *       {@code --mb} MiB of {@code --record-size} values over {@code --keys} distinct keys; then
 *       Admin incrementalAlterConfigs switches it to {@code compact} and the benchmark waits for the
 *       broker's cleaner summaries (read from {@code --cleaner-log}) to cover the log up to its last
 *       segment: MiB of dirty log cleaned per second of cleaning (see {@link CleanerRun}), the
 *       broker's own MB of log processed and MB/s, size before and after (DescribeLogDirs). The
 *       topic is deleted after each round; one uncounted cleaning of {@code --cleaner-warmup-mb} on
 *       each system comes first (a cleaner's first cleaning in a fresh JVM is several times slower).
 *   <li>Produce under cleaning: per system a compacted topic (small segments, {@code
 *       min.cleanable.dirty.ratio} {@code --dirty-ratio}, so the cleaner runs over and over while
 *       records arrive) and the same topic with {@code cleanup.policy=delete}; keyed acks=all
 *       records, a warm-up, then per round one run on each, their order alternating. Before every
 *       run the cleaner has caught up with the compacted topic, so that no cleaning left over from
 *       one run (or one system) weighs on the next; after every run the delete topic's records are
 *       deleted (DeleteRecords), so that its log does not fill the disk.
 * </ol>
 *
 * <pre>bin/strand-bench compare-kafka --compaction --relaxed --rounds 8</pre>
 */
public final class CompactionBenchmark {
    private static final long MIB = 1 << 20;

    static final class Flags {
        @Parameter(
                names = "--compare",
                splitter = io.strand.tools.cli.NoSplitter.class,
                description = "name=bootstrap of a system to measure (repeatable); ratios are to the first",
                required = true)
        List<String> compare = new ArrayList<>();

        @Parameter(
                names = "--cleaner-log",
                splitter = io.strand.tools.cli.NoSplitter.class,
                description = "name=file: where that system's log cleaner writes its summaries (one per --compare)",
                required = true)
        List<String> cleanerLogs = new ArrayList<>();

        @Parameter(names = "--parts", description = "which parts to run: cleaner, produce or both")
        List<String> parts = new ArrayList<>(List.of("cleaner", "produce"));

        @Parameter(names = "--rounds", description = "measured rounds per system and part")
        int rounds = 3;

        @Parameter(names = "--mb", description = "cleaner part: MiB of values in the log to clean")
        long mb = 1024;

        @Parameter(
                names = "--cleaner-warmup-mb",
                description = "cleaner part: MiB cleaned once on each system before the rounds, not counted (0: none)")
        long cleanerWarmupMb = 256;

        @Parameter(names = "--keys", description = "distinct keys, written in turn")
        int keys = 10_000;

        @Parameter(names = "--record-size", description = "bytes per record value")
        int recordSize = 1024;

        @Parameter(names = "--replication-factor")
        short replicationFactor = 1;

        @Parameter(names = "--cleaner-segment-bytes", description = "cleaner part: segment.bytes of the topic")
        int cleanerSegmentBytes = (int) (64 * MIB);

        @Parameter(names = "--records", description = "produce part: records per run")
        long records = 2_000_000;

        @Parameter(names = "--partitions", description = "produce part: partitions of the topics")
        int partitions = 1;

        @Parameter(names = "--segment-bytes", description = "produce part: segment.bytes of the topics")
        int segmentBytes = (int) (16 * MIB);

        @Parameter(names = "--dirty-ratio", description = "produce part: min.cleanable.dirty.ratio of the topics")
        String dirtyRatio = "0.1";

        @Parameter(
                names = "--warmup-records",
                description = "produce part: records sent to each system before measuring (half per topic)")
        long warmupRecords = 1_000_000;

        @Parameter(names = "--acks")
        String acks = "all";

        @Parameter(
                names = "--cleaner-timeout-seconds",
                description = "longest wait for a cleaner to clean a log (a round without it counts as failed)")
        int cleanerTimeoutSeconds = 300;
    }

    /** A system under test: where it listens, where its cleaner reports, a client of each kind. */
    record Sut(String name, String bootstrap, CleanerLog log, Admin admin, KafkaProducer<byte[], byte[]> producer) {}

    private final Flags f;
    private final byte[][] keys;
    private final byte[] value;
    private final String prefix = "strand-bench-compaction-" + Long.toString(System.currentTimeMillis(), 36);
    /** Topics created and not yet deleted, per system (deleted on the way out). */
    private final Map<Sut, List<String>> created = new HashMap<>();

    private CompactionBenchmark(Flags f) {
        this.f = f;
        keys = new byte[f.keys][];
        for (int k = 0; k < f.keys; k++) {
            keys[k] = String.format(Locale.ROOT, "key-%08d", k).getBytes(StandardCharsets.US_ASCII);
        }
        value = new byte[f.recordSize];
        new Random(1).nextBytes(value);
    }

    public static void main(String[] args) throws Exception {
        Flags f = new Flags();
        if (!BenchArgs.parse("strand-bench compaction", f, args)) {
            return;
        }
        Map<String, String> bootstraps = BenchArgs.named("--compare", f.compare);
        Map<String, String> logs = BenchArgs.named("--cleaner-log", f.cleanerLogs);
        if (!logs.keySet().equals(bootstraps.keySet())) {
            throw new ParameterException("--cleaner-log must name the systems of --compare: " + bootstraps.keySet());
        }
        CompactionBenchmark bench = new CompactionBenchmark(f);
        List<Sut> suts = new ArrayList<>();
        try {
            for (Map.Entry<String, String> s : bootstraps.entrySet()) {
                Properties admin = new Properties();
                admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.getValue());
                Properties producer = ProducerBenchmark.baseProducerProps(s.getValue());
                producer.put(ProducerConfig.ACKS_CONFIG, f.acks);
                suts.add(new Sut(
                        s.getKey(),
                        s.getValue(),
                        new CleanerLog(Path.of(logs.get(s.getKey()))),
                        Admin.create(admin),
                        new KafkaProducer<>(producer)));
                System.out.printf(
                        Locale.ROOT, "%s: %s, cleaner log %s%n", s.getKey(), s.getValue(), logs.get(s.getKey()));
            }
            if (f.parts.contains("cleaner")) {
                bench.cleanerPart(suts);
            }
            if (f.parts.contains("produce")) {
                bench.producePart(suts);
            }
        } finally {
            bench.deleteTopics();
            for (Sut s : suts) {
                s.producer().close();
                s.admin().close();
            }
        }
    }

    private ProducerRecord<byte[], byte[]> record(String topic, long i) {
        return new ProducerRecord<>(topic, keys[(int) (i % keys.length)], value);
    }

    // ---------------------------------------------------------------- part 1: cleaner throughput

    /**
     * One cleaner round on one system: {@code mb} and {@code seconds} as the broker reported them
     * (summed over its cleanings of the log), {@code dirtyMb} the part of the log the cleanings
     * covered, measured the same way on every system: the log's bytes before cleaning times the
     * share of its offsets in the dirty sections. The brokers may count "MB of log processed"
     * differently (Kafka counts the bytes its rewrite pass reads, not its key-map pass); the dirty
     * MB per second is the comparable figure.
     */
    record CleanerRun(
            double produceRps,
            double mb,
            double dirtyMb,
            double seconds,
            double wallSeconds,
            long bytesBefore,
            long bytesAfter) {
        double mbPerSec() {
            return mb / seconds;
        }

        double dirtyMbPerSec() {
            return dirtyMb / seconds;
        }
    }

    private void cleanerPart(List<Sut> suts) throws Exception {
        long n = f.mb * MIB / f.recordSize;
        System.out.printf(
                Locale.ROOT,
                "%nCLEANER: %d records of %d B over %d keys (%d MiB of values) per round, segment.bytes %d%n",
                n,
                f.recordSize,
                f.keys,
                f.mb,
                f.cleanerSegmentBytes);
        if (f.cleanerWarmupMb > 0) {
            for (Sut s : suts) {
                cleanerRound(s, "warm-up", f.cleanerWarmupMb * MIB / f.recordSize);
            }
        }
        Map<Sut, List<Double>> dirtyRates = Rounds.perKey(suts);
        Map<Sut, List<Double>> reportedRates = Rounds.perKey(suts);
        Map<Sut, List<Double>> seconds = Rounds.perKey(suts);
        for (int round = 1; round <= f.rounds; round++) {
            for (Sut s : Rounds.order(suts, round)) {
                CleanerRun r = cleanerRound(s, "round " + round, n);
                dirtyRates.get(s).add(r == null ? Double.NaN : r.dirtyMbPerSec());
                reportedRates.get(s).add(r == null ? Double.NaN : r.mbPerSec());
                seconds.get(s).add(r == null ? Double.NaN : r.seconds());
            }
        }
        Sut base = suts.get(0);
        System.out.printf(
                Locale.ROOT,
                "%nSUMMARY cleaner, %d rounds (median [min-max]; ratio = median of the per-round ratios to %s): "
                        + "MiB of dirty log cleaned per second of cleaning; the broker's own MB/s of log processed; "
                        + "seconds of cleaning%n",
                f.rounds,
                base.name());
        for (Sut s : suts) {
            System.out.printf(
                    Locale.ROOT,
                    "%-14s cleaner %s MB/s dirty log cleaned%s; reported %s MB/s%s; %s s%n",
                    s.name(),
                    Rounds.spread(dirtyRates.get(s)),
                    s == base ? "" : " (ratio " + Rounds.ratio(dirtyRates.get(s), dirtyRates.get(base)) + ")",
                    Rounds.spread(reportedRates.get(s)),
                    s == base ? "" : " (ratio " + Rounds.ratio(reportedRates.get(s), reportedRates.get(base)) + ")",
                    Rounds.spread(seconds.get(s)));
        }
    }

    private CleanerRun cleanerRound(Sut s, String round, long n) throws Exception {
        String topic = prefix + "-clean-" + round.replace(' ', '-');
        createTopic(
                s,
                topic,
                1,
                Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG,
                        "-1",
                        TopicConfig.SEGMENT_BYTES_CONFIG,
                        String.valueOf(f.cleanerSegmentBytes)));
        ProducerBenchmark.Run produced =
                ProducerBenchmark.throughput(s.producer(), n, i -> record(topic, i), f.recordSize);
        TopicPartition tp = new TopicPartition(topic, 0);
        long before = partitionBytes(s, tp);
        long logEnd = endOffsets(s, topic, 1).get(tp.toString());
        long mark = s.log().mark();
        long start = System.nanoTime();
        s.admin()
                .incrementalAlterConfigs(Map.of(
                        new ConfigResource(ConfigResource.Type.TOPIC, topic),
                        List.of(new AlterConfigOp(
                                new ConfigEntry(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT),
                                AlterConfigOp.OpType.SET))))
                .all()
                .get();
        List<Cleaning> cleanings = awaitCleaned(s, topic, 1, mark, f.cleanerSegmentBytes, f.cleanerTimeoutSeconds);
        double wall = (System.nanoTime() - start) / 1e9;
        if (cleanings == null) {
            System.out.printf(
                    Locale.ROOT,
                    "%s %s cleaner: produced %s; NO cleaning of %s in %d s (see %s)%n",
                    round,
                    s.name(),
                    produced,
                    tp,
                    f.cleanerTimeoutSeconds,
                    s.log().file());
            deleteTopic(s, topic);
            return null;
        }
        if (cleanings.isEmpty()) {
            System.out.printf(
                    Locale.ROOT,
                    "%s %s cleaner: nothing to clean: %s has no closed segment (--mb too small for --cleaner-segment-bytes)%n",
                    round,
                    s.name(),
                    tp);
            deleteTopic(s, topic);
            return null;
        }
        long after = partitionBytes(s, tp);
        double mb = cleanings.stream().mapToDouble(Cleaning::mb).sum();
        double seconds = cleanings.stream().mapToDouble(Cleaning::seconds).sum();
        long dirtyOffsets = cleanings.stream().mapToLong(c -> c.to() - c.from()).sum();
        double dirtyMb = before * (double) dirtyOffsets / logEnd / MIB;
        CleanerRun r =
                new CleanerRun(produced.records() / produced.seconds(), mb, dirtyMb, seconds, wall, before, after);
        System.out.printf(
                Locale.ROOT,
                "%s %s cleaner: %.1f MiB of dirty log cleaned in %.2f s = %.1f MB/s (reported: %.1f MB of log "
                        + "processed, %.1f MB/s) in %d cleaning(s) %s; %.1f MiB -> %.1f MiB on disk; cleaned %.1f s "
                        + "after the config change; produced at %.0f records/s%n",
                round,
                s.name(),
                dirtyMb,
                seconds,
                r.dirtyMbPerSec(),
                mb,
                r.mbPerSec(),
                cleanings.size(),
                cleanings,
                before / (double) MIB,
                after / (double) MIB,
                wall,
                r.produceRps());
        deleteTopic(s, topic);
        return r;
    }

    // ---------------------------------------------------------------- part 2: produce under cleaning

    private void producePart(List<Sut> suts) throws Exception {
        String compact = prefix + "-compact";
        String delete = prefix + "-delete";
        Map<String, String> configs = new HashMap<>(Map.of(
                TopicConfig.SEGMENT_BYTES_CONFIG,
                String.valueOf(f.segmentBytes),
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG,
                f.dirtyRatio,
                TopicConfig.RETENTION_MS_CONFIG,
                "-1"));
        System.out.printf(
                Locale.ROOT,
                "%nPRODUCE: %d records of %d B over %d keys per run, acks=%s, %d partition(s); "
                        + "topics %s (compact) and %s (delete), both %s%n",
                f.records,
                f.recordSize,
                f.keys,
                f.acks,
                f.partitions,
                compact,
                delete,
                configs);
        for (Sut s : suts) {
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            createTopic(s, compact, f.partitions, configs);
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
            createTopic(s, delete, f.partitions, configs);
        }
        for (Sut s : suts) {
            long mark = s.log().mark();
            for (String topic : List.of(compact, delete)) {
                System.out.printf(
                        Locale.ROOT,
                        "warm-up %s %s: %s%n",
                        s.name(),
                        topic,
                        ProducerBenchmark.throughput(
                                s.producer(), f.warmupRecords / 2, i -> record(topic, i), f.recordSize));
            }
            settle(s, compact, mark);
            trim(s, delete);
        }
        Map<Sut, List<Double>> compactRps = Rounds.perKey(suts);
        Map<Sut, List<Double>> deleteRps = Rounds.perKey(suts);
        for (int round = 1; round <= f.rounds; round++) {
            for (Sut s : Rounds.order(suts, round)) {
                List<String> order = round % 2 == 1 ? List.of(compact, delete) : List.of(delete, compact);
                for (String topic : order) {
                    long mark = s.log().mark();
                    ProducerBenchmark.Run r =
                            ProducerBenchmark.throughput(s.producer(), f.records, i -> record(topic, i), f.recordSize);
                    List<Cleaning> during = s.log().since(mark, compact);
                    (topic.equals(compact) ? compactRps : deleteRps).get(s).add(r.records() / r.seconds());
                    System.out.printf(
                            Locale.ROOT,
                            "round %d %s %s: %s; cleanings of the compacted topic during the run: %d (%.1f MB processed)%n",
                            round,
                            s.name(),
                            topic.equals(compact) ? "compact" : "delete",
                            r,
                            during.size(),
                            during.stream().mapToDouble(Cleaning::mb).sum());
                    if (topic.equals(compact)) {
                        settle(s, compact, mark);
                    } else {
                        trim(s, delete);
                    }
                }
            }
        }
        Sut base = suts.get(0);
        System.out.printf(
                Locale.ROOT,
                "%nSUMMARY produce, %d rounds (records/s, median [min-max]; ratios are medians of per-round ratios)%n",
                f.rounds);
        for (Sut s : suts) {
            System.out.printf(
                    Locale.ROOT,
                    "%-14s compact %s, delete %s records/s; compact/delete %s%s%n",
                    s.name(),
                    Rounds.spread(compactRps.get(s)),
                    Rounds.spread(deleteRps.get(s)),
                    Rounds.ratio(compactRps.get(s), deleteRps.get(s)),
                    s == base
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    "; to %s: compact %s, delete %s",
                                    base.name(),
                                    Rounds.ratio(compactRps.get(s), compactRps.get(base)),
                                    Rounds.ratio(deleteRps.get(s), deleteRps.get(base))));
        }
    }

    /**
     * Waits until the cleaner has caught up with {@code topic} (see {@link #awaitCleaned}) and says
     * how long that took; a cleaner that does not catch up in time is reported, not waited for.
     */
    private void settle(Sut s, String topic, long mark) throws Exception {
        long start = System.nanoTime();
        List<Cleaning> c = awaitCleaned(s, topic, f.partitions, mark, f.segmentBytes, f.cleanerTimeoutSeconds);
        System.out.printf(
                Locale.ROOT,
                "  %s cleaner %s %s %.1f s after the run (%d cleaning(s) since the run began)%n",
                s.name(),
                c == null ? "had NOT caught up with" : "caught up with",
                topic,
                (System.nanoTime() - start) / 1e9,
                c == null ? s.log().since(mark, topic).size() : c.size());
    }

    /**
     * Waits until the cleaner summaries written since {@code mark} cover every partition of {@code
     * topic} up to its last segment (a dirty section ending within 1.5 segments of the log end
     * offset; a partition without a closed segment needs none).
     *
     * @return the summaries of {@code topic} since {@code mark}, or null after {@code timeoutSeconds}
     */
    private List<Cleaning> awaitCleaned(
            Sut s, String topic, int partitions, long mark, int segmentBytes, int timeoutSeconds) throws Exception {
        long segmentRecords = segmentBytes / f.recordSize;
        Map<String, Long> needed = new HashMap<>();
        endOffsets(s, topic, partitions).forEach((tp, end) -> needed.put(tp, end - segmentRecords * 3 / 2));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            List<Cleaning> cleanings = s.log().since(mark, topic);
            Map<String, Long> reached =
                    cleanings.stream().collect(Collectors.toMap(Cleaning::log, Cleaning::to, Math::max, HashMap::new));
            if (needed.entrySet().stream()
                    .allMatch(e -> e.getValue() <= 0 || reached.getOrDefault(e.getKey(), -1L) >= e.getValue())) {
                return cleanings;
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            Thread.sleep(200);
        }
    }

    // ---------------------------------------------------------------- topics and sizes

    private void createTopic(Sut s, String topic, int partitions, Map<String, String> configs) throws Exception {
        ProducerBenchmark.ensureTopic(s.bootstrap(), topic, partitions, f.replicationFactor, configs);
        created.computeIfAbsent(s, x -> new ArrayList<>()).add(topic);
    }

    private void deleteTopic(Sut s, String topic) throws Exception {
        s.admin().deleteTopics(List.of(topic)).all().get();
        created.get(s).remove(topic);
    }

    private void deleteTopics() {
        created.forEach((s, topics) -> {
            if (!topics.isEmpty()) {
                try {
                    s.admin().deleteTopics(topics).all().get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    System.out.printf(Locale.ROOT, "could not delete %s on %s: %s%n", topics, s.name(), e);
                }
            }
        });
    }

    /**
     * Deletes the records of {@code topic} up to its log end (DeleteRecords), so that the delete
     * topic's runs do not fill the disk; done between runs, not timed.
     */
    private void trim(Sut s, String topic) throws Exception {
        Map<TopicPartition, RecordsToDelete> upTo = new HashMap<>();
        endOffsets(s, topic, f.partitions)
                .forEach((tp, end) -> upTo.put(
                        new TopicPartition(topic, Integer.parseInt(tp.substring(topic.length() + 1))),
                        RecordsToDelete.beforeOffset(end)));
        s.admin().deleteRecords(upTo).all().get();
    }

    /** The log end offsets of {@code topic}'s partitions, by "topic-partition". */
    private static Map<String, Long> endOffsets(Sut s, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<String, Long> ends = new LinkedHashMap<>();
        s.admin().listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp.toString(), info.offset()));
        return ends;
    }

    /** The bytes of {@code tp}'s log on its leader (the largest replica), from DescribeLogDirs. */
    private static long partitionBytes(Sut s, TopicPartition tp) throws Exception {
        Collection<Integer> brokers =
                s.admin().describeCluster().nodes().get().stream().map(Node::id).toList();
        long bytes = -1;
        for (Map<String, LogDirDescription> dirs :
                s.admin().describeLogDirs(brokers).allDescriptions().get().values()) {
            for (LogDirDescription dir : dirs.values()) {
                ReplicaInfo replica = dir.replicaInfos().get(tp);
                if (replica != null) {
                    bytes = Math.max(bytes, replica.size());
                }
            }
        }
        return bytes;
    }
}
