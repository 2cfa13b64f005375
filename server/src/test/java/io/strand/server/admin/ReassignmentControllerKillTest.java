package io.strand.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller is killed with kill -9 in the middle of a reassignment (the new replica is still
 * catching up, held back by the replication throttle): the next controller finishes the move from
 * what ZooKeeper holds, and the killed broker, once restarted, deletes the copy it no longer hosts.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class ReassignmentControllerKillTest {
    private static final Logger log = LoggerFactory.getLogger(ReassignmentControllerKillTest.class);
    private static final int RECORDS = 600;

    @Test
    void shouldFinishAReassignmentAfterTheControllerIsKilled(
            @BrokerCluster(
                            brokers = 3,
                            properties = {"min.insync.replicas=1", "auto.leader.rebalance.enable=false"})
                    ProcessTestCluster cluster)
            throws Exception {
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (Admin admin = cluster.admin()) {
            int controller = admin.describeCluster().controller().get().id();
            List<Integer> others = new ArrayList<>(List.of(1, 2, 3));
            others.remove(Integer.valueOf(controller));
            int leader = others.get(0);
            int joining = others.get(1);
            TopicPartition tp = new TopicPartition("survives", 0);
            admin.createTopics(List.of(new NewTopic("survives", Map.of(0, List.of(leader, controller)))))
                    .all()
                    .get();
            produce(cluster, validator);

            ConfigResource leaderBroker = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(leader));
            admin.incrementalAlterConfigs(Map.of(
                            leaderBroker,
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("leader.replication.throttled.rate", "20000"),
                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get();
            admin.alterPartitionReassignments(
                            Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(leader, joining)))))
                    .all()
                    .get();
            Wait.waitUntil("broker " + joining + " added to the replicas", Duration.ofSeconds(20), () -> {
                TopicPartitionInfo p = cluster.describe(admin, "survives", 0);
                return p != null && ids(p.replicas()).contains(joining);
            });
            TopicPartitionInfo during = cluster.describe(admin, "survives", 0);
            assertTrue(ids(during.isr()).size() < 3, "the throttled replica is still catching up: " + during);
            assertEquals(
                    1, admin.listPartitionReassignments().reassignments().get().size());

            log.info(
                    "kill -9 of controller {} while {} catches up (replicas {})",
                    controller,
                    joining,
                    ids(during.replicas()));
            cluster.broker(controller).kill();
            Wait.waitUntil(
                    "a new controller",
                    Duration.ofSeconds(40),
                    () -> admin.describeCluster().controller().get().id() != controller);
            int next = admin.describeCluster().controller().get().id();
            assertNotEquals(controller, next);
            admin.incrementalAlterConfigs(Map.of(
                            leaderBroker,
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("leader.replication.throttled.rate", ""),
                                    AlterConfigOp.OpType.DELETE))))
                    .all()
                    .get();

            Wait.waitUntil(
                    "controller " + next + " finished the move to [" + leader + ", " + joining + "]",
                    Duration.ofSeconds(60),
                    () -> {
                        TopicPartitionInfo p = cluster.describe(admin, "survives", 0);
                        return p != null
                                && ids(p.replicas()).equals(List.of(leader, joining))
                                && ids(p.isr()).size() == 2
                                && admin.listPartitionReassignments()
                                        .reassignments()
                                        .get()
                                        .isEmpty();
                    });
            // every record is on the moved partition, once
            try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
                validator.consumeToEnd(consumer, List.of(tp), Duration.ofSeconds(30));
            }
            validator.assertNoneLost();
            validator.assertNoDuplicates();
            validator.assertNothingUnexpected();

            Path copy = cluster.dir()
                    .resolve("broker-" + controller)
                    .resolve("data")
                    .resolve("survives-0");
            assertTrue(Files.isDirectory(copy), "the killed broker still has its copy while down");
            cluster.broker(controller).start();
            cluster.awaitBrokers(3, Duration.ofSeconds(60));
            Wait.waitUntil("the restarted broker deleted its copy", Duration.ofSeconds(30), () -> !Files.exists(copy));
        }
    }

    private static void produce(ProcessTestCluster cluster, ProduceConsumeValidator validator) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false",
                ProducerConfig.LINGER_MS_CONFIG, "5"))) {
            String padding = "x".repeat(1000);
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                acks.add(validator.send(producer, "survives", 0, ProduceConsumeValidator.NO_KEY, i + padding));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        }
        assertEquals(RECORDS, validator.acknowledgedCount());
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }
}
