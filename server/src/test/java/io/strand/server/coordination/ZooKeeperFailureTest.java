package io.strand.server.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.Broker;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SlowTest;
import io.strand.testing.Wait;
import io.strand.testing.ZooKeeperSessions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ZooKeeper itself failing under a running cluster: the ensemble's leader is killed, and a broker's
 * session is expired on purpose. Brokers re-register, a controller is elected again, and no
 * metadata (topics, assignments, partition states) is lost; clients keep working.
 */
@ExtendWith(StrandClusterExtension.class)
@SlowTest
class ZooKeeperFailureTest {
    @Test
    void shouldSurviveTheLossOfTheZooKeeperLeaderAndAnExpiredBrokerSession(
            @BrokerCluster(
                            brokers = 3,
                            zookeeperServers = 3,
                            properties = {"default.replication.factor=3", "min.insync.replicas=2"})
                    StrandTestCluster cluster)
            throws Exception {
        TestingCluster ensemble = cluster.zookeeperEnsemble();
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        cluster.createTopic("durable", 3, 3);
        produce(cluster, validator, "before", 300);
        Map<String, String> metadataBefore = metadataView(cluster);

        // the ZooKeeper leader dies
        InstanceSpec killed = ensemble.getInstances().stream()
                .filter(ZooKeeperFailureTest::isLeader)
                .findFirst()
                .orElseThrow();
        assertTrue(ensemble.killServer(killed));
        produce(cluster, validator, "after-zk-leader-loss", 300);

        // a broker's session expires: it re-registers; if it was controller, another one takes over
        Broker victim = cluster.broker(2);
        int controllerBefore = victim.metadataCache().controllerId();
        long oldSession =
                victim.zookeeperClient().getZookeeperClient().getZooKeeper().getSessionId();
        ZooKeeperSessions.expire(victim.zookeeperClient());
        Wait.waitUntil("broker 2 registered by a new session", Duration.ofSeconds(40), () -> {
            org.apache.zookeeper.data.Stat stat =
                    cluster.broker(1).zookeeperClient().checkExists().forPath(io.strand.coordinator.Znodes.broker(2));
            return stat != null && stat.getEphemeralOwner() != oldSession;
        });
        Wait.waitUntil(
                "broker 2 registered again and 3 brokers live",
                Duration.ofSeconds(40),
                () -> cluster.brokers().stream()
                        .allMatch(b -> b.metadataCache().liveBrokers().size() == 3),
                () -> cluster.brokers().stream()
                        .map(b -> b.config().brokerId() + " sees "
                                + b.metadataCache().liveBrokers().keySet())
                        .toList()
                        .toString());
        Wait.waitUntil(
                "a controller",
                Duration.ofSeconds(40),
                () -> cluster.brokers().stream()
                                .filter(b -> b.controller().isActive())
                                .count()
                        == 1);
        if (controllerBefore == 2) {
            assertTrue(
                    cluster.brokers().stream()
                            .anyMatch(b ->
                                    b.controller().isActive() && b.controller().epoch() > 1),
                    "a new controller epoch after the old one's session expired");
        }
        Wait.waitUntil("every ISR complete again", Duration.ofSeconds(40), () -> {
            for (int p = 0; p < 3; p++) {
                int pp = p;
                boolean full = cluster.brokers().stream()
                        .anyMatch(b -> b.replicaManager()
                                .partition(new TopicPartition("durable", pp))
                                .map(x -> x.isLeader() && x.isr().size() == 3)
                                .orElse(false));
                if (!full) {
                    return false;
                }
            }
            return true;
        });
        produce(cluster, validator, "after-session-expiry", 300);

        // no metadata lost: same topic id and replica lists everywhere
        Map<String, String> metadataAfter = metadataView(cluster);
        assertEquals(metadataBefore.keySet(), metadataAfter.keySet());
        metadataBefore.forEach((k, v) -> assertEquals(
                v.split(" leader")[0], metadataAfter.get(k).split(" leader")[0], "topic id and replicas of " + k));
        // every record produced is readable, once
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            validator.consumeToEnd(
                    consumer,
                    List.of(
                            new TopicPartition("durable", 0),
                            new TopicPartition("durable", 1),
                            new TopicPartition("durable", 2)),
                    Duration.ofSeconds(30));
        }
        assertEquals(900, validator.acknowledgedCount());
        validator.assertNoneLost();
        validator.assertNoDuplicates();
        validator.assertNothingUnexpected();
    }

    private static boolean isLeader(InstanceSpec spec) {
        try {
            return org.apache.zookeeper.client.FourLetterWordMain.send4LetterWord("127.0.0.1", spec.getPort(), "srvr")
                    .contains("Mode: leader");
        } catch (Exception e) {
            return false;
        }
    }

    private static void produce(StrandTestCluster cluster, ProduceConsumeValidator validator, String prefix, int n)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of("delivery.timeout.ms", "60000"))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                acks.add(validator.send(producer, "durable", null, ProduceConsumeValidator.NO_KEY, prefix + i));
            }
            for (Future<RecordMetadata> f : acks) {
                f.get();
            }
        }
    }

    private static Map<String, String> metadataView(StrandTestCluster cluster) {
        Map<String, String> view = new TreeMap<>();
        for (Broker b : cluster.brokers()) {
            b.metadataCache()
                    .topic("durable")
                    .ifPresent(t -> t.replicas()
                            .forEach((p, r) -> view.put(b.brokerId() + "/" + p, t.topicId() + " " + r + " leader")));
        }
        return view;
    }
}
