package io.strand.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.BrokerConfig;
import io.strand.server.replica.Partition;
import io.strand.server.testing.StrandTestCluster;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ReassignmentInProgressException;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partition reassignment in a four-broker cluster: a partition moves from brokers {1,2,3} to
 * {2,3,4} while an acks=all producer writes and a consumer reads (no acknowledged record lost, the
 * consumer sees every one, broker 1's copy is deleted); a throttled move is refused a second
 * request and cancelled back to its original replicas.
 */
class ReassignmentTest {
    private static final Logger log = LoggerFactory.getLogger(ReassignmentTest.class);
    private static final Map<String, String> SETTINGS = Map.of(
            BrokerConfig.MIN_INSYNC_REPLICAS, "2",
            BrokerConfig.REPLICA_LAG_TIME_MAX_MS, "5000",
            BrokerConfig.AUTO_LEADER_REBALANCE_ENABLE, "false");

    @Test
    void shouldMoveAPartitionUnderLoadWithoutLosingAnAcknowledgedRecord() throws Exception {
        try (StrandTestCluster cluster = StrandTestCluster.start(4, SETTINGS);
                Admin admin = cluster.admin()) {
            TopicPartition tp = new TopicPartition("moving", 0);
            admin.createTopics(List.of(new NewTopic("moving", Map.of(0, List.of(1, 2, 3)))))
                    .all()
                    .get();
            StrandTestCluster.waitUntil(
                    "broker 1 leads moving-0",
                    Duration.ofSeconds(20),
                    () -> cluster.broker(1)
                            .replicaManager()
                            .partition(tp)
                            .map(Partition::isLeader)
                            .orElse(false));

            Set<Long> acked = ConcurrentHashMap.newKeySet();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Set<Long> consumed = ConcurrentHashMap.newKeySet();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicBoolean produced = new AtomicBoolean(false);
            Thread producer = new Thread(() -> produce(cluster, acked, failures, running), "test-producer");
            Thread consumer = new Thread(() -> consume(cluster, tp, consumed, produced), "test-consumer");
            producer.start();
            consumer.start();
            StrandTestCluster.waitUntil(
                    "2000 records acknowledged", Duration.ofSeconds(30), () -> acked.size() >= 2000);

            admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(2, 3, 4)))))
                    .all()
                    .get();
            StrandTestCluster.waitUntil("the move to [2, 3, 4] is complete", Duration.ofSeconds(60), () -> {
                TopicPartitionInfo p = describe(admin, "moving");
                return p != null
                        && ids(p.replicas()).equals(List.of(2, 3, 4))
                        && reassignments(admin).isEmpty();
            });
            long ackedAtMove = acked.size();
            StrandTestCluster.waitUntil(
                    "1000 more records acknowledged after the move",
                    Duration.ofSeconds(30),
                    () -> acked.size() >= ackedAtMove + 1000);
            running.set(false);
            producer.join(60_000);
            produced.set(true);

            TopicPartitionInfo after = describe(admin, "moving");
            assertEquals(List.of(2, 3, 4), ids(after.replicas()));
            assertEquals(Set.of(2, 3, 4), new HashSet<>(ids(after.isr())));
            assertEquals(2, after.leader().id(), "leadership moved to the first target replica");
            assertTrue(failures.isEmpty(), "non-retriable producer failures: " + failures);

            consumer.join(60_000);
            Set<Long> missing = new HashSet<>(acked);
            missing.removeAll(consumed);
            assertTrue(
                    missing.isEmpty(),
                    missing.size() + " acknowledged records never consumed, e.g. "
                            + missing.stream().limit(10).toList());
            log.info(
                    "Moved moving-0 from [1, 2, 3] to [2, 3, 4] under load: {} records acknowledged, {} consumed",
                    acked.size(),
                    consumed.size());

            StrandTestCluster.waitUntil(
                    "broker 1 deleted its copy of moving-0",
                    Duration.ofSeconds(20),
                    () -> cluster.broker(1).replicaManager().partition(tp).isEmpty()
                            && !Files.exists(cluster.dataDir(1).resolve("moving-0")));
            assertTrue(Files.isDirectory(cluster.dataDir(4).resolve("moving-0")));
        }
    }

    @Test
    void shouldThrottleRefuseASecondRequestAndCancelBackToTheOriginalReplicas() throws Exception {
        try (StrandTestCluster cluster = StrandTestCluster.start(4, SETTINGS);
                Admin admin = cluster.admin()) {
            TopicPartition tp = new TopicPartition("held", 0);
            admin.createTopics(List.of(new NewTopic("held", Map.of(0, List.of(1, 2)))))
                    .all()
                    .get();
            StrandTestCluster.waitUntil(
                    "broker 1 leads held-0",
                    Duration.ofSeconds(20),
                    () -> cluster.broker(1)
                            .replicaManager()
                            .partition(tp)
                            .map(Partition::isLeader)
                            .orElse(false));
            try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(
                    ProducerConfig.ACKS_CONFIG,
                    "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                    "false",
                    ProducerConfig.LINGER_MS_CONFIG,
                    "5"))) {
                for (int i = 0; i < 400; i++) {
                    producer.send(new ProducerRecord<>("held", 0, null, new byte[1000]));
                }
                producer.flush();
            }
            long leaderEnd = cluster.broker(1)
                    .replicaManager()
                    .partition(tp)
                    .orElseThrow()
                    .log()
                    .logEndOffset();
            ConfigResource broker1 = new ConfigResource(ConfigResource.Type.BROKER, "1");
            admin.incrementalAlterConfigs(Map.of(
                            broker1,
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("leader.replication.throttled.rate", "20000"),
                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get();

            admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(3, 4)))))
                    .all()
                    .get();
            StrandTestCluster.waitUntil(
                    "broker 3 and 4 follow held-0",
                    Duration.ofSeconds(20),
                    () -> cluster.broker(3).replicaManager().partition(tp).isPresent()
                            && cluster.broker(4).replicaManager().partition(tp).isPresent());
            Thread.sleep(2_000);
            long copied = cluster.broker(4)
                    .replicaManager()
                    .partition(tp)
                    .orElseThrow()
                    .log()
                    .logEndOffset();
            assertTrue(copied < leaderEnd, "the throttle holds the new replica back: " + copied + " of " + leaderEnd);
            PartitionReassignment ongoing = reassignments(admin).get(tp);
            assertEquals(List.of(3, 4), ongoing.addingReplicas());
            assertEquals(List.of(1, 2), ongoing.removingReplicas());

            ExecutionException second = org.junit.jupiter.api.Assertions.assertThrows(
                    ExecutionException.class,
                    () -> admin.alterPartitionReassignments(
                                    Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(2, 3)))))
                            .all()
                            .get());
            assertInstanceOf(ReassignmentInProgressException.class, second.getCause());
            assertTrue(
                    second.getCause().getMessage().contains("held-0 is already being reassigned to [3, 4]"),
                    second.getCause().getMessage());

            admin.alterPartitionReassignments(Map.of(tp, Optional.empty()))
                    .all()
                    .get();
            StrandTestCluster.waitUntil("held-0 back on [1, 2]", Duration.ofSeconds(20), () -> {
                TopicPartitionInfo p = describe(admin, "held");
                return p != null
                        && ids(p.replicas()).equals(List.of(1, 2))
                        && reassignments(admin).isEmpty();
            });
            assertEquals(1, describe(admin, "held").leader().id());
            StrandTestCluster.waitUntil(
                    "brokers 3 and 4 dropped their copies",
                    Duration.ofSeconds(20),
                    () -> cluster.broker(3).replicaManager().partition(tp).isEmpty()
                            && cluster.broker(4).replicaManager().partition(tp).isEmpty()
                            && !Files.exists(cluster.dataDir(4).resolve("held-0")));
        }
    }

    private static void produce(
            StrandTestCluster cluster,
            Set<Long> acked,
            ConcurrentLinkedQueue<Throwable> failures,
            AtomicBoolean running) {
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false",
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1",
                ProducerConfig.LINGER_MS_CONFIG, "2",
                ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000"))) {
            long seq = 0;
            while (running.get()) {
                long s = seq++;
                producer.send(
                        new ProducerRecord<>(
                                "moving",
                                0,
                                null,
                                ByteBuffer.allocate(8).putLong(s).array()),
                        (md, e) -> {
                            if (e == null) {
                                acked.add(s);
                            } else if (!(e instanceof org.apache.kafka.common.errors.RetriableException)) {
                                failures.add(e);
                            }
                        });
                if (s % 50 == 0) {
                    Thread.sleep(5);
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads until the producer has finished and the end offset is reached. */
    private static void consume(
            StrandTestCluster cluster, TopicPartition tp, Set<Long> consumed, AtomicBoolean produced) {
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = Long.MAX_VALUE;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    consumed.add(ByteBuffer.wrap(r.value()).getLong());
                }
                if (produced.get() && deadline == Long.MAX_VALUE) {
                    deadline = System.currentTimeMillis() + 30_000;
                }
                if (produced.get()
                        && consumer.position(tp)
                                >= consumer.endOffsets(List.of(tp)).get(tp)) {
                    return;
                }
            }
        }
    }

    private static TopicPartitionInfo describe(Admin admin, String topic) {
        try {
            return admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get()
                    .get(topic)
                    .partitions()
                    .get(0);
        } catch (Exception e) {
            return null;
        }
    }

    private static Map<TopicPartition, PartitionReassignment> reassignments(Admin admin) {
        try {
            return admin.listPartitionReassignments().reassignments().get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<Integer> ids(List<Node> nodes) {
        List<Integer> out = new ArrayList<>();
        nodes.forEach(n -> out.add(n.id()));
        return out;
    }
}
