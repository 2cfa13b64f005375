package io.strand.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.BackgroundProducer;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SystemTest;
import io.strand.testing.TcpProxy;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader cut off from ZooKeeper steps down once its session is lost (6 s here) instead of holding
 * acks=all produce requests until their 30 s timeout: the producer gets NOT_LEADER_OR_FOLLOWER, finds
 * the leader the controller elected meanwhile and carries on; when the cut heals the old leader
 * reads the state again and rejoins as a follower. Nothing acknowledged is lost, duplicated or
 * reordered.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class IsolatedLeaderTest {
    private static final Logger log = LoggerFactory.getLogger(IsolatedLeaderTest.class);
    private static final String TOPIC = "isolated";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final long SESSION_MS = 6_000;

    @Test
    void shouldStepDownWhenCutOffFromZooKeeperAndRejoinAsFollower(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "min.insync.replicas=2",
                                "zookeeper.session.timeout.ms=6000",
                                "replica.lag.time.max.ms=5000"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        String zkHostPort = cluster.zookeeperConnect()
                .substring(0, cluster.zookeeperConnect().indexOf('/'));
        int zkPort = Integer.parseInt(zkHostPort.substring(zkHostPort.lastIndexOf(':') + 1));
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (TcpProxy zkLink = new TcpProxy("127.0.0.1", zkPort)) {
            // broker 1 reaches ZooKeeper through a link the test can cut; the others directly
            cluster.stopBroker(1);
            cluster.startBroker(1, Map.of("zookeeper.connect", "127.0.0.1:" + zkLink.port() + "/strand"));
            // an Admin opened before the restart would wait out its request timeout on the old connection
            try (Admin admin = cluster.admin()) {
                admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1, 2, 3)))))
                        .all()
                        .get();
            }
            // replica order [1, 2, 3]: broker 1 leads from the start
            Wait.waitUntil(
                    "broker 1 leads " + TP,
                    Duration.ofSeconds(30),
                    () -> cluster.broker(1)
                            .replicaManager()
                            .partition(TP)
                            .map(Partition::isLeader)
                            .orElse(false));

            try (BackgroundProducer load = BackgroundProducer.start(
                    "test-producer",
                    cluster.producer(Map.of(
                            ProducerConfig.ACKS_CONFIG, "all",
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000",
                            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000",
                            ProducerConfig.LINGER_MS_CONFIG, "2")),
                    validator,
                    BackgroundProducer.Send.roundRobin(TOPIC, 1),
                    1,
                    Duration.ofMillis(2))) {
                load.awaitAcknowledged(300, Duration.ofSeconds(30));
                zkLink.cut();
                long cut = System.nanoTime();
                Wait.waitUntil(
                        "broker 1 stops acting as leader",
                        Duration.ofMillis(SESSION_MS * 3),
                        () -> !cluster.broker(1)
                                .replicaManager()
                                .partition(TP)
                                .orElseThrow()
                                .isLeader());
                long steppedDownMs = (System.nanoTime() - cut) / 1_000_000;
                long before = validator.acknowledgedCount();
                load.awaitAcknowledged(before + 100, Duration.ofSeconds(60));
                long resumedMs = (System.nanoTime() - cut) / 1_000_000;
                log.info(
                        "cut off: stepped down after {} ms, acks=all writes resumed after {} ms",
                        steppedDownMs,
                        resumedMs);
                assertTrue(
                        steppedDownMs <= SESSION_MS + 3_000,
                        "stepped down " + steppedDownMs + " ms after the cut, session timeout " + SESSION_MS);
                assertTrue(
                        resumedMs < 20_000,
                        "acks=all writes resumed only after " + resumedMs + " ms: held until the request timeout?");

                assertEquals(
                        1L,
                        cluster.broker(1)
                                .metrics()
                                .registry()
                                .getGauges()
                                .get("replica.session-lost-step-downs")
                                .getValue(),
                        "the step-down is counted");

                zkLink.heal();
                Wait.waitUntil("broker 1 follows the new leader and is back in the ISR", Duration.ofSeconds(60), () -> {
                    var state = cluster.broker(2).metadataCache().partition(TP);
                    return state.isPresent()
                            && state.get().leader() != 1
                            && state.get().isr().contains(1);
                });
                load.awaitAcknowledged(validator.acknowledgedCount() + 100, Duration.ofSeconds(30));
                load.stop(Duration.ofMinutes(2));
            }
            // stopped while its ZooKeeper link is up: once the link closes, its session would expire and its
            // shutdown would wait out its ZooKeeper retries (about 45 s of the test's time)
            cluster.stopBroker(1);
        }
        validator.assertOnlyRetriableSendFailures();
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            validator.consumeToEnd(consumer, TOPIC, 1, Duration.ofSeconds(60));
        }
        log.info("{}", validator.summary());
        validator.assertEveryAcknowledgedRecordOnceInOrder();
    }
}
