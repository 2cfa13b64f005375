package io.strand.server.coordination;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.Znodes;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.BrokerProcess;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.testing.BackgroundProducer;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker killed with {@code kill -9} and started again at once serves again in seconds, not after
 * its dead process's ZooKeeper session times out (30 s here): the new process, holding the log
 * directories' locks, ends that session, waits until the controller has moved the dead process's
 * leaderships to new epochs, and registers (the gone-broker probe, which would otherwise have
 * removed the registration already, is off here). Under an idempotent acks=all producer nothing
 * acknowledged is lost, duplicated or reordered, and the broker rejoins every ISR.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class ImmediateRestartTest {
    private static final Logger log = LoggerFactory.getLogger(ImmediateRestartTest.class);
    private static final String TOPIC = "restarted";
    private static final int PARTITIONS = 3;
    private static final int ROUNDS = 3;
    private static final Duration SERVING_AGAIN_WITHIN = Duration.ofSeconds(10);

    @Test
    void shouldServeAgainWithinSecondsOfARestartAfterKill9(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "default.replication.factor=3",
                                "min.insync.replicas=2",
                                "zookeeper.session.timeout.ms=30000",
                                "replica.lag.time.max.ms=5000",
                                // the gone-broker probe would remove the registration first (FastFailoverTest)
                                "strand.liveness.probe.interval.ms=0"
                            })
                    ProcessTestCluster cluster)
            throws Exception {
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (Admin admin = cluster.admin();
                CuratorFramework zk = ZooKeeperConnection.connect(cluster.zookeeperConnect(), 30_000, 10_000)) {
            try (BackgroundProducer load = cluster.startLoad(validator, TOPIC, PARTITIONS)) {
                for (int round = 1; round <= ROUNDS; round++) {
                    load.awaitAcknowledged(300L * round, Duration.ofSeconds(90));
                    int victimId = cluster.describe(admin, TOPIC, 0).leader().id();
                    BrokerProcess victim = cluster.broker(victimId);
                    long deadSession = registrationOwner(zk, victimId);
                    victim.kill();
                    long started = System.nanoTime();
                    victim.start();
                    Wait.waitUntil(
                            "broker " + victimId + " registered by its new process and answering",
                            SERVING_AGAIN_WITHIN,
                            () -> registrationOwner(zk, victimId) != deadSession && answers(victim));
                    long servingMs = (System.nanoTime() - started) / 1_000_000;
                    log.info("Round {}: broker {} serving again {} ms after its restart", round, victimId, servingMs);
                    load.awaitAcknowledged(validator.acknowledgedCount() + 300, Duration.ofSeconds(30));
                    Wait.waitUntil("broker " + victimId + " back in every ISR", Duration.ofSeconds(60), () -> {
                        TopicDescription d = admin.describeTopics(List.of(TOPIC))
                                .allTopicNames()
                                .get()
                                .get(TOPIC);
                        for (TopicPartitionInfo p : d.partitions()) {
                            if (p.isr().stream().noneMatch(n -> n.id() == victimId)) {
                                return false;
                            }
                        }
                        return true;
                    });
                    String brokerLog = Files.readString(victim.logFile());
                    assertTrue(
                            brokerLog.contains("of this broker's previous process was still open and held"),
                            "broker " + victimId + " did not end its previous process's session");
                    assertFalse(
                            brokerLog.contains("Waiting for the previous registration"),
                            "broker " + victimId + " waited for its previous registration to expire");
                }
                load.stop(Duration.ofMinutes(2));
            }
        }
        validator.assertOnlyRetriableSendFailures();
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            validator.consumeToEnd(consumer, TOPIC, PARTITIONS, Duration.ofSeconds(60));
        }
        log.info("{} kill -9 and immediate restart rounds: {}", ROUNDS, validator.summary());
        validator.assertEveryAcknowledgedRecordOnceInOrder(); // the idempotent producer's retries never duplicate
    }

    /** The session holding the broker's registration, 0 if it is not registered. */
    private static long registrationOwner(CuratorFramework zk, int brokerId) throws Exception {
        Stat stat = zk.checkExists().forPath(Znodes.broker(brokerId));
        return stat == null ? 0 : stat.getEphemeralOwner();
    }

    /** The broker answers Metadata on its port. */
    private static boolean answers(BrokerProcess broker) {
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", broker.port())) {
            MetadataResponse r = (MetadataResponse)
                    c.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(List.of()));
            return r.data().brokers().find(broker.brokerId()) != null;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }
}
