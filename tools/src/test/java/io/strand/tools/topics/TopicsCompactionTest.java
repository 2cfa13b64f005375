package io.strand.tools.topics;

import static io.strand.tools.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.strand.coordinator.Znodes;
import io.strand.server.Broker;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import io.strand.tools.CliHarness;
import io.strand.wal.cleaner.LogCleaner;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Operators see compaction: {@code topics describe} shows a compacted topic's policy and, with --zookeeper, the
 * dirty ratio its leader's log cleaner reports in {@code /log_cleaner/<id>} (decoded by {@code zk get}); a partition
 * with a corrupt batch is reported uncleanable once, the rest of the broker goes on cleaning and serving.
 */
@ExtendWith(StrandClusterExtension.class)
@SystemTest
class TopicsCompactionTest {
    private static final Random RANDOM = new Random();

    @Test
    void shouldShowThePolicyAndADirtyRatioThatDropsAfterCleaning(
            @BrokerCluster(
                            brokers = 3,
                            properties = {"log.cleaner.backoff.ms=200", "strand.log.cleaner.status.interval.ms=200"})
                    StrandTestCluster cluster)
            throws Exception {
        String zk = cluster.zookeeperConnect();
        ok(run(
                "topics",
                "create",
                "--bootstrap-server",
                cluster.bootstrapServer(1),
                "-t",
                "compacted",
                "-p",
                "1",
                "-r",
                "3",
                "--config",
                "cleanup.policy=compact",
                "--config",
                "segment.bytes=16384"));
        TopicPartition tp = new TopicPartition("compacted", 0);

        // cleaned while written: 40 keys, 600 records of 200 bytes (about 8 segments)
        long firstPhaseEnd = produce(cluster, tp, 40, 600);
        Wait.waitUntil(
                "the leader reports compacted-0 cleaned",
                Duration.ofSeconds(30),
                () -> partition(describeJson(zk, "compacted")).has("lastCleanedMs")
                        && partition(describeJson(zk, "compacted"))
                                        .get("lastCleanedMs")
                                        .getAsLong()
                                > 0);

        // no cleaning until the dirty ratio reaches 0.99: it grows with every segment written
        ok(run("topics", "alter", "--zookeeper", zk, "-t", "compacted", "--config", "min.cleanable.dirty.ratio=0.99"));
        awaitLogConfig(cluster, tp, c -> c.compaction().minCleanableDirtyRatio() == 0.99);
        produce(cluster, tp, 40, 450);
        Wait.waitUntil(
                "the leader reports a dirty ratio of 0.6 or more",
                Duration.ofSeconds(30),
                () -> partition(describeJson(zk, "compacted")).get("dirtyRatio").getAsDouble() >= 0.6);
        JsonObject dirty = partition(describeJson(zk, "compacted"));
        double dirtyRatio = dirty.get("dirtyRatio").getAsDouble();
        assertEquals("compact", dirty.get("cleanupPolicy").getAsString(), dirty::toString);
        // a cleaning already under way when the ratio changed may still report late, but none reaches
        // the records written after the change
        assertTrue(dirty.get("firstDirtyOffset").getAsLong() <= firstPhaseEnd, "cleaned after the change: " + dirty);
        assertTrue(dirtyRatio < 0.99, dirty::toString);

        CliHarness.Result table = run("topics", "describe", "--zookeeper", zk, "-t", "compacted");
        ok(table);
        assertEquals(
                List.of(
                        "PARTITION",
                        "LEADER",
                        "LEADER_EPOCH",
                        "REPLICAS",
                        "ISR",
                        "POLICY",
                        "DIRTY_RATIO",
                        "LAST_CLEANED"),
                words(table.outLines().get(1)),
                table::toString);
        List<String> row = words(table.outLines().get(2));
        assertEquals("compact", row.get(5), table::toString);
        assertTrue(Double.parseDouble(row.get(6)) >= 0.6, table::toString);
        assertTrue(row.get(7).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), table::toString);

