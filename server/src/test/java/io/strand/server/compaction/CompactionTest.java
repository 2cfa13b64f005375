package io.strand.server.compaction;

import static io.strand.server.compaction.CompactedTopics.SEGMENT_BYTES;
import static io.strand.server.compaction.CompactedTopics.assertStrictlyIncreasing;
import static io.strand.server.compaction.CompactedTopics.byKey;
import static io.strand.server.compaction.CompactedTopics.compacted;
import static io.strand.server.compaction.CompactedTopics.create;
import static io.strand.server.compaction.CompactedTopics.keysSeenTwice;
import static io.strand.server.compaction.CompactedTopics.producerSettings;
import static io.strand.server.compaction.CompactedTopics.readAll;
import static io.strand.server.compaction.CompactedTopics.sizeOnDisk;
import static io.strand.server.compaction.CompactedTopics.strictConsumer;
import static io.strand.server.compaction.CompactedTopics.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.compaction.CompactedTopics.Rec;
import io.strand.server.compaction.CompactedTopics.Sent;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log compaction end to end (issue 14), as a user of Kafka's Java clients sees it, on three
 * in-process brokers and replicated topics: after cleaning a reader from the beginning finds one
 * record per key, the latest, at the offset it was acknowledged at; tombstones stay readable for
 * {@code delete.retention.ms} after the cleaning that first saw them and then go with their keys;
 * {@code cleanup.policy=compact,delete} both compacts and expires; and a topic switched from delete
 * to compact with IncrementalAlterConfigs is compacted without a restart. Cleaning is awaited by
 * what a reader sees (and the replicas' sizes through DescribeLogDirs), never by sleeping.
 */
@ExtendWith(StrandClusterExtension.class)
@SystemTest
class CompactionTest {
    private static final Logger log = LoggerFactory.getLogger(CompactionTest.class);
    /** Cleaning starts within log.cleaner.backoff.ms of a segment closing; CI gets room. */
    private static final Duration CLEANED_WITHIN = Duration.ofSeconds(60);

    private static final Duration READ_WITHIN = Duration.ofSeconds(30);

    @BrokerCluster(
            brokers = 3,
            properties = {"log.cleaner.backoff.ms=200", "log.retention.check.interval.ms=300", "min.insync.replicas=2"})
    static StrandTestCluster cluster;

    @Test
    void shouldKeepOnlyTheLatestRecordOfEachKeyAtItsAcknowledgedOffset() throws Exception {
        String topic = "latest";
        TopicPartition tp = new TopicPartition(topic, 0);
        Sent sent = new Sent();
        try (Admin admin = cluster.admin();
                KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(strictConsumer())) {
            create(admin, topic, 3, compacted(Map.of()));
            // given 200 keys written 10 times each, in gzip batches (the cleaner recompresses what it keeps)
            try (KafkaProducer<byte[], byte[]> producer =
                    cluster.producer(producerSettings(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip")))) {
                for (int round = 0; round < 10; round++) {
                    for (int k = 0; k < 200; k++) {
                        sent.send(producer, topic, "k" + k, value("r" + round + "-", 100));
                    }
                }
                // and records with keys of their own after them, so that the last round is in closed segments
                fill(sent, producer, topic, "filler-", 24 * 1024);
                sent.awaitAcknowledged();
            }

            // when the cleaner has run
            List<Rec> read = awaitNoKeyTwice(consumer, tp);

            // then a reader from the beginning sees exactly the latest record of each key, where it was acknowledged
            assertOneLatestRecordPerKey(sent, read);
            sent.validator.assertNoDuplicates();
            sent.validator.assertInOrderPerKey();
            // and every replica's copy is cleaned: each broker cleans its own
            awaitEveryReplicaBelow(admin, tp, sent.payloadBytes() / 2);
        }
    }

    @Test
    void shouldKeepATombstoneForDeleteRetentionMsAfterTheCleaningThatFirstSawItThenDropItWithItsKey() throws Exception {
        String topic = "tombstones";
        TopicPartition tp = new TopicPartition(topic, 0);
        long deleteRetentionMs = 8000;
        Sent sent = new Sent();
        try (Admin admin = cluster.admin();
                KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(strictConsumer());
                KafkaProducer<byte[], byte[]> producer = cluster.producer(producerSettings(Map.of()))) {
            create(
                    admin,
                    topic,
                    3,
                    compacted(Map.of(TopicConfig.DELETE_RETENTION_MS_CONFIG, Long.toString(deleteRetentionMs))));
            // given 100 keys written 5 times, then tombstones for k0..k29, then more so that they are in closed
            // segments
            writeRounds(sent, producer, topic, 0, 100, 0, 5);
            sent.awaitAcknowledged();
            // the cleaning that first sees the tombstones comes after this: their horizon is later than this +
            // retention
            long tombstonesSentMs = System.currentTimeMillis();
            for (int k = 0; k < 30; k++) {
                sent.send(producer, topic, "k" + k, null);
            }
            fill(sent, producer, topic, "filler-a-", 24 * 1024);
            sent.awaitAcknowledged();

            // when a cleaning has seen them: no older value of a deleted key is left
            List<Rec> first = Wait.waitFor(
                    "a cleaning removed every older value of the deleted keys k0..k29",
                    CLEANED_WITHIN,
                    () -> readAll(consumer, tp, READ_WITHIN),
                    recs -> recs.stream().noneMatch(r -> deleted(r.key()) && r.value() != null));
            long firstSeenCleanedMs = System.currentTimeMillis();

            // then each deleted key is read as its tombstone, at the offset it was acknowledged at
            assertTombstones(first, sent);
            // and a cleaning within delete.retention.ms keeps them
            writeRounds(sent, producer, topic, 30, 100, 5, 1);
            fill(sent, producer, topic, "filler-b-", 24 * 1024);
            sent.awaitAcknowledged();
            List<Rec> second = Wait.waitFor(
                    "a second cleaning removed the overwritten values of k30..k99",
                    CLEANED_WITHIN,
                    () -> readAll(consumer, tp, READ_WITHIN),
                    recs -> keysSeenTwice(recs).isEmpty());
            long elapsed = System.currentTimeMillis() - tombstonesSentMs;
            assertTrue(
                    elapsed < deleteRetentionMs,
                    "the second cleaning was read " + elapsed + " ms after the tombstones were sent, not within "
                            + "delete.retention.ms: too slow for the check that it kept them");
            assertTombstones(second, sent);
            log.info("tombstones still read {} ms after they were sent, after a second cleaning", elapsed);

            // when delete.retention.ms has passed since the cleaning that first saw them (which ran before we saw it)
            Wait.waitUntil(
                    "delete.retention.ms passed since the tombstones were first cleaned",
                    Duration.ofMillis(deleteRetentionMs + 1000),
                    () -> System.currentTimeMillis() > firstSeenCleanedMs + deleteRetentionMs);
            // and more is written, so that the cleaner runs again
            writeRounds(sent, producer, topic, 30, 100, 6, 1);
            fill(sent, producer, topic, "filler-c-", 24 * 1024);
            sent.awaitAcknowledged();

            // then the tombstones are gone, with their keys; every other key reads its latest value
            List<Rec> after = Wait.waitFor(
                    "the tombstones of k0..k29 are gone",
                    CLEANED_WITHIN,
                    () -> readAll(consumer, tp, READ_WITHIN),
                    recs -> recs.stream().noneMatch(r -> deleted(r.key())));
            assertStrictlyIncreasing(after);
            sent.assertAtAcknowledgedOffsets(after);
            Map<String, String> expected = sent.latest();
            expected.values().removeIf(v -> v == null);
            Map<String, List<Rec>> byKey = byKey(after);
            for (Map.Entry<String, String> e : expected.entrySet()) {
                List<Rec> recs = byKey.get(e.getKey());
                assertTrue(recs != null, "key " + e.getKey() + " is missing");
                assertEquals(e.getValue(), recs.get(recs.size() - 1).value(), "latest value of " + e.getKey());
            }
        }
    }

    @Test
    void shouldBothCompactAndExpireATopicWithCleanupPolicyCompactDelete() throws Exception {
        String topic = "compact-delete-by-time";
        TopicPartition tp = new TopicPartition(topic, 0);
        Sent sent = new Sent();
        try (Admin admin = cluster.admin();
                KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(strictConsumer());
                KafkaProducer<byte[], byte[]> producer = cluster.producer(producerSettings(Map.of()))) {
            long retentionMs = 6000;
            create(
                    admin,
                    topic,
                    3,
                    compacted(Map.of(
                            TopicConfig.CLEANUP_POLICY_CONFIG,
                            "compact,delete",
                            TopicConfig.RETENTION_MS_CONFIG,
                            Long.toString(retentionMs))));
            // given 100 keys written 5 times, and more after them so that they are in closed segments
            long sentMs = System.currentTimeMillis();
            writeRounds(sent, producer, topic, 0, 100, 0, 5);
            fill(sent, producer, topic, "filler-", 24 * 1024);
            sent.awaitAcknowledged();
            long lastK = sent.offsetOf("k99", sent.latest().get("k99"));

            // then it is compacted: each key once, with its latest value
            List<Rec> read = awaitNoKeyTwice(consumer, tp);
            long elapsed = System.currentTimeMillis() - sentMs;
            assertTrue(
                    elapsed < retentionMs,
                    "compaction was read " + elapsed + " ms after the records were sent, not within retention.ms:"
                            + " too slow to tell compaction from expiry");
            assertOneLatestRecordPerKey(sent, read);

            // and once retention.ms has passed, the segments holding them are deleted: the log starts after them
            Wait.waitUntil(
                    "retention.ms deleted the segments holding k0..k99",
                    CLEANED_WITHIN,
                    () -> consumer.beginningOffsets(List.of(tp)).get(tp) > lastK);
            List<Rec> expired = readAll(consumer, tp, READ_WITHIN);
            assertEquals(
                    List.of(),
                    expired.stream().filter(r -> r.key().startsWith("k")).toList(),
                    "expired by retention.ms");
            sent.assertAtAcknowledgedOffsets(expired);
        }

        // retention.bytes too: 160 KiB of records, each with a key of its own (nothing to compact), kept to 48 KiB
        String sized = "compact-delete-by-size";
        TopicPartition stp = new TopicPartition(sized, 0);
        Sent sizedSent = new Sent();
        long retentionBytes = 3 * SEGMENT_BYTES;
        try (Admin admin = cluster.admin();
                KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(strictConsumer());
                KafkaProducer<byte[], byte[]> producer = cluster.producer(producerSettings(Map.of()))) {
            create(
                    admin,
                    sized,
                    3,
                    compacted(Map.of(
                            TopicConfig.CLEANUP_POLICY_CONFIG,
                            "delete,compact",
                            TopicConfig.RETENTION_BYTES_CONFIG,
                            Long.toString(retentionBytes))));
            fill(sizedSent, producer, sized, "u", 160 * 1024);
            sizedSent.awaitAcknowledged();
            for (int b = 1; b <= 3; b++) {
                int broker = b;
                Wait.waitUntil(
                        "broker " + broker + "'s copy of " + stp + " is within retention.bytes and a segment",
                        CLEANED_WITHIN,
                        () -> sizeOnDisk(admin, broker, stp) <= retentionBytes + SEGMENT_BYTES);
            }
            // a read between two equal log start offsets (retention may still be deleting a segment)
            long[] start = new long[1];
            List<Rec> read = Wait.waitFor(
                    "a read of " + stp + " with the same log start offset before and after it",
                    READ_WITHIN,
                    () -> {
                        start[0] = consumer.beginningOffsets(List.of(stp)).get(stp);
                        List<Rec> r = readAll(consumer, stp, READ_WITHIN);
                        return consumer.beginningOffsets(List.of(stp)).get(stp) == start[0] ? r : null;
                    },
                    r -> r != null);
            long end = consumer.endOffsets(List.of(stp)).get(stp);
            assertTrue(start[0] > 0, "the oldest segments were deleted");
            // compaction removed nothing: every offset from the log start on is there
            assertEquals(end - start[0], read.size(), "records from " + start[0] + " to " + end);
            assertEquals(start[0], read.get(0).offset());
            sizedSent.assertAtAcknowledgedOffsets(read);
        }
    }

    @Test
    void shouldCompactATopicSwitchedFromDeleteToCompactWithoutARestart() throws Exception {
        String topic = "switched";
        TopicPartition tp = new TopicPartition(topic, 0);
        Sent sent = new Sent();
        try (Admin admin = cluster.admin();
                KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(strictConsumer())) {
            create(admin, topic, 3, Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(SEGMENT_BYTES)));
            // given a topic with cleanup.policy=delete, 100 keys written 5 times
            try (KafkaProducer<byte[], byte[]> producer = cluster.producer(producerSettings(Map.of()))) {
                writeRounds(sent, producer, topic, 0, 100, 0, 5);
                fill(sent, producer, topic, "filler-", 24 * 1024);
                sent.awaitAcknowledged();
            }
            long written = consumer.endOffsets(List.of(tp)).get(tp);
            // a delete topic is not compacted: five cleaner back-offs (200 ms) give the cleaner every chance to err
            Wait.assertStaysTrue(
                    "a topic with cleanup.policy=delete keeps every record",
                    Duration.ofSeconds(1),
                    () -> readAll(consumer, tp, READ_WITHIN).size() == written);
            long smallest = Long.MAX_VALUE;
            for (int b = 1; b <= 3; b++) {
                smallest = Math.min(smallest, sizeOnDisk(admin, b, tp));
            }

            // when its cleanup.policy becomes compact
            admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.TOPIC, topic),
                            List.of(
                                    new AlterConfigOp(
                                            new ConfigEntry(TopicConfig.CLEANUP_POLICY_CONFIG, "compact"),
                                            AlterConfigOp.OpType.SET),
                                    new AlterConfigOp(
                                            new ConfigEntry(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01"),
                                            AlterConfigOp.OpType.SET))))
                    .all()
                    .get();

            // then it is compacted, by the running brokers
            List<Rec> read = awaitNoKeyTwice(consumer, tp);
            assertOneLatestRecordPerKey(sent, read);
            // 400 of 745 records went: every copy shrinks by a third at least
            awaitEveryReplicaBelow(admin, tp, smallest * 2 / 3);
        }
    }

    // ------------------------------------------------------------------------------ helpers

    /** Keys k{from}..k{to-1}, {@code rounds} times, values tagged with their round from {@code firstRound}. */
    static void writeRounds(
            Sent sent, Producer<byte[], byte[]> producer, String topic, int from, int to, int firstRound, int rounds) {
        for (int round = firstRound; round < firstRound + rounds; round++) {
            for (int k = from; k < to; k++) {
                sent.send(producer, topic, "k" + k, value("r" + round + "-", 100));
            }
        }
    }

    /** About {@code bytes} of 100-character values under keys of their own ({@code prefix} and a number). */
    static void fill(Sent sent, Producer<byte[], byte[]> producer, String topic, String prefix, int bytes) {
        for (int i = 0; i < bytes / 100; i++) {
            sent.send(producer, topic, prefix + i, value("", 100));
        }
    }

    private static boolean deleted(String key) {
        return key.matches("k([0-9]|[12][0-9])");
    }

    /** Each of k0..k29 is read once, as its tombstone, at the offset the tombstone was acknowledged at. */
    private static void assertTombstones(List<Rec> read, Sent sent) {
        Map<String, List<Rec>> deleted =
                read.stream().filter(r -> deleted(r.key())).collect(Collectors.groupingBy(Rec::key));
        assertEquals(30, deleted.size(), "tombstones read: " + deleted);
        for (List<Rec> recs : deleted.values()) {
            assertEquals(1, recs.size(), "records of " + recs.get(0).key() + ": " + recs);
            Rec r = recs.get(0);
            assertNull(r.value(), "a tombstone: " + r);
            assertEquals(sent.offsetOf(r.key(), null), r.offset(), "offset of the tombstone of " + r.key());
        }
    }

    /** Reads {@code tp} from the beginning until no key is read twice: the cleaner has cleaned every closed segment. */
    static List<Rec> awaitNoKeyTwice(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp)
            throws InterruptedException {
        AtomicReference<List<Rec>> last = new AtomicReference<>(List.of());
        return Wait.waitFor(
                "a read of " + tp + " from the beginning holds no key twice",
                CLEANED_WITHIN,
                () -> {
                    last.set(readAll(consumer, tp, READ_WITHIN));
                    return last.get();
                },
                recs -> keysSeenTwice(recs).isEmpty(),
                () -> last.get().size() + " records read, keys read twice e.g. "
                        + keysSeenTwice(last.get()).entrySet().stream().limit(3).toList());
    }

    /** Waits until every broker's copy of {@code tp} is smaller than {@code bytes}: each cleaned its own. */
    static void awaitEveryReplicaBelow(Admin admin, TopicPartition tp, long bytes) throws InterruptedException {
        for (int b = 1; b <= 3; b++) {
            int broker = b;
            Wait.waitUntil(
                    "broker " + broker + "'s copy of " + tp + " is below " + bytes + " bytes", CLEANED_WITHIN, () -> {
                        long size = sizeOnDisk(admin, broker, tp);
                        return size >= 0 && size < bytes;
                    });
        }
    }

    /**
     * A reader of the whole cleaned log: offsets only go up, each record sits at the offset it was
     * acknowledged at, one record per key, the last acknowledged one, and nothing never sent.
     */
    private static void assertOneLatestRecordPerKey(Sent sent, List<Rec> read) {
        assertStrictlyIncreasing(read);
        sent.assertAtAcknowledgedOffsets(read);
        assertEquals(sent.latest().size(), read.size(), "one record per key");
        sent.consumed(read);
        sent.validator.assertLatestPerKey();
        sent.validator.assertNothingUnexpected();
    }
}
