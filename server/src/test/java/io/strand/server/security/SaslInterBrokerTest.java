package io.strand.server.security;

import static io.strand.server.testing.SaslClients.PLAIN_MODULE;
import static io.strand.server.testing.SaslClients.SCRAM_MODULE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.admin.ScramCredentialStore;
import io.strand.server.Broker;
import io.strand.server.testing.Clients;
import io.strand.server.testing.SaslClients;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.SlowTest;
import io.strand.testing.Wait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;

/**
 * Replication over a SASL_PLAINTEXT inter-broker listener: the brokers authenticate to each other
 * as SCRAM-SHA-512 user {@code broker}, created in ZooKeeper before they start (as the cluster
 * launcher does), or with PLAIN; acks=all with min.insync.replicas=2 keeps every acknowledged
 * record through a follower's restart, which catches up over SASL. A broker whose inter-broker
 * password is wrong never joins the ISR, and the leaders count its failed logins. With
 * connections.max.reauth.ms the followers renew their sessions in time.
 */
class SaslInterBrokerTest {
    private static final String SASL = "SASL_PLAINTEXT";

    private static Map<String, String> scramInterBroker(String password) {
        return Map.of(
                "listeners",
                "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
                "inter.broker.listener.name",
                SASL,
                "sasl.enabled.mechanisms",
                "SCRAM-SHA-512",
                "sasl.mechanism.inter.broker.protocol",
                "SCRAM-SHA-512",
                "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
                SCRAM_MODULE + " required username=\"broker\" password=\"" + password + "\";",
                "default.replication.factor",
                "3",
                "offsets.topic.replication.factor",
                "3");
    }

    private static int isr(StrandTestCluster cluster, TopicPartition tp) {
        return cluster.brokers().stream()
                .map(b -> b.replicaManager().partition(tp))
                .filter(p -> p.isPresent() && p.get().isLeader())
                .mapToInt(p -> p.get().isr().size())
                .findFirst()
                .orElse(0);
    }

