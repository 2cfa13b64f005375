package io.strand.server.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Java transactional producer against Strand: committed and aborted transactions interleaved
 * over several partitions are seen exactly as committed by a read_committed consumer and in full by
 * a read_uncommitted one; offsets committed inside a transaction become the group's only when it
 * commits; a second producer with the same transactional id fences the first.
 */
@ExtendWith(StrandClusterExtension.class)
class TransactionsTest {
    @BrokerCluster(
            brokers = 3,
            properties = {
                "default.replication.factor=3",
                "min.insync.replicas=2",
                "transaction.state.log.num.partitions=4",
                "offsets.topic.num.partitions=4"
            })
    private static StrandTestCluster cluster;

    private static KafkaProducer<byte[], byte[]> transactional(String id) {
        return cluster.producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, id,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000"));
    }

    private static KafkaConsumer<byte[], byte[]> consumer(IsolationLevel isolation) {
        return cluster.consumer(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                isolation.toString(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"));
    }

    @Test
    void shouldShowReadCommittedConsumersExactlyTheCommittedTransactionsInOrder() throws Exception {
        String topic = "txn-interleaved";
        int partitions = 3;
        cluster.createTopic(topic, partitions, 3);
        Map<Integer, List<String>> committed = new TreeMap<>();
        Map<Integer, List<String>> all = new TreeMap<>();
        try (KafkaProducer<byte[], byte[]> producer = transactional("interleaved-1")) {
            producer.initTransactions();
            for (int txn = 0; txn < 20; txn++) {
                boolean commit = txn % 3 != 2;
                producer.beginTransaction();
                for (int i = 0; i < 10; i++) {
                    int p = (txn + i) % partitions;
                    String v = "t" + txn + "-" + i;
                    producer.send(new ProducerRecord<>(topic, p, null, v.getBytes()));
                    all.computeIfAbsent(p, x -> new ArrayList<>()).add(v);
                    if (commit) {
                        committed.computeIfAbsent(p, x -> new ArrayList<>()).add(v);
                    }
                }
                producer.flush(); // an abort drops what is still unsent: these reach the log first
                if (commit) {
                    producer.commitTransaction();
                } else {
                    producer.abortTransaction();
                }
            }
        }
        assertEquals(committed, readAll(topic, partitions, IsolationLevel.READ_COMMITTED, count(committed)));
        assertEquals(all, readAll(topic, partitions, IsolationLevel.READ_UNCOMMITTED, count(all)));

        try (Admin admin = cluster.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> committedEnd = admin.listOffsets(
                            latest,
                            new org.apache.kafka.clients.admin.ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .all()
                    .get();
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end =
                    admin.listOffsets(latest).all().get();
            assertEquals(
                    end.values().stream()
                            .map(ListOffsetsResult.ListOffsetsResultInfo::offset)
                            .toList(),
                    committedEnd.values().stream()
                            .map(ListOffsetsResult.ListOffsetsResultInfo::offset)
                            .toList(),
                    "no transaction open: the last stable offset is the high watermark");
        }
    }

    @Test
    void shouldHideAnOpenTransactionFromReadCommittedConsumersUntilItCommits() throws Exception {
        String topic = "txn-open";
        cluster.createTopic(topic, 1, 3);
        try (KafkaProducer<byte[], byte[]> producer = transactional("open-1");
                KafkaConsumer<byte[], byte[]> readCommitted = consumer(IsolationLevel.READ_COMMITTED)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, null, "pending".getBytes()))
                    .get();
            TopicPartition tp = new TopicPartition(topic, 0);
            readCommitted.assign(List.of(tp));
            assertTrue(readCommitted.poll(Duration.ofSeconds(2)).isEmpty(), "an open transaction is not visible");
            producer.commitTransaction();
            List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 30_000;
            while (got.isEmpty() && System.currentTimeMillis() < deadline) {
                readCommitted.poll(Duration.ofMillis(200)).forEach(got::add);
            }
            assertEquals(1, got.size());
            assertEquals("pending", new String(got.get(0).value()));
        }
    }

    @Test
    void shouldMakeOffsetsCommittedInATransactionVisibleOnlyWhenItCommits() throws Exception {
        String topic = "txn-offsets";
        String group = "txn-group";
        cluster.createTopic(topic, 1, 3);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<byte[], byte[]> producer = transactional("offsets-1");
                Admin admin = cluster.admin()) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, null, "x".getBytes()));
            producer.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(7)), new ConsumerGroupMetadata(group));
            producer.abortTransaction();
            assertNull(
                    admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get()
                            .get(tp),
                    "an aborted transaction commits no offset");

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, null, "y".getBytes()));
            producer.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(42)), new ConsumerGroupMetadata(group));
            producer.commitTransaction();
            OffsetAndMetadata got = io.strand.testing.Wait.waitFor(
                    "the group's committed offset",
                    Duration.ofSeconds(30),
                    () -> admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get()
                            .get(tp),
                    o -> o != null);
            assertEquals(42, got.offset());
        }
    }

    @Test
    void shouldFenceTheFirstProducerWhenASecondOneStartsWithTheSameTransactionalId() throws Exception {
        String topic = "txn-fenced";
        cluster.createTopic(topic, 1, 3);
        try (KafkaProducer<byte[], byte[]> first = transactional("fenced-1")) {
            first.initTransactions();
            first.beginTransaction();
            first.send(new ProducerRecord<>(topic, 0, null, "first".getBytes())).get();
            try (KafkaProducer<byte[], byte[]> second = transactional("fenced-1")) {
                second.initTransactions(); // aborts the first one's open transaction
                second.beginTransaction();
                second.send(new ProducerRecord<>(topic, 0, null, "second".getBytes()));
                second.commitTransaction();
            }
            assertThrows(ProducerFencedException.class, first::commitTransaction);
        }
        assertEquals(Map.of(0, List.of("second")), readAll(topic, 1, IsolationLevel.READ_COMMITTED, 1));
    }

    @Test
    @io.strand.testing.SystemTest
    void shouldServeTheTransactionalProducerOfKafkaClients39() throws Exception {
        String topic = "txn-compat39";
        cluster.createTopic(topic, 2, 3);
        String out = io.strand.server.testing.CompatClients.run39(
                io.strand.server.testing.CompatTransactionalMain.class,
                cluster.bootstrapServers(),
                topic,
                "2",
                "10",
                "6");
        assertTrue(out.contains("committed 30"), out);
        Map<Integer, List<String>> committed = new TreeMap<>();
        for (int t = 0; t < 10; t += 2) {
            for (int i = 0; i < 6; i++) {
                committed.computeIfAbsent(i % 2, x -> new ArrayList<>()).add("t" + t + "-" + i);
            }
        }
        assertEquals(committed, readAll(topic, 2, IsolationLevel.READ_COMMITTED, 30));
        assertEquals(60, count(readAll(topic, 2, IsolationLevel.READ_UNCOMMITTED, 60)), "aborted ones are in the log");
    }

    private static int count(Map<Integer, List<String>> m) {
        return m.values().stream().mapToInt(List::size).sum();
    }

    private static Map<Integer, List<String>> readAll(
            String topic, int partitions, IsolationLevel isolation, int expected) {
        Map<Integer, List<String>> out = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer(isolation)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            int n = 0;
            long deadline = System.currentTimeMillis() + 30_000;
            while (n < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.computeIfAbsent(r.partition(), x -> new ArrayList<>()).add(new String(r.value()));
                    n++;
                }
            }
            // nothing more arrives (no aborted or duplicated record shows up late)
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                out.computeIfAbsent(r.partition(), x -> new ArrayList<>()).add(new String(r.value()));
            }
        }
        return out;
    }
}
