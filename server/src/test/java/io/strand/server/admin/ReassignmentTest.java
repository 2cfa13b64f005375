package io.strand.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.replica.Partition;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.BackgroundConsumer;
import io.strand.testing.BackgroundProducer;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SlowTest;
import io.strand.testing.Wait;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.PartitionReassignment;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partition reassignment in a four-broker cluster: a partition moves from brokers {1,2,3} to
 * {2,3,4} while an acks=all producer writes and a consumer reads (no acknowledged record lost, the
 * consumer sees every one in order, broker 1's copy is deleted); a throttled move is refused a
 * second request and cancelled back to its original replicas.
 */
@ExtendWith(StrandClusterExtension.class)
@SlowTest
class ReassignmentTest {
    private static final Logger log = LoggerFactory.getLogger(ReassignmentTest.class);
    private static final String MIN_ISR_2 = "min.insync.replicas=2";
    private static final String LAG_5S = "replica.lag.time.max.ms=5000";
    private static final String NO_REBALANCE = "auto.leader.rebalance.enable=false";

    @Test
    void shouldMoveAPartitionUnderLoadWithoutLosingAnAcknowledgedRecord(
            @BrokerCluster(
                            brokers = 4,
                            properties = {MIN_ISR_2, LAG_5S, NO_REBALANCE})
                    StrandTestCluster cluster)
            throws Exception {
        try (Admin admin = cluster.admin()) {
            TopicPartition tp = new TopicPartition("moving", 0);
            admin.createTopics(List.of(new NewTopic("moving", Map.of(0, List.of(1, 2, 3)))))
                    .all()
                    .get();
            Wait.waitUntil(
                    "broker 1 leads moving-0",
                    Duration.ofSeconds(20),
                    () -> cluster.broker(1)
                            .replicaManager()
                            .partition(tp)
                            .map(Partition::isLeader)
                            .orElse(false));

            ProduceConsumeValidator validator = new ProduceConsumeValidator();
            KafkaConsumer<byte[], byte[]> reader = cluster.consumer(Map.of());
            reader.assign(List.of(tp));
            reader.seekToBeginning(List.of(tp));
            try (BackgroundConsumer consumer = BackgroundConsumer.start("test-consumer", reader, validator);
                    BackgroundProducer producer = BackgroundProducer.start(
                            "test-producer",
                            cluster.producer(Map.of(
                                    ProducerConfig.ACKS_CONFIG, "all",
                                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false",
                                    ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1",
                                    ProducerConfig.LINGER_MS_CONFIG, "2",
                                    ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50",
                                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000")),
                            validator,
                            i -> new BackgroundProducer.Send(
                                    "moving", 0, ProduceConsumeValidator.NO_KEY, Long.toString(i)),
                            50,
                            Duration.ofMillis(5))) {
                producer.awaitAcknowledged(2000, Duration.ofSeconds(30));

                admin.alterPartitionReassignments(
                                Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(2, 3, 4)))))
                        .all()
                        .get();
                Wait.waitUntil("the move to [2, 3, 4] is complete", Duration.ofSeconds(60), () -> {
                    TopicPartitionInfo p = describe(admin, "moving");
                    return p != null
                            && ids(p.replicas()).equals(List.of(2, 3, 4))
                            && reassignments(admin).isEmpty();
                });
                producer.awaitAcknowledged(validator.acknowledgedCount() + 1000, Duration.ofSeconds(30));
                producer.stop(Duration.ofSeconds(60));

                TopicPartitionInfo after = describe(admin, "moving");
                assertEquals(List.of(2, 3, 4), ids(after.replicas()));
                assertEquals(Set.of(2, 3, 4), new HashSet<>(ids(after.isr())));
                assertEquals(2, after.leader().id(), "leadership moved to the first target replica");
                validator.assertOnlyRetriableSendFailures();

                consumer.awaitEveryAcknowledgedRecord(Duration.ofSeconds(30));
                consumer.stop(Duration.ofSeconds(30));
            }
            validator.assertNoneLost();
            // one producer connection with one request in flight keeps the send order, retries included
            validator.assertInOrderPerKey();
            validator.assertNothingUnexpected();
            log.info("Moved moving-0 from [1, 2, 3] to [2, 3, 4] under load: {}", validator.summary());

            Wait.waitUntil(
                    "broker 1 deleted its copy of moving-0",
                    Duration.ofSeconds(20),
                    () -> cluster.broker(1).replicaManager().partition(tp).isEmpty()
                            && !Files.exists(cluster.dataDir(1).resolve("moving-0")));
            assertTrue(Files.isDirectory(cluster.dataDir(4).resolve("moving-0")));
        }
    }

    @Test
    void shouldThrottleRefuseASecondRequestAndCancelBackToTheOriginalReplicas(
            @BrokerCluster(
                            brokers = 4,
                            properties = {MIN_ISR_2, LAG_5S, NO_REBALANCE})
                    StrandTestCluster cluster)
            throws Exception {
        try (Admin admin = cluster.admin()) {
            TopicPartition tp = new TopicPartition("held", 0);
            admin.createTopics(List.of(new NewTopic("held", Map.of(0, List.of(1, 2)))))
                    .all()
                    .get();
            Wait.waitUntil(
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
            Wait.waitUntil(
                    "broker 3 and 4 follow held-0",
                    Duration.ofSeconds(20),
                    () -> cluster.broker(3).replicaManager().partition(tp).isPresent()
                            && cluster.broker(4).replicaManager().partition(tp).isPresent());
            // unthrottled, one fetch would copy the whole log (about 400 KB, under replica.fetch.max.bytes); at
            // 20,000 bytes/s the first fetches copy a few batches, so the first progress seen is still behind
            long copied = Wait.waitFor(
                    "broker 4 copies the first records of held-0",
                    Duration.ofSeconds(20),
                    () -> cluster.broker(4)
                            .replicaManager()
                            .partition(tp)
                            .orElseThrow()
                            .log()
                            .logEndOffset(),
                    end -> end > 0);
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
            Wait.waitUntil("held-0 back on [1, 2]", Duration.ofSeconds(20), () -> {
                TopicPartitionInfo p = describe(admin, "held");
                return p != null
                        && ids(p.replicas()).equals(List.of(1, 2))
                        && reassignments(admin).isEmpty();
            });
            assertEquals(1, describe(admin, "held").leader().id());
            Wait.waitUntil(
                    "brokers 3 and 4 dropped their copies",
                    Duration.ofSeconds(20),
                    () -> cluster.broker(3).replicaManager().partition(tp).isEmpty()
                            && cluster.broker(4).replicaManager().partition(tp).isEmpty()
                            && !Files.exists(cluster.dataDir(4).resolve("held-0")));
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