    @Test
    void brokersReplicateAsScramUserBrokerAndRefuseAWrongPassword() throws Exception {
        try (StrandTestCluster cluster = StrandTestCluster.start(0, scramInterBroker("broker-secret"))) {
            try (CuratorFramework zk = ZooKeeperConnection.connect(cluster.zookeeperConnect(), 30_000, 10_000)) {
                ScramCredentialStore users = new ScramCredentialStore(new MetadataStore(zk));
                users.createIfAbsent("broker", ScramMechanism.SCRAM_SHA_512, "broker-secret", 4096);
                users.createIfAbsent("alice", ScramMechanism.SCRAM_SHA_512, "alice-secret", 4096);
            }
            for (int id = 1; id <= 3; id++) {
                cluster.startBroker(id);
            }
            String topic = "replicated-over-sasl";
            TopicPartition tp = new TopicPartition(topic, 0);
            Map<String, Object> alice = SaslClients.settings("SCRAM-SHA-512", "alice", "alice-secret");
            try (Admin admin = SaslClients.admin(cluster.bootstrapServers(SASL), alice)) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3)
                                .configs(Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2"))))
                        .all()
                        .get();
            }
            Wait.waitUntil("all three replicas in sync over SASL", Duration.ofSeconds(30), () -> isr(cluster, tp) == 3);

            Map<String, Object> producerSettings = new HashMap<>(alice);
            producerSettings.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<byte[], byte[]> producer =
                    Clients.producer(cluster.bootstrapServers(SASL), producerSettings)) {
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>(topic, ("a" + i).getBytes()))
                            .get();
                }
                int leader = cluster.brokers().stream()
                        .filter(b -> b.replicaManager()
                                .partition(tp)
                                .map(p -> p.isLeader())
                                .orElse(false))
                        .findFirst()
                        .orElseThrow()
                        .brokerId();
                int follower = leader % 3 + 1;
                cluster.stopBroker(follower);
                for (int i = 50; i < 100; i++) {
                    producer.send(new ProducerRecord<>(topic, ("a" + i).getBytes()))
                            .get();
                }
                cluster.startBroker(follower);
                Wait.waitUntil(
                        "the restarted follower caught up over SASL",
                        Duration.ofSeconds(30),
                        () -> isr(cluster, tp) == 3);
            }
            Set<String> read = new HashSet<>();
            try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(cluster.bootstrapServers(SASL), alice)) {
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (read.size() < 100 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        read.add(new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
            }
            assertEquals(100, read.size(), "every acknowledged record");
            Broker leader = cluster.brokers().stream()
                    .filter(b -> b.replicaManager()
                            .partition(tp)
                            .map(p -> p.isLeader())
                            .orElse(false))
                    .findFirst()
                    .orElseThrow();
            assertTrue(
                    leader.sasl().metrics().authentications() >= 2,
                    "the leader authenticated (at least) its two followers");

            // a broker with the wrong inter-broker password cannot fetch: it stays out of the ISR
            long failedBefore = cluster.brokers().stream()
                    .mapToLong(b -> b.sasl().metrics().failures())
                    .sum();
            int outsider = cluster.brokers().stream()
                    .filter(b -> !b.replicaManager()
                            .partition(tp)
                            .map(p -> p.isLeader())
                            .orElse(false))
                    .findFirst()
                    .orElseThrow()
                    .brokerId();
            cluster.stopBroker(outsider);
            cluster.startBroker(
                    outsider,
                    Map.of(
                            "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
                            SCRAM_MODULE + " required username=\"broker\" password=\"wrong\";"));
            Wait.waitUntil("the ISR without the stopped broker", Duration.ofSeconds(30), () -> isr(cluster, tp) == 2);
            Wait.waitUntil(
                    "the leader refused the wrong password",
                    Duration.ofSeconds(30),
                    () -> cluster.brokers().stream()
                                    .mapToLong(b -> b.sasl().metrics().failures())
                                    .sum()
                            > failedBefore);
            Wait.assertStaysTrue(
                    "the broker with the wrong password stays out of the ISR",
                    Duration.ofSeconds(2),
                    () -> isr(cluster, tp) == 2);
        }
    }

    @Test
    @SlowTest
    void brokersReplicateWithPlainAcrossSessionEnds() throws Exception {
        Map<String, String> plain = Map.of(
                "listeners",
                "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
                "security.inter.broker.protocol",
                SASL,
                "sasl.enabled.mechanisms",
                "PLAIN",
                "sasl.mechanism.inter.broker.protocol",
                "PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config",
                PLAIN_MODULE + " required username=\"broker\" password=\"b\" user_broker=\"b\";",
                "connections.max.reauth.ms",
                "1500");
        try (StrandTestCluster cluster = StrandTestCluster.start(2, plain)) {
            String topic = "plain-replicated";
            TopicPartition tp = new TopicPartition(topic, 0);
            try (Admin admin = cluster.admin()) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 2)))
                        .all()
                        .get();
            }
            Map<String, Object> settings = new HashMap<>();
            settings.put(ProducerConfig.ACKS_CONFIG, "all");
            int sent = 0;
            try (KafkaProducer<byte[], byte[]> producer = cluster.producer(settings)) {
                long end = System.nanoTime() + Duration.ofSeconds(4).toNanos(); // several inter-broker sessions
                while (System.nanoTime() < end) {
                    producer.send(new ProducerRecord<>(topic, ("p" + sent++).getBytes()))
                            .get();
                    Thread.sleep(20);
                }
            }
            long records = sent;
            Wait.waitUntil(
                    "both replicas in sync over SASL PLAIN", Duration.ofSeconds(30), () -> isr(cluster, tp) == 2);
            Wait.waitUntil(
                    "the follower holds every record",
                    Duration.ofSeconds(30),
                    () -> cluster.brokers().stream()
                            .allMatch(b -> b.replicaManager()
                                            .partition(tp)
                                            .map(p -> p.log().logEndOffset())
                                            .orElse(0L)
                                    == records));
            for (Broker b : cluster.brokers()) {
                assertEquals(
                        0,
                        b.sasl().metrics().expiredConnectionsKilled(),
                        "the follower renews its session before the leader would close the connection");
            }
            long logins = cluster.brokers().stream()
                    .mapToLong(b -> b.sasl().metrics().authentications())
                    .sum();
            assertTrue(logins >= 3, "the follower logged in again for each session of 1.5 s: " + logins);
        }
    }
}
