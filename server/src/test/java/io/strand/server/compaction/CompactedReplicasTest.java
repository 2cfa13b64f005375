package io.strand.server.compaction;

import static io.strand.server.compaction.CompactedTopics.compacted;
import static io.strand.server.compaction.CompactedTopics.create;
import static io.strand.server.compaction.CompactedTopics.producerSettings;
import static io.strand.server.compaction.CompactedTopics.strictConsumer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.compaction.CompactedTopics.Sent;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import io.strand.wal.LogConfig;
import io.strand.wal.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicas of a compacted partition agree (issue 14). Every broker runs its own log cleaner
 * over its own copy of a partition, followers included, as Kafka's brokers do: there is no protocol
 * for shipping a cleaned segment from the leader, and none is needed, because cleaning never
 * changes an offset. A follower's log holds the leader's records at the leader's offsets, and each
 * cleaner only drops a record that a later record of the same key (within the replicated, stable
 * part of the log) supersedes; so the copies may differ in which superseded records they still
 * hold, and in how their segments are cut, but they converge on the same key → latest value table,
 * and an offset present on two copies holds the same record.
 *
 * <p>Here an RF=3 partition gets overwrites, tombstones and more overwrites from an idempotent
 * producer; once each broker's copy has shrunk (DescribeLogDirs asked broker by broker, and each
 * broker's cleaner reports having cleaned it), the brokers are stopped and each copy is read with
 * {@link PartitionLog#open}: same log end offset, same latest record per key (the one acknowledged
 * last), and identical records at the offsets two copies share.
 */
@ExtendWith(StrandClusterExtension.class)
class CompactedReplicasTest {
    private static final Logger log = LoggerFactory.getLogger(CompactedReplicasTest.class);
    private static final String TOPIC = "replicated";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    /** A record as stored: key, value (null: a tombstone) and timestamp. */
    private record Stored(String key, String value, long timestamp) {}

    private final Map<Integer, Long> logEndOffsets = new HashMap<>();

    @Test
    void shouldConvergeOnTheSameLatestRecordPerKeyOnEveryReplica(
            @BrokerCluster(
                            brokers = 3,
                            properties = {"log.cleaner.backoff.ms=200", "min.insync.replicas=2"})
                    StrandTestCluster cluster)
            throws Exception {
        Sent sent = new Sent();
        long endOffset;
        try (Admin admin = cluster.admin()) {
            create(admin, TOPIC, 3, compacted(Map.of()));
            // given 200 keys written 8 times, tombstones for k0..k19, k100..k199 written once more, then more keys
            try (KafkaProducer<byte[], byte[]> producer = cluster.producer(producerSettings(Map.of()))) {
                CompactionTest.writeRounds(sent, producer, TOPIC, 0, 200, 0, 8);
                for (int k = 0; k < 20; k++) {
                    sent.send(producer, TOPIC, "k" + k, null);
                }
                CompactionTest.writeRounds(sent, producer, TOPIC, 100, 200, 8, 1);
                CompactionTest.fill(sent, producer, TOPIC, "filler-", 24 * 1024);
                sent.awaitAcknowledged();
            }
            // when every broker has cleaned its own copy
            CompactionTest.awaitEveryReplicaBelow(admin, TP, sent.payloadBytes() / 2);
            for (int b = 1; b <= 3; b++) {
                int broker = b;
                Wait.waitUntil(
                        "broker " + broker + "'s log cleaner reports having cleaned " + TP,
                        Duration.ofSeconds(30),
                        () -> cluster.broker(broker).logCleaner().status().stream()
                                .anyMatch(s -> s.topicPartition().equals(TP) && s.lastCleanedMs() > 0));
            }
            try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(strictConsumer())) {
                endOffset = consumer.endOffsets(List.of(TP)).get(TP);
            }
        }
        for (int b = 1; b <= 3; b++) {
            cluster.stopBroker(b);
        }

