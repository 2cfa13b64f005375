package io.strand.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerProcess;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.StrandTestCluster;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invariant 3: with acks=all, RF=3, min.insync.replicas=2 and unclean election off, no acknowledged
 * record is lost through kill -9 of the leader and its restart, round after round; per-partition
 * order holds and the restarted broker rejoins the ISR.
 */
class LeaderKillTest {
    private static final Logger log = LoggerFactory.getLogger(LeaderKillTest.class);
    private static final String TOPIC = "survivor";
    private static final int PARTITIONS = 3;
    private static final int ROUNDS = 5;

    @Test
    void shouldLoseNoAcknowledgedRecordWhenTheLeaderIsKilledAndRestarted() throws Exception {
        try (ProcessTestCluster cluster = new ProcessTestCluster(
                        3,
                        Map.of(
                                "default.replication.factor", "3",
                                "min.insync.replicas", "2",
                                "unclean.leader.election.enable", "false",
                                "replica.lag.time.max.ms", "5000"));
                Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3)))
                    .all()
                    .get();

            Map<Integer, Set<Long>> acked = new ConcurrentHashMap<>();
            AtomicBoolean producing = new AtomicBoolean(true);
            AtomicLong failures = new AtomicLong();
            ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
            Thread producer = new Thread(
                    () -> produce(cluster.bootstrapServers(), acked, producing, failures, unexpected), "test-producer");
            producer.start();

            for (int round = 1; round <= ROUNDS; round++) {
                awaitAcked(acked, 200L * round);
                TopicPartitionInfo before = cluster.describe(admin, TOPIC, 0);
                int leader = before.leader().id();
                BrokerProcess victim = cluster.broker(leader);
                log.info("Round {}: kill -9 broker {}, leader of {}-0 (ISR {})", round, leader, TOPIC, before.isr());
                victim.kill();
                StrandTestCluster.waitUntil("a new leader of " + TOPIC + "-0", Duration.ofSeconds(40), () -> {
                    TopicPartitionInfo p = cluster.describe(admin, TOPIC, 0);
                    return p != null && p.leader() != null && p.leader().id() != leader;
                });
                long ackedBefore = total(acked);
                awaitAcked(acked, ackedBefore + 100);
                victim.start();
                StrandTestCluster.waitUntil("broker " + leader + " back in every ISR", Duration.ofSeconds(60), () -> {
                    for (int p = 0; p < PARTITIONS; p++) {
                        TopicPartitionInfo info = cluster.describe(admin, TOPIC, p);
                        if (info == null || info.isr().stream().noneMatch(n -> n.id() == leader && n.port() > 0)) {
                            return false;
                        }
                    }
                    return true;
                });
            }
            producing.set(false);
            producer.join(120_000);
            assertTrue(unexpected.isEmpty(), "producer failures other than retriable ones: " + unexpected);

            Map<Integer, List<Long>> read = readAll(cluster.bootstrapServers(), acked);
            long duplicates = 0;
            for (int p = 0; p < PARTITIONS; p++) {
                List<Long> seqs = read.getOrDefault(p, List.of());
                Set<Long> got = new java.util.HashSet<>(seqs);
                for (long s : acked.getOrDefault(p, Set.of())) {
                    assertTrue(got.contains(s), "acknowledged record " + s + " of partition " + p + " is missing");
                }
                List<Long> firstSeen = seqs.stream().distinct().toList();
                duplicates += seqs.size() - firstSeen.size();
                for (int i = 1; i < firstSeen.size(); i++) {
                    if (firstSeen.get(i) < firstSeen.get(i - 1)) {
                        throw new AssertionError("records of partition " + p + " out of send order at position " + i
                                + ": " + firstSeen.subList(Math.max(0, i - 5), Math.min(firstSeen.size(), i + 5)));
                    }
                }
            }
            log.info(
                    "Acknowledged {} records over {} kill -9 rounds; {} duplicates; {} sends failed and were not "
                            + "acknowledged",
                    total(acked),
                    ROUNDS,
                    duplicates,
                    failures.get());
            assertEquals(0, duplicates, "the idempotent producer's retries never duplicate");
        }
    }

    private static void produce(
            String bootstrap,
            Map<Integer, Set<Long>> acked,
            AtomicBoolean producing,
            AtomicLong failures,
            ConcurrentLinkedQueue<Throwable> unexpected) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "100");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        long[] next = new long[PARTITIONS];
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            while (producing.get()) {
                for (int partition = 0; partition < PARTITIONS; partition++) {
                    long seq = next[partition]++;
                    int part = partition;
                    byte[] key = ByteBuffer.allocate(4).putInt(partition).array();
                    producer.send(
                            new ProducerRecord<>(
                                    TOPIC,
                                    partition,
                                    key,
                                    ByteBuffer.allocate(8).putLong(seq).array()),
                            (md, e) -> {
                                if (e == null) {
                                    acked.computeIfAbsent(part, x -> ConcurrentHashMap.newKeySet())
                                            .add(seq);
                                } else {
                                    failures.incrementAndGet();
                                    if (!(e instanceof org.apache.kafka.common.errors.RetriableException)
                                            && !(e instanceof org.apache.kafka.common.errors.TimeoutException)) {
                                        unexpected.add(e);
                                    }
                                }
                            });
                }
                Thread.sleep(2);
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long total(Map<Integer, Set<Long>> acked) {
        return acked.values().stream().mapToLong(Set::size).sum();
    }

    private static void awaitAcked(Map<Integer, Set<Long>> acked, long atLeast) throws InterruptedException {
        StrandTestCluster.waitUntil(
                atLeast + " records acknowledged", Duration.ofSeconds(90), () -> total(acked) >= atLeast);
    }

    private static Map<Integer, List<Long>> readAll(String bootstrap, Map<Integer, Set<Long>> acked) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<Integer, List<Long>> out = new HashMap<>();
        Map<Integer, Long> maxAcked = new HashMap<>();
        acked.forEach((part, seqs) -> maxAcked.put(
                part, seqs.stream().mapToLong(Long::longValue).max().orElse(-1)));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < PARTITIONS; i++) {
                tps.add(new TopicPartition(TOPIC, i));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<Integer, Long> endOffsets = new HashMap<>();
            consumer.endOffsets(tps).forEach((tp, o) -> endOffsets.put(tp.partition(), o));
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.computeIfAbsent(r.partition(), x -> new ArrayList<>())
                            .add(ByteBuffer.wrap(r.value()).getLong());
                }
                boolean done = true;
                for (TopicPartition tp : tps) {
                    if (consumer.position(tp) < endOffsets.get(tp.partition())) {
                        done = false;
                    }
                }
                if (done) {
                    break;
                }
            }
        }
        return out;
    }
}
