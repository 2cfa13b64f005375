package io.strand.server.security.tls;

import static io.strand.server.testing.SaslClients.SCRAM_MODULE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.admin.ScramCredentialStore;
import io.strand.server.testing.Clients;
import io.strand.server.testing.NettyLeaks;
import io.strand.server.testing.SaslClients;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.SlowTest;
import io.strand.testing.TestCertificates;
import io.strand.testing.Wait;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SASL_SSL, TLS and SASL together, as a secured cluster runs them: three brokers whose only
 * inter-broker listener is SASL_SSL (SCRAM-SHA-512 user {@code broker}), Java 4.4 clients with
 * SCRAM-SHA-512 over TLS (4.4 and 3.9), kafkajs with PLAIN over TLS; the principal is the SASL user
 * even when the client also presents a
 * certificate; a wrong password is refused.
 */
class SaslSslTest {
    @TempDir
    static Path dir;

    private static TestCertificates certs;
    private static StrandTestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        NettyLeaks.install();
        certs = TestCertificates.create(dir.resolve("certs"));
        Map<String, String> p = new HashMap<>(TlsTestSupport.brokerSsl(certs, certs.broker("broker")));
        p.put("listeners", "PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0");
        p.put("inter.broker.listener.name", "SASL_SSL");
        p.put("ssl.client.auth", "requested");
        p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN");
        p.put(
                "listener.name.sasl_ssl.plain.sasl.jaas.config",
                SaslClients.PLAIN_MODULE + " required user_jsuser=\"js-secret\";");
        p.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
        p.put(
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                SCRAM_MODULE + " required username=\"broker\" password=\"broker-secret\";");
        p.put("min.insync.replicas", "2");
        p.put("offsets.topic.replication.factor", "3");
        p.put("default.replication.factor", "3");
        p.put("group.initial.rebalance.delay.ms", "0");
        cluster = StrandTestCluster.start(0, p);
        try (CuratorFramework zk = ZooKeeperConnection.connect(cluster.zookeeperConnect(), 30_000, 10_000)) {
            ScramCredentialStore users = new ScramCredentialStore(new MetadataStore(zk));
            users.createIfAbsent("broker", ScramMechanism.SCRAM_SHA_512, "broker-secret", 4096);
            users.createIfAbsent("alice", ScramMechanism.SCRAM_SHA_512, "alice-secret", 4096);
        }
        for (int id = 1; id <= 3; id++) {
            cluster.startBroker(id);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.faults().observeRequests(null);
            cluster.close();
        }
        NettyLeaks.check("after " + SaslSslTest.class.getSimpleName(), List.of());
    }

    /** SCRAM-SHA-512 as {@code user} over TLS, presenting carol's certificate. */
    private static Map<String, Object> saslSsl(String user, String password) {
        Map<String, Object> p = new HashMap<>(TlsTestSupport.clientSsl(certs, certs.client("carol")));
        p.putAll(SaslClients.settings("SCRAM-SHA-512", user, password));
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        return p;
    }

    @Test
    void scramOverTlsProducesConsumesAndReplicatesAsItsUsers() throws Exception {
        Map<String, Set<String>> principals = new ConcurrentHashMap<>();
        cluster.faults().observeRequests(ctx -> {
            if (ctx.apiKey() == ApiKeys.PRODUCE || ctx.apiKey() == ApiKeys.FETCH) {
                principals
                        .computeIfAbsent(ctx.apiKey().name(), k -> ConcurrentHashMap.newKeySet())
                        .add(ctx.principal() + "@" + ctx.listenerName());
            }
        });
        String bootstrap = cluster.bootstrapServers("SASL_SSL");
        try (Admin admin = SaslClients.admin(bootstrap, saslSsl("alice", "alice-secret"))) {
            admin.createTopics(List.of(new NewTopic("sasl-ssl", 1, (short) 3)))
                    .all()
                    .get();
        }
        Map<String, Object> producerSettings = new HashMap<>(saslSsl("alice", "alice-secret"));
        producerSettings.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(bootstrap, producerSettings)) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>("sasl-ssl", ("s" + i).getBytes()));
            }
            producer.flush();
        }
        Map<String, Object> consumerSettings = new HashMap<>(saslSsl("alice", "alice-secret"));
        consumerSettings.put(ConsumerConfig.GROUP_ID_CONFIG, "sasl-ssl-group");
        Set<String> read = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, consumerSettings)) {
            consumer.subscribe(List.of("sasl-ssl"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read.size() < 50 && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    read.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            consumer.commitSync();
        }
        assertEquals(50, read.size());
        Wait.waitUntil(
                "the followers fetched as User:broker over SASL_SSL",
                Duration.ofSeconds(10),
                () -> principals.getOrDefault("FETCH", Set.of()).contains("User:broker@SASL_SSL"),
                principals::toString);
        cluster.faults().observeRequests(null);
        assertEquals(Set.of("User:alice@SASL_SSL"), principals.get("PRODUCE"), "the SASL user, not the certificate");
        assertTrue(principals.get("FETCH").stream().allMatch(p -> p.endsWith("@SASL_SSL")), principals.toString());
    }

    @Test
    void aWrongPasswordIsRefusedOverTls() throws Exception {
        try (Admin admin = SaslClients.admin(cluster.bootstrapServers("SASL_SSL"), saslSsl("alice", "wrong-secret"))) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> admin.describeCluster().nodes().get());
            assertInstanceOf(SaslAuthenticationException.class, e.getCause());
        }
    }

    @Test
    @SlowTest
    void theJava39ClientProducesAndConsumesInAGroupOverScramAndTls() throws Exception {
        try (Admin admin = SaslClients.admin(cluster.bootstrapServers("SASL_SSL"), saslSsl("alice", "alice-secret"))) {
            admin.createTopics(List.of(new NewTopic("sasl-ssl-39", 1, (short) 3)))
                    .all()
                    .get();
        }
        java.util.Properties client = new java.util.Properties();
        saslSsl("alice", "alice-secret").forEach((k, v) -> client.put(k, String.valueOf(v)));
        client.remove("ssl.keystore.location"); // SCRAM alone, no certificate
        client.remove("ssl.keystore.type");
        client.remove("ssl.keystore.password");
        client.remove("ssl.key.password");
        Path file = dir.resolve("client-39.properties");
        try (var out = java.nio.file.Files.newOutputStream(file)) {
            client.store(out, "kafka-clients 3.9 over SASL_SSL");
        }
        String bootstrap = cluster.bootstrapServers("SASL_SSL");
        String produced = io.strand.server.testing.CompatClients.run39(
                io.strand.server.testing.CompatProducerMain.class, bootstrap, "sasl-ssl-39", "300", file.toString());
        assertTrue(produced.contains("acked 300"), produced);
        String consumed = io.strand.server.testing.CompatClients.run39(
                io.strand.server.testing.CompatConsumerMain.class,
                bootstrap,
                "sasl-ssl-39",
                "group-39",
                "300",
                file.toString());
        assertTrue(consumed.contains("consumed 300"), consumed);
    }

    @Test
    @SlowTest
    void kafkajsProducesAndConsumesInAGroupOverPlainAndTls() throws Exception {
        Path js = Path.of("..", "clients", "js");
        assertTrue(
                java.nio.file.Files.isDirectory(js.resolve("node_modules").resolve("kafkajs")),
                "kafkajs must be installed in clients/js (bin/strand-test runs npm ci there)");
        String out = io.strand.server.testing.ExternalCommands.run(
                List.of(
                        "node",
                        js.resolve("roundtrip.js").toString(),
                        cluster.bootstrapServers("SASL_SSL"),
                        "js-sasl-ssl",
                        "js-sasl-ssl-group",
                        "300"),
                null,
                Map.of(
                        "STRAND_SASL_MECHANISM", "plain",
                        "STRAND_SASL_USERNAME", "jsuser",
                        "STRAND_SASL_PASSWORD", "js-secret",
                        "STRAND_SSL_CA", certs.caPem().toString()));
        assertTrue(out.contains("\"ok\":true") && out.contains("\"distinct\":300"), out);
    }

    @Test
    void kcatProducesAndConsumesOverPlainAndTls() throws Exception {
        assertTrue(io.strand.server.testing.ExternalCommands.onPath("kcat"), "kcat (bin/strand-test installs it)");
        // SCRAM needs librdkafka 2.6.1+ (docs/compatibility.md); Debian's kcat gets PLAIN over TLS here
        List<String> common = List.of(
                "kcat",
                "-b",
                cluster.bootstrapServers("SASL_SSL"),
                "-X",
                "security.protocol=sasl_ssl",
                "-X",
                "sasl.mechanisms=PLAIN",
                "-X",
                "sasl.username=jsuser",
                "-X",
                "sasl.password=js-secret",
                "-X",
                "ssl.ca.location=" + certs.caPem());
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            lines.append("k").append(i).append(":rd-").append(i).append('\n');
        }
        List<String> produce = new java.util.ArrayList<>(common);
        produce.addAll(List.of("-P", "-t", "kcat-sasl-ssl", "-K:", "-X", "acks=all"));
        io.strand.server.testing.ExternalCommands.run(produce, lines.toString());
        List<String> consume = new java.util.ArrayList<>(common);
        consume.addAll(List.of("-C", "-t", "kcat-sasl-ssl", "-o", "beginning", "-e", "-q", "-f", "%k=%s\\n"));
        String read = io.strand.server.testing.ExternalCommands.run(consume, null);
        for (int i = 0; i < 100; i++) {
            assertTrue(read.contains("k" + i + "=rd-" + i), "kcat read back record " + i + ": " + read);
        }
    }
}
