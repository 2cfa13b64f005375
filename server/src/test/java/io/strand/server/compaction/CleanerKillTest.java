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
import io.strand.server.testing.BrokerProcess;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker killed with {@code kill -9} while its cleaner works, round after round (issue 14): a
 * compacted partition of 4,000 keys gets a round of overwrites (about 450 KB), the cleaner (held to
 * 1 MB/s by {@code log.cleaner.io.max.bytes.per.second}, so a cleaning takes a couple of seconds)
 * starts on it, and the broker is killed at a random moment: in even rounds the first moment after
 * a random pause that a {@code .cleaned} segment is being written (a few milliseconds after it was
 * seen, which may be the swap), in odd
 * rounds at any moment after the round was acknowledged (the key map, the rewrite, between two
 * swaps). After each restart the log opens without a complaint in the broker's log, its end offset
 * is where the acknowledged records ended, and a reader finds every key's latest acknowledged value
 * at its acknowledged offset; finally a cleaning completes and leaves one record per key.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class CleanerKillTest {
    private static final Logger log = LoggerFactory.getLogger(CleanerKillTest.class);
    private static final String TOPIC = "killed-while-cleaning";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int KEYS = 4000;
    // each round is a broker kill and restart (about 14 s); wal CleanerCrashTest kills the cleaner at many more points
    private static final int ROUNDS = 3;
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @Test
    void shouldOpenTheLogAndKeepEveryLatestValueWhenTheBrokerIsKilledWhileItCleans(
            @BrokerCluster(
                            brokers = 1,
                            properties = {
                                "log.cleaner.backoff.ms=200",
                                "log.cleaner.io.max.bytes.per.second=1000000",
                                "offsets.topic.replication.factor=1"
                            })
                    ProcessTestCluster cluster)
            throws Exception {
        BrokerProcess broker = cluster.broker(1);
        Path dir = broker.dir().resolve("data").resolve(TOPIC + "-0");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        log.info("kill moments from seed {}", seed);
        Sent sent = new Sent();
        int killedMidRewrite = 0;
        try (Admin admin = cluster.admin()) {
            create(admin, TOPIC, 1, compacted(Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, "32768")));
            for (int round = 0; round < ROUNDS; round++) {
                // given a round of overwrites of every key, acknowledged
                try (KafkaProducer<byte[], byte[]> producer = cluster.producer(producerSettings(Map.of()))) {
                    CompactionTest.writeRounds(sent, producer, TOPIC, 0, KEYS, round, 1);
                    sent.awaitAcknowledged();
                }
                // when the broker is killed while it cleans, at a random moment (not a wait for an
                // outcome); in even rounds the first moment after it that a cleaned segment is
                // being written: a cleaning may have ended during the pause
                Thread.sleep(random.nextInt(round % 2 == 0 ? 700 : 1500));
                if (round % 2 == 0) {
                    awaitCleanedSegment(cluster, dir, sent, round);
                }
                List<String> atKill = files(dir, ".cleaned", ".swap");
                broker.kill();
                if (atKill.stream().anyMatch(f -> f.endsWith(".cleaned"))) {
                    killedMidRewrite++;
                }
                long logMark = Files.size(broker.logFile());
                broker.start();

                // then the log opens, and every latest value is there, at its offset
                List<Rec> read = awaitRead(cluster, admin);
                String since = logSince(broker, logMark);
                long swapsCompleted = since.lines()
                        .filter(l -> l.contains("Completing the log cleaner's swap"))
                        .count();
                log.info(
                        "round {}: killed with {} in {}; after the restart {} records, {} swaps completed at load",
                        round,
                        atKill,
                        dir.getFileName(),
                        read.size(),
                        swapsCompleted);
                assertNoComplaint(since, round);
                assertStrictlyIncreasing(read);
                sent.assertAtAcknowledgedOffsets(read);
                assertLatest(read, sent);
                try (KafkaConsumer<byte[], byte[]> c = cluster.consumer(strictConsumer())) {
                    assertEquals(
                            sent.validator.acknowledgedCount(),
                            c.endOffsets(List.of(TP)).get(TP),
                            "log end offset after round " + round);
                }
            }
            assertTrue(killedMidRewrite > 0, "no kill came while a cleaned segment was being written");

            // and finally a cleaning completes, leaving one record per key
            long cleaningsBefore = CompactionFailoverTest.cleanings(broker, TP);
            try (KafkaProducer<byte[], byte[]> producer = cluster.producer(producerSettings(Map.of()))) {
                CompactionTest.fill(sent, producer, TOPIC, "filler-", 48 * 1024);
                sent.awaitAcknowledged();
            }
            List<Rec> cleaned;
            try (KafkaConsumer<byte[], byte[]> c = cluster.consumer(strictConsumer())) {
                cleaned = CompactionTest.awaitNoKeyTwice(c, TP);
            }
            assertTrue(CompactionFailoverTest.cleanings(broker, TP) > cleaningsBefore, "a cleaning completed");
            assertStrictlyIncreasing(cleaned);
            sent.assertAtAcknowledgedOffsets(cleaned);
            assertLatest(cleaned, sent);
            assertEquals(sent.latest().size(), cleaned.size(), "one record per key");
            log.info("{} kills, {} of them while a cleaned segment was being written", ROUNDS, killedMidRewrite);
        }
    }

    /**
     * Waits until the cleaner writes a {@code .cleaned} segment. It may have cleaned everything the
     * round wrote already, and then sleeps: every 2 s without one, 400 more overwrites (acknowledged,
     * so the check after the kill knows them) give it a new dirty section, and a new cleaning of the
     * whole log, which takes a while at 1 MB/s.
     */
    private static void awaitCleanedSegment(ProcessTestCluster cluster, Path dir, Sent sent, int round)
            throws Exception {
        long[] nextNudge = {System.nanoTime() + Duration.ofSeconds(2).toNanos()};
        int[] nudges = {0};
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(producerSettings(Map.of()))) {
            Wait.waitUntil("the cleaner writes a cleaned segment of " + TP, WITHIN, () -> {
                if (!files(dir, ".cleaned").isEmpty()) {
                    return true;
                }
                if (System.nanoTime() - nextNudge[0] > 0) {
                    for (int k = 0; k < 400; k++) {
                        sent.send(producer, TOPIC, "k" + k, value("nudge" + round + "-" + nudges[0] + "-", 100));
                    }
                    try {
                        sent.awaitAcknowledged();
                    } catch (ExecutionException e) {
                        throw new AssertionError("an overwrite was not acknowledged", e);
                    }
                    nudges[0]++;
                    nextNudge[0] = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
                return false;
            });
        }
    }

    /** Waits until the restarted broker leads the partition again, then reads it whole. */
    private static List<Rec> awaitRead(ProcessTestCluster cluster, Admin admin) throws Exception {
        Wait.waitUntil("the restarted broker leads " + TP, WITHIN, () -> {
            TopicPartitionInfo p = cluster.describe(admin, TOPIC, 0);
            return p != null && p.leader() != null && p.leader().id() == 1;
        });
        try (KafkaConsumer<byte[], byte[]> c = cluster.consumer(strictConsumer())) {
            return readAll(c, TP, WITHIN);
        }
    }

    /** Every key's last record read holds the value last acknowledged for it. */
    private static void assertLatest(List<Rec> read, Sent sent) {
        Map<String, List<Rec>> byKey = CompactedTopics.byKey(read);
        for (Map.Entry<String, String> e : sent.latest().entrySet()) {
            List<Rec> recs = byKey.get(e.getKey());
            assertTrue(recs != null, "key " + e.getKey() + " is missing");
            assertEquals(e.getValue(), recs.get(recs.size() - 1).value(), "latest value of " + e.getKey());
        }
    }

    /** Nothing in the broker's log since the restart says a segment was corrupt or the cleaner failed. */
    private static void assertNoComplaint(String since, int round) {
        List<String> bad = since.lines()
                .filter(l -> l.contains(" ERROR ")
                        || l.toLowerCase(java.util.Locale.ROOT).contains("corrupt")
                        || l.contains("uncleanable")
                        || l.contains("Cannot clean"))
                .toList();
        assertEquals(List.of(), bad, "the broker's complaints after the restart of round " + round);
    }

    /** The files of {@code dir} whose names end with one of {@code suffixes}. */
    private static List<String> files(Path dir, String... suffixes) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> Stream.of(suffixes).anyMatch(n::endsWith))
                    .sorted()
                    .toList();
        }
    }

    /** The broker's log file from byte {@code from} on (Latin-1: a kill may have cut a character). */
    private static String logSince(BrokerProcess broker, long from) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(broker.logFile().toFile(), "r")) {
            byte[] b = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(b);
            return new String(b, StandardCharsets.ISO_8859_1);
        }
    }
}
