package io.strand.server.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.Broker;
import io.strand.server.BrokerConfig;
import io.strand.server.testing.StrandTestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * ZooKeeper itself failing under a running cluster: the ensemble's leader is killed, and a broker's
 * session is expired on purpose. Brokers re-register, a controller is elected again, and no
 * metadata (topics, assignments, partition states) is lost; clients keep working.
 */
class ZooKeeperFailureTest {
    @Test
    void shouldSurviveTheLossOfTheZooKeeperLeaderAndAnExpiredBrokerSession() throws Exception {
        try (TestingCluster ensemble = new TestingCluster(3)) {
            ensemble.start();
            try (StrandTestCluster cluster = StrandTestCluster.startOn(
                    ensemble.getConnectString(),
                    3,
                    Map.of(
                            BrokerConfig.DEFAULT_REPLICATION_FACTOR, "3",
                            BrokerConfig.MIN_INSYNC_REPLICAS, "2"))) {
                cluster.createTopic("durable", 3, 3);
                produce(cluster, "before", 300);
                Map<String, String> metadataBefore = metadataView(cluster);

                // the ZooKeeper leader dies
                InstanceSpec killed = ensemble.getInstances().stream()
                        .filter(ZooKeeperFailureTest::isLeader)
                        .findFirst()
                        .orElseThrow();
                assertTrue(ensemble.killServer(killed));
                produce(cluster, "after-zk-leader-loss", 300);

                // a broker's session expires: it re-registers; if it was controller, another one takes over
                Broker victim = cluster.broker(2);
                int controllerBefore = victim.metadataCache().controllerId();
                long oldSession = victim.zookeeperClient()
                        .getZookeeperClient()
                        .getZooKeeper()
                        .getSessionId();
                victim.zookeeperClient()
                        .getZookeeperClient()
                        .getZooKeeper()
                        .getTestable()
                        .injectSessionExpiration();
                StrandTestCluster.waitUntil("broker 2 registered by a new session", Duration.ofSeconds(40), () -> {
                    try {
                        org.apache.zookeeper.data.Stat stat = cluster.broker(1)
                                .zookeeperClient()
                                .checkExists()
                                .forPath(io.strand.coordinator.Znodes.broker(2));
                        return stat != null && stat.getEphemeralOwner() != oldSession;
                    } catch (Exception e) {
                        return false;
                    }
                });
                StrandTestCluster.waitUntil(
                        "broker 2 registered again and 3 brokers live",
                        Duration.ofSeconds(40),
                        () -> cluster.brokers().stream()
                                .allMatch(b -> b.metadataCache().liveBrokers().size() == 3));
                StrandTestCluster.waitUntil(
                        "a controller",
                        Duration.ofSeconds(40),
                        () -> cluster.brokers().stream()
                                        .filter(b -> b.controller().isActive())
                                        .count()
                                == 1);
                if (controllerBefore == 2) {
                    assertTrue(
                            cluster.brokers().stream()
                                    .anyMatch(b -> b.controller().isActive()
                                            && b.controller().epoch() > 1),
                            "a new controller epoch after the old one's session expired");
                }
                StrandTestCluster.waitUntil("every ISR complete again", Duration.ofSeconds(40), () -> {
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
                produce(cluster, "after-session-expiry", 300);

                // no metadata lost: same topic id and replica lists everywhere
                Map<String, String> metadataAfter = metadataView(cluster);
                assertEquals(metadataBefore.keySet(), metadataAfter.keySet());
                metadataBefore.forEach((k, v) -> assertEquals(
                        v.split(" leader")[0],
                        metadataAfter.get(k).split(" leader")[0],
                        "topic id and replicas of " + k));
                assertEquals(900, readCount(cluster), "every record produced is readable");
            }
        }
    }

    private static boolean isLeader(InstanceSpec spec) {
        try {
            return org.apache.zookeeper.client.FourLetterWordMain.send4LetterWord("127.0.0.1", spec.getPort(), "srvr")
                    .contains("Mode: leader");
        } catch (Exception e) {
            return false;
        }
    }

    private static void produce(StrandTestCluster cluster, String prefix, int n) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of("delivery.timeout.ms", "60000"))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                acks.add(producer.send(new ProducerRecord<>("durable", (prefix + i).getBytes())));
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

    private static int readCount(StrandTestCluster cluster) {
        int count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            List<TopicPartition> tps = List.of(
                    new TopicPartition("durable", 0),
                    new TopicPartition("durable", 1),
                    new TopicPartition("durable", 2));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.currentTimeMillis() + 30_000;
            while (count < 900 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    count++;
                }
            }
        }
        return count;
    }
}