        // through a broker: the policy (DescribeConfigs), no dirty ratio (no Kafka API carries it)
        CliHarness.Result admin =
                run("topics", "describe", "--bootstrap-server", cluster.bootstrapServer(2), "-t", "compacted");
        ok(admin);
        assertEquals(
                List.of("PARTITION", "LEADER", "REPLICAS", "ISR", "POLICY"),
                words(admin.outLines().get(1)),
                admin::toString);
        assertEquals("compact", words(admin.outLines().get(2)).get(4), admin::toString);

        // the leader's znode, decoded
        int leader = dirty.get("leader").getAsInt();
        CliHarness.Result get = run("zk", "get", "--zookeeper", zk, Znodes.logCleaner(leader));
        ok(get);
        assertTrue(
                get.out()
                        .contains("{\"brokerId\":" + leader + ",\"cleanerEnabled\":true,\"defaultCleanupPolicy\":"
                                + "\"delete\""),
                get::toString);
        assertTrue(
                get.out()
                        .contains(
                                "{\"topic\":\"compacted\",\"partition\":0,\"cleanupPolicy\":\"compact\",\"dirtyRatio\":"),
                get::toString);
        CliHarness.Result ls = run("zk", "ls", "--zookeeper", zk, Znodes.LOG_CLEANER);
        ok(ls);
        assertEquals(List.of("1", "2", "3"), names(ls), ls::toString);

        // cleaning allowed again: the ratio drops, the cleaning time moves
        ok(run(
                "topics",
                "alter",
                "--zookeeper",
                zk,
                "-t",
                "compacted",
                "--delete-config",
                "min.cleanable.dirty.ratio"));
        Wait.waitUntil(
                "the leader reports compacted-0 cleaned again",
                Duration.ofSeconds(30),
                () -> partition(describeJson(zk, "compacted"))
                                .get("firstDirtyOffset")
                                .getAsLong()
                        > dirty.get("firstDirtyOffset").getAsLong());
        JsonObject cleaned = partition(describeJson(zk, "compacted"));
        assertTrue(cleaned.get("dirtyRatio").getAsDouble() < dirtyRatio / 2, () -> dirty + " then " + cleaned);
        assertTrue(
                cleaned.get("lastCleanedMs").getAsLong()
                        > dirty.get("lastCleanedMs").getAsLong(),
                () -> dirty + " then " + cleaned);