        // then each copy, read from disk, ends at the same offset and holds the latest record of every key
        Map<Integer, TreeMap<Long, Stored>> copies = new LinkedHashMap<>();
        for (int b = 1; b <= 3; b++) {
            TreeMap<Long, Stored> copy = readCopy(cluster, b);
            copies.put(b, copy);
            log.info(
                    "broker {}'s copy of {}: {} records from offset {} (of {} written)",
                    b,
                    TP,
                    copy.size(),
                    copy.isEmpty() ? -1 : copy.firstKey(),
                    endOffset);
        }
        Map<String, String> expected = sent.latest();
        for (Map.Entry<Integer, TreeMap<Long, Stored>> e : copies.entrySet()) {
            int broker = e.getKey();
            Map<String, Stored> latest = latestPerKey(e.getValue());
            Map<String, String> wrong = new TreeMap<>();
            expected.forEach((k, v) -> {
                Stored s = latest.get(k);
                if (s == null || !Objects.equals(v, s.value())) {
                    wrong.put(
                            k,
                            "acknowledged last " + brief(v) + ", latest on disk "
                                    + (s == null ? "none" : brief(s.value())));
                }
            });
            latest.keySet().stream().filter(k -> !expected.containsKey(k)).forEach(k -> wrong.put(k, "never sent"));
            assertEquals(
                    Map.of(), wrong, "broker " + broker + "'s keys whose latest record is not the last acknowledged");
            for (Map.Entry<String, String> kv : expected.entrySet()) {
                Long offset = sent.offsetOf(kv.getKey(), kv.getValue());
                assertTrue(
                        e.getValue().containsKey(offset),
                        "broker " + broker + " holds the latest record of " + kv.getKey() + " at " + offset);
            }
        }
        // and an offset present on two copies holds the same record
        for (int a = 1; a <= 3; a++) {
            for (int b = a + 1; b <= 3; b++) {
                TreeMap<Long, Stored> x = copies.get(a);
                TreeMap<Long, Stored> y = copies.get(b);
                int shared = 0;
                for (Map.Entry<Long, Stored> r : x.entrySet()) {
                    Stored other = y.get(r.getKey());
                    if (other != null) {
                        shared++;
                        assertEquals(r.getValue(), other, "offset " + r.getKey() + " on brokers " + a + " and " + b);
                    }
                }
                assertFalse(shared == 0, "brokers " + a + " and " + b + " share offsets");
            }
        }
        // the log end offsets, as the brokers' logs reopened say
        for (int b = 1; b <= 3; b++) {
            assertEquals(endOffset, logEndOffsets.get(b), "broker " + b + "'s log end offset");
        }
    }

    /** Broker {@code b}'s copy of the partition, opened from its log directory (the broker is stopped). */
    private TreeMap<Long, Stored> readCopy(StrandTestCluster cluster, int b) {
        TreeMap<Long, Stored> out = new TreeMap<>();
        try (PartitionLog copy = PartitionLog.open(
                cluster.dataDir(b).resolve(TP.topic() + "-" + TP.partition()), TP, null, LogConfig.defaults())) {
            logEndOffsets.put(b, copy.logEndOffset());
            long previous = -1;
            for (RecordBatch batch : copy.batchesFrom(copy.logStartOffset())) {
                if (batch.isControlBatch()) {
                    continue;
                }
                for (Record r : batch) {
                    assertTrue(r.offset() > previous, "broker " + b + ": offset " + r.offset() + " after " + previous);
                    previous = r.offset();
                    out.put(r.offset(), new Stored(string(r.key()), string(r.value()), r.timestamp()));
                }
            }
        }
        return out;
    }

    private static Map<String, Stored> latestPerKey(TreeMap<Long, Stored> copy) {
        Map<String, Stored> out = new LinkedHashMap<>();
        copy.values().forEach(s -> out.put(s.key(), s));
        return out;
    }

    private static String brief(String value) {
        return value == null ? "<tombstone>" : value.substring(0, Math.min(8, value.length()));
    }

    private static String string(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
