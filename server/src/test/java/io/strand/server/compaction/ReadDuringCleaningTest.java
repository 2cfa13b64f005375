package io.strand.server.compaction;

import static io.strand.server.compaction.CompactedTopics.assertStrictlyIncreasing;
import static io.strand.server.compaction.CompactedTopics.compacted;
import static io.strand.server.compaction.CompactedTopics.create;
import static io.strand.server.compaction.CompactedTopics.producerSettings;
import static io.strand.server.compaction.CompactedTopics.readAll;
import static io.strand.server.compaction.CompactedTopics.strictConsumer;
import static io.strand.server.compaction.CompactedTopics.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.compaction.CompactedTopics.Rec;
import io.strand.server.compaction.CompactedTopics.Sent;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.BackgroundProducer;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SlowTest;
import io.strand.testing.Wait;
import io.strand.wal.cleaner.LogCleaner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readers across cleaning (issue 14): a consumer reading a compacted partition from the beginning,
 * one small fetch at a time, while the cleaner rewrites the segments under it (an idempotent
 * producer keeps overwriting 300 keys, so cleanings follow each other) gets no error — not even an
 * offset out of range, its reset policy is {@code none} — reads no offset twice, and reads only
 * records that were sent, in order per key, each offset always holding the same record; and a fetch
 * at an offset the cleaner removed gets the next record that exists, as in Kafka.
 */
@ExtendWith(StrandClusterExtension.class)
@SlowTest
class ReadDuringCleaningTest {
    private static final Logger log = LoggerFactory.getLogger(ReadDuringCleaningTest.class);
    private static final String TOPIC = "read-during-cleaning";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int KEYS = 300;
    private static final int CLEANINGS_DURING_READS = 4;

    @Test
    void shouldReadACompactedPartitionWhileItIsCleanedWithoutErrorsOrRepeatsAndSkipCleanedOffsets(
            @BrokerCluster(
                            brokers = 3,
                            properties = {"log.cleaner.backoff.ms=200", "min.insync.replicas=2"})
                    StrandTestCluster cluster)
            throws Exception {
        Sent sent = new Sent();
        Map<Long, Rec> seenAt = new HashMap<>();
        try (Admin admin = cluster.admin();
                KafkaConsumer<byte[], byte[]> reader = cluster.consumer(Map.of(
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none",
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "1024",
                        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, "1024",
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "20"))) {
            create(admin, TOPIC, 3, compacted(Map.of()));
            // given 300 keys written 6 times (about 200 KB, a dozen segments)
            try (KafkaProducer<byte[], byte[]> producer = cluster.producer(producerSettings(Map.of()))) {
                CompactionTest.writeRounds(sent, producer, TOPIC, 0, KEYS, 0, 6);
                sent.awaitAcknowledged();
            }
            int leader = admin.describeTopics(List.of(TOPIC))
                    .allTopicNames()
                    .get()
                    .get(TOPIC)
                    .partitions()
                    .get(0)
                    .leader()
                    .id();
            LogCleaner cleaner = cluster.broker(leader).logCleaner();

            // when a producer keeps overwriting the keys, so that the cleaner keeps rewriting the log,
            try (BackgroundProducer load = BackgroundProducer.start(
                    "overwriter",
                    cluster.producer(producerSettings(Map.of())),
                    sent.validator,
                    // random keys: the records cleaning keeps are scattered among those it removes
                    i -> new BackgroundProducer.Send(
                            TOPIC, 0, "k" + ThreadLocalRandom.current().nextInt(KEYS), value("bg" + i + "-", 100)),
                    20,
                    Duration.ofMillis(5))) {
                // and a reader reads the partition from the beginning again and again
                long cleaningsDuringReads = 0;
                int passes = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (passes < 3 || cleaningsDuringReads < CLEANINGS_DURING_READS) {
                    assertTrue(
                            System.nanoTime() < deadline,
                            "only " + cleaningsDuringReads + " cleanings during " + passes + " reads in 60 s");
                    long before = cleaner.cleanings();
                    List<Rec> pass = readAll(reader, TP, Duration.ofSeconds(30));
                    cleaningsDuringReads += cleaner.cleanings() - before;
                    passes++;
                    // then each pass reads each offset once, in order, only what was sent, each offset the same record
                    checkPass(pass, sent, seenAt);
                }
                log.info(
                        "{} reads of {} from the beginning with {} cleanings of it finished during them",
                        passes,
                        TP,
                        cleaningsDuringReads);
                load.stop(Duration.ofSeconds(60));
            }
            sent.validator.assertNoSendFailures();

            // and once the producer stopped and everything it wrote is in closed segments, cleaned:
            try (KafkaProducer<byte[], byte[]> producer = cluster.producer(producerSettings(Map.of()))) {
                CompactionTest.fill(sent, producer, TOPIC, "filler-", 24 * 1024);
                sent.awaitAcknowledged();
            }
            List<Rec> cleaned;
            try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(strictConsumer())) {
                cleaned = CompactionTest.awaitNoKeyTwice(consumer, TP);
            }
            checkPass(cleaned, sent, seenAt);
            ProduceConsumeValidator latest = sent.validator.forAnotherReader();
            cleaned.forEach(r -> latest.consumed(r.key(), r.value()));
            latest.assertLatestPerKey();

            // a fetch at an offset the cleaner removed gets the next record that exists
            NavigableSet<Long> kept = new TreeSet<>();
            cleaned.forEach(r -> kept.add(r.offset()));
            List<Long> removed = new ArrayList<>();
            for (long o = reader.beginningOffsets(List.of(TP)).get(TP); o < kept.last(); o++) {
                if (!kept.contains(o)) {
                    removed.add(o);
                }
            }
            assertTrue(removed.size() > 100, "the cleaner removed records: " + removed.size());
            reader.assign(List.of(TP));
            for (int i = 0; i < removed.size(); i += removed.size() / 30) {
                long gone = removed.get(i);
                reader.seek(TP, gone);
                ConsumerRecords<byte[], byte[]> got = Wait.waitFor(
                        "a record after the cleaned offset " + gone,
                        Duration.ofSeconds(10),
                        () -> reader.poll(Duration.ofMillis(100)),
                        records -> !records.isEmpty());
                long first = got.iterator().next().offset();
                assertEquals(kept.higher(gone), first, "the first record read after seeking to cleaned offset " + gone);
            }
        }
    }

    /**
     * One read from the beginning: offsets strictly increasing; only records that were sent, in send
     * order per key; the records acknowledged before the reads at their acknowledged offsets; and an
     * offset read in an earlier pass holding the same record.
     */
    private static void checkPass(List<Rec> pass, Sent sent, Map<Long, Rec> seenAt) {
        assertStrictlyIncreasing(pass);
        ProduceConsumeValidator v = sent.validator.forAnotherReader();
        for (Rec r : pass) {
            v.consumed(r.key(), r.value());
            Long acked = sent.offsetOf(r.key(), r.value());
            assertTrue(acked == null || acked == r.offset(), r + " was acknowledged at offset " + acked);
            Rec earlier = seenAt.putIfAbsent(r.offset(), r);
            assertTrue(
                    earlier == null || earlier.equals(r), "offset " + r.offset() + " held " + earlier + ", now " + r);
        }
        v.assertNothingUnexpected();
        v.assertNoDuplicates();
        v.assertInOrderPerKey();
    }
}
