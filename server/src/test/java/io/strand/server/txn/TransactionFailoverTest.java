package io.strand.server.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream of transactions through {@code kill -9} of the transaction coordinator's broker and,
 * separately, of a data partition's leader: every transaction the producer saw committed is read
 * exactly once by a read_committed consumer, in order; no record of a transaction it aborted is
 * ever visible; a transaction whose outcome the producer could not learn is visible entirely or
 * not at all; and no transaction is left hanging (the last stable offset reaches the high
 * watermark on every partition).
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class TransactionFailoverTest {
    private static final Logger log = LoggerFactory.getLogger(TransactionFailoverTest.class);
    private static final String TOPIC = "txn-failover";
    private static final String TXN_ID = "failover-producer";
    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 3;

    /** What became of one transaction, as the producer saw it. */
    private enum Outcome {
        COMMITTED,
        ABORTED,
        UNKNOWN
    }

    @Test
    void shouldKeepEveryCommittedTransactionAndNoAbortedOneThroughCoordinatorAndLeaderKills(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "min.insync.replicas=2",
                                "zookeeper.session.timeout.ms=30000",
                                "replica.lag.time.max.ms=5000",
                                "transaction.state.log.num.partitions=3",
                                "offsets.topic.num.partitions=3"
                            })
                    ProcessTestCluster cluster)
            throws Exception {
        Map<Integer, Outcome> outcomes = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger done = new AtomicInteger();
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3)))
                    .all()
                    .get();
            Thread producerThread = new Thread(() -> produce(cluster, outcomes, stop, done), "txn-producer");
            producerThread.start();
            try {
                Wait.waitUntil("20 transactions done", Duration.ofSeconds(60), () -> done.get() >= 20);
                int coordinator = admin.describeTransactions(List.of(TXN_ID))
                        .description(TXN_ID)
                        .get()
                        .coordinatorId();
                log.info("killing the transaction coordinator, broker {}", coordinator);
                cluster.broker(coordinator).kill();
                awaitMore(done, 20);
                cluster.broker(coordinator).start();
                awaitMore(done, 20);

                int leader = admin.describeTopics(List.of(TOPIC))
                        .allTopicNames()
                        .get()
                        .get(TOPIC)
                        .partitions()
                        .get(0)
                        .leader()
                        .id();
                log.info("killing the leader of {}-0, broker {}", TOPIC, leader);
                cluster.broker(leader).kill();
                awaitMore(done, 20);
                cluster.broker(leader).start();
                awaitMore(done, 20);
            } finally {
                stop.set(true);
                producerThread.join(180_000);
            }

            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
            }
            Wait.waitUntil(
                    "no transaction left open: the LSO reaches the high watermark", Duration.ofSeconds(60), () -> {
                        var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                                .all()
                                .get();
                        var end = admin.listOffsets(latest).all().get();
                        return latest.keySet().stream()
                                .allMatch(tp ->
                                        stable.get(tp).offset() == end.get(tp).offset());
                    });
        }

        Map<String, Integer> seen = new HashMap<>();
        Map<Integer, List<Integer>> orderByPartition = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline
                    && tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String v = new String(r.value());
                    seen.merge(v, 1, Integer::sum);
                    orderByPartition
                            .computeIfAbsent(r.partition(), x -> new ArrayList<>())
                            .add(Integer.parseInt(v.substring(1, v.indexOf('-'))));
                }
            }
        }
        int committed = 0;
        int aborted = 0;
        int unknown = 0;
        for (Map.Entry<Integer, Outcome> e : outcomes.entrySet()) {
            int t = e.getKey();
            int present = 0;
            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < PER_PARTITION; i++) {
                    Integer n = seen.get("t" + t + "-" + p + "-" + i);
                    if (n != null) {
                        assertEquals(1, n, "t" + t + "-" + p + "-" + i + " read " + n + " times");
                        present++;
                    }
                }
            }
            int all = PARTITIONS * PER_PARTITION;
            switch (e.getValue()) {
                case COMMITTED -> {
                    committed++;
                    assertEquals(all, present, "committed transaction " + t + " is read whole");
                }
                case ABORTED -> {
                    aborted++;
                    assertEquals(0, present, "aborted transaction " + t + " is never visible");
                }
                case UNKNOWN -> {
                    unknown++;
                    assertTrue(present == 0 || present == all, "transaction " + t + " is partly visible: " + present);
                }
            }
        }
        orderByPartition.forEach((p, ts) -> {
            for (int i = 1; i < ts.size(); i++) {
                assertTrue(ts.get(i - 1) <= ts.get(i), "partition " + p + " out of transaction order: " + ts);
            }
        });
        log.info(
                "{} transactions: {} committed, {} aborted, {} of unknown outcome; {} records read",
                outcomes.size(),
                committed,
                aborted,
                unknown,
                seen.size());
        assertTrue(committed >= 60, "committed " + committed);
    }

    private static void awaitMore(AtomicInteger done, int more) throws InterruptedException {
        int target = done.get() + more;
        Wait.waitUntil(more + " more transactions", Duration.ofSeconds(120), () -> done.get() >= target);
    }

    private static KafkaProducer<byte[], byte[]> producer(ProcessTestCluster cluster) {
        KafkaProducer<byte[], byte[]> p = cluster.producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, TXN_ID,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000",
                ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "100",
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "30000"));
        p.initTransactions();
        return p;
    }

    /** Transactions t = 0, 1, ...: records "t&lt;t&gt;-&lt;partition&gt;-&lt;i&gt;"; every fifth aborted on purpose. */
    private static void produce(
            ProcessTestCluster cluster, Map<Integer, Outcome> outcomes, AtomicBoolean stop, AtomicInteger done) {
        KafkaProducer<byte[], byte[]> producer = null;
        int t = 0;
        while (!stop.get()) {
            try {
                if (producer == null) {
                    producer = producer(cluster);
                }
                outcomes.put(t, Outcome.UNKNOWN);
                producer.beginTransaction();
                for (int p = 0; p < PARTITIONS; p++) {
                    for (int i = 0; i < PER_PARTITION; i++) {
                        producer.send(new ProducerRecord<>(TOPIC, p, null, ("t" + t + "-" + p + "-" + i).getBytes()));
                    }
                }
                if (t % 5 == 4) {
                    producer.flush();
                    producer.abortTransaction();
                    outcomes.put(t, Outcome.ABORTED);
                } else {
                    producer.commitTransaction();
                    outcomes.put(t, Outcome.COMMITTED);
                }
                done.incrementAndGet();
            } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
                log.info("transaction {}: fatal {}; starting a new producer", t, e.toString());
                producer = closeQuietly(producer);
            } catch (KafkaException e) {
                log.info("transaction {}: {}; aborting", t, e.toString());
                try {
                    producer.abortTransaction();
                } catch (RuntimeException again) {
                    log.info("abort failed too ({}); starting a new producer", again.toString());
                    producer = closeQuietly(producer);
                }
            }
            t++;
        }
        closeQuietly(producer);
    }

    private static KafkaProducer<byte[], byte[]> closeQuietly(KafkaProducer<byte[], byte[]> p) {
        if (p != null) {
            try {
                p.close(Duration.ofSeconds(5));
            } catch (RuntimeException ignored) {
                // a fenced producer may refuse even that
            }
        }
        return null;
    }
}