        // a broker that stops removes its znode
        cluster.stopBroker(3);
        assertFalse(
                Stream.of(run("zk", "ls", "--zookeeper", zk, Znodes.LOG_CLEANER))
                        .flatMap(r -> names(r).stream())
                        .anyMatch("3"::equals),
                "/log_cleaner/3 removed by broker 3's clean stop");
    }

    @Test
    void shouldReportAPartitionWithACorruptBatchUncleanableOnceAndKeepServing(
            @BrokerCluster(
                            properties = {
                                "log.cleaner.backoff.ms=200",
                                "strand.log.cleaner.status.interval.ms=200",
                                "strand.metrics.jmx.enable=true"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        String zk = cluster.zookeeperConnect();
        cluster.createTopic("fragile", 2, 1);
        ok(run("topics", "alter", "--zookeeper", zk, "-t", "fragile", "--config", "segment.bytes=16384"));
        TopicPartition corrupt = new TopicPartition("fragile", 0);
        TopicPartition sound = new TopicPartition("fragile", 1);
        awaitLogConfig(cluster, corrupt, c -> c.segmentBytes() == 16384);
        awaitLogConfig(cluster, sound, c -> c.segmentBytes() == 16384);
        produce(cluster, corrupt, 40, 300);
        produce(cluster, sound, 40, 300);

        // while the broker is stopped: a byte in the middle of the records of a batch in a closed segment flips,
        // and the topic becomes compacted
        cluster.stopBroker(1);
        Path dir = cluster.dataDir(1).resolve("fragile-0");
        List<Path> segments;
        try (Stream<Path> files = Files.list(dir)) {
            segments = files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
        }
        assertTrue(segments.size() >= 3, () -> "closed segments in " + dir + ": " + segments);
        long flipped = flipAByteInTheMiddleBatch(segments.get(1));
        ok(run("topics", "alter", "--zookeeper", zk, "-t", "fragile", "--config", "cleanup.policy=compact"));

        ListAppender<ILoggingEvent> cleanerLog = new ListAppender<>();
        cleanerLog.start();
        Logger logger = (Logger) LoggerFactory.getLogger(LogCleaner.class);
        logger.addAppender(cleanerLog);
        try {
            Broker broker = cluster.startBroker(1);
            Wait.waitUntil(
                    "broker 1 reports fragile-0 uncleanable",
                    Duration.ofSeconds(30),
                    () -> broker.logCleaner().uncleanablePartitionsCount() == 1);
            ObjectName gauge =
                    new ObjectName("strand.broker-1:name=log-cleaner.uncleanable-partitions-count,type=gauges");
            assertEquals(1, ManagementFactory.getPlatformMBeanServer().getAttribute(gauge, "Value"));

            Wait.waitUntil("describe shows fragile-0 uncleanable and fragile-1 cleaned", Duration.ofSeconds(30), () -> {
                JsonArray ps = describeJson(zk, "fragile").get("partitions").getAsJsonArray();
                return ps.get(0).getAsJsonObject().has("uncleanable")
                        && ps.get(1).getAsJsonObject().get("lastCleanedMs").getAsLong() > 0;
            });
            JsonArray ps = describeJson(zk, "fragile").get("partitions").getAsJsonArray();
            JsonObject bad = ps.get(0)
                    .getAsJsonObject()
                    .get("uncleanable")
                    .getAsJsonArray()
                    .get(0)
                    .getAsJsonObject();
            assertEquals(1, bad.get("broker").getAsInt(), ps::toString);
            assertFalse(ps.get(1).getAsJsonObject().has("uncleanable"), ps::toString);

            CliHarness.Result table = run("topics", "describe", "--zookeeper", zk, "-t", "fragile");
            ok(table);
            assertEquals("UNCLEANABLE", words(table.outLines().get(1)).get(8), table::toString);
            assertTrue(table.outLines().get(2).contains("broker 1: "), table::toString);
            assertTrue(table.outLines().get(3).endsWith("-"), table::toString);
            CliHarness.Result get = run("zk", "get", "--zookeeper", zk, Znodes.logCleaner(1));
            String reason = bad.get("reason").getAsString();
            assertTrue(
                    get.out().contains("\"uncleanableReason\":\"" + reason.substring(0, reason.indexOf(':'))),
                    get::toString);

            // still served: both partitions take writes, fragile-1 reads back whole, fragile-0 from after the damage
            long corruptEnd = produce(cluster, corrupt, 40, 20);
            long soundEnd = produce(cluster, sound, 40, 20);
            assertEquals(20, read(cluster, corrupt, corruptEnd - 20, corruptEnd).size());
            List<ConsumerRecord<byte[], byte[]>> all = read(cluster, sound, 0, soundEnd);
            assertEquals(soundEnd - 1, all.get(all.size() - 1).offset());

            // reported once, not retried every backoff
            Thread.sleep(2_000); // ten backoffs
            List<String> failures = cleanerLog.list.stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("fragile-0") && m.contains("uncleanable"))
                    .toList();
            assertEquals(1, failures.size(), () -> "flipped byte at " + flipped + "; " + failures);
            assertEquals(1, broker.logCleaner().uncleanablePartitionsCount());
            assertEquals(0, broker.logCleaner().deadThreadCount());
        } finally {
            logger.detachAppender(cleanerLog);
        }
    }

    // ---- helpers ----

    /** Writes {@code records} records of 200 random characters over {@code keys} keys to {@code tp}; returns its end. */
    private static long produce(StrandTestCluster cluster, TopicPartition tp, int keys, int records) throws Exception {
        long last = -1;
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(
                Map.of(ProducerConfig.BATCH_SIZE_CONFIG, "4096", ProducerConfig.LINGER_MS_CONFIG, "2"))) {
            List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent =
                    new ArrayList<>();
            for (int i = 0; i < records; i++) {
                sent.add(producer.send(new ProducerRecord<>(
                        tp.topic(),
                        tp.partition(),
                        ("key-" + (i % keys)).getBytes(StandardCharsets.UTF_8),
                        value(200).getBytes(StandardCharsets.UTF_8))));
            }
            for (var f : sent) {
                last = Math.max(last, f.get().offset());
            }
        }
        return last + 1;
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(
            StrandTestCluster cluster, TopicPartition tp, long from, long end) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, from);
            Wait.waitUntil(
                    "records of " + tp + " from " + from + " to " + end + " read", Duration.ofSeconds(30), () -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                        return !out.isEmpty() && out.get(out.size() - 1).offset() >= end - 1;
                    });
        }
        return out;
    }

    private static String value(int length) {
        StringBuilder sb = new StringBuilder(length);
        while (sb.length() < length) {
            sb.append(Character.forDigit(RANDOM.nextInt(36), 36));
        }
        return sb.toString();
    }

    /**
     * Flips one byte in the middle of the records of the batch in the middle of {@code segment} (magic 2: a 61-byte
     * header, then the records). Returns the file position flipped.
     */
    private static long flipAByteInTheMiddleBatch(Path segment) throws Exception {
        List<long[]> batches = new ArrayList<>(); // position, size
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(12);
            long pos = 0;
            while (pos + 12 <= ch.size()) {
                header.clear();
                ch.read(header, pos);
                int size = 12 + header.getInt(8);
                batches.add(new long[] {pos, size});
                pos += size;
            }
            long[] batch = batches.get(batches.size() / 2);
            long at = batch[0] + 61 + (batch[1] - 61) / 2;
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5a));
            b.rewind();
            ch.write(b, at);
            ch.force(true);
            return at;
        }
    }

    private static JsonObject describeJson(String zk, String topic) {
        CliHarness.Result r = run("topics", "describe", "--zookeeper", zk, "-t", topic, "--json");
        ok(r);
        return JsonParser.parseString(r.out()).getAsJsonArray().get(0).getAsJsonObject();
    }

    private static JsonObject partition(JsonObject topic) {
        return topic.get("partitions").getAsJsonArray().get(0).getAsJsonObject();
    }

    private static List<String> words(String line) {
        return List.of(line.trim().split("\\s+"));
    }

    /** The child names of a {@code zk ls} table. */
    private static List<String> names(CliHarness.Result ls) {
        return ls.outLines().stream().skip(2).map(l -> words(l).get(0)).toList();
    }

    private static void ok(CliHarness.Result r) {
        assertEquals(0, r.code(), r::toString);
    }

    /** Waits until every replica of {@code tp} applied a topic config change (the brokers learn it from their watch). */
    private static void awaitLogConfig(
            StrandTestCluster cluster, TopicPartition tp, java.util.function.Predicate<io.strand.wal.LogConfig> applied)
            throws InterruptedException {
        Wait.waitUntil("every replica of " + tp + " applied the topic config", Duration.ofSeconds(10), () -> {
            List<io.strand.wal.LogConfig> configs = cluster.brokers().stream()
                    .flatMap(b -> b.replicaManager().partition(tp).stream())
                    .map(p -> p.log().config())
                    .toList();
            return !configs.isEmpty() && configs.stream().allMatch(applied);
        });
    }
}
