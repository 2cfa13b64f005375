package io.strand.server.security;

import static io.strand.server.testing.SaslClients.PLAIN_MODULE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.admin.ScramCredentialStore;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.Clients;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.SaslClients;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.SlowTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Re-authentication (KIP-368) with connections.max.reauth.ms=1500: SaslAuthenticate tells the
 * client its session lifetime; Java clients re-authenticate over their connections and keep
 * producing and consuming across several sessions; a connection that lets its session expire is
 * closed at its next request; a re-authentication may not change the principal or the mechanism.
 */
@ExtendWith(StrandClusterExtension.class)
class SaslReauthenticationTest {
    private static final String SASL = "SASL_PLAINTEXT";
    private static final long LIFETIME_MS = 1500;

    @BrokerCluster(
            brokers = 1,
            properties = {
                "listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config=" + PLAIN_MODULE
                        + " required user_alice=\"alice-secret\" user_bob=\"bob-secret\";",
                "connections.max.reauth.ms=" + LIFETIME_MS,
                "group.initial.rebalance.delay.ms=0"
            })
    private static StrandTestCluster cluster;

    @BeforeAll
    static void createScramUser() {
        new ScramCredentialStore(new MetadataStore(cluster.broker(1).zookeeperClient()))
                .upsertPassword("erin", ScramMechanism.SCRAM_SHA_256, "erin-secret", 4096);
    }

    private static RawKafkaConnection raw() throws IOException {
        return new RawKafkaConnection(
                "127.0.0.1", cluster.broker(1).boundAddress(SASL).getPort());
    }

    private static void assertMetadataServed(RawKafkaConnection raw) throws IOException {
        MetadataResponse r =
                (MetadataResponse) raw.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
        assertEquals(1, r.data().brokers().size());
    }

    @Test
    @SlowTest
    void javaClientsKeepProducingAndConsumingAcrossReauthentications() throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic("reauth", 1, (short) 1)))
                    .all()
                    .get();
        }
        SaslMetrics metrics = cluster.broker(1).sasl().metrics();
        long reauthsBefore = metrics.reauthentications();
        Map<String, Object> producerSettings =
                new HashMap<>(SaslClients.settings("SCRAM-SHA-256", "erin", "erin-secret"));
        producerSettings.put(ProducerConfig.ACKS_CONFIG, "all");
        Map<String, Object> consumerSettings = new HashMap<>(SaslClients.settings("PLAIN", "alice", "alice-secret"));
        consumerSettings.put(ConsumerConfig.GROUP_ID_CONFIG, "reauth-group");
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        Set<String> read = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> producer =
                        Clients.producer(cluster.bootstrapServers(SASL), producerSettings);
                KafkaConsumer<byte[], byte[]> consumer =
                        Clients.consumer(cluster.bootstrapServers(SASL), consumerSettings)) {
            consumer.subscribe(List.of("reauth"));
            long end = System.nanoTime() + Duration.ofMillis(4 * LIFETIME_MS).toNanos();
            int i = 0;
            while (System.nanoTime() < end) {
                acks.add(producer.send(new ProducerRecord<>("reauth", ("v" + i++).getBytes())));
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    read.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            producer.flush();
            for (Future<RecordMetadata> a : acks) {
                a.get(); // every record acknowledged across the sessions
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (read.size() < acks.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    read.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals(acks.size(), read.size(), "the consumer read every record");
        long reauths = metrics.reauthentications() - reauthsBefore;
        assertTrue(reauths >= 4, "the producer and the consumer each re-authenticated several times: " + reauths);
        assertEquals(0, metrics.expiredConnectionsKilled(), "no client let its session expire");
    }

    @Test
    void aConnectionWhoseSessionExpiredIsClosedAtItsNextRequest() throws Exception {
        long killed = cluster.broker(1).sasl().metrics().expiredConnectionsKilled();
        try (RawKafkaConnection raw = raw()) {
            long lifetime = new SaslClientAuthenticator("SCRAM-SHA-256", "erin", "erin-secret").authenticate(raw::send);
            assertEquals(LIFETIME_MS, lifetime);
            assertMetadataServed(raw);
            Thread.sleep(LIFETIME_MS + 200);
            assertThrows(IOException.class, () -> assertMetadataServed(raw));
        }
        assertEquals(killed + 1, cluster.broker(1).sasl().metrics().expiredConnectionsKilled());
    }

    @Test
    void aReauthenticationKeepsTheConnectionButNotAnotherPrincipalOrMechanism() throws Exception {
        try (RawKafkaConnection raw = raw()) {
            new SaslClientAuthenticator("PLAIN", "alice", "alice-secret").authenticate(raw::send);
            assertMetadataServed(raw);
            long lifetime = new SaslClientAuthenticator("PLAIN", "alice", "alice-secret").authenticate(raw::send);
            assertEquals(LIFETIME_MS, lifetime, "a new session");
            Thread.sleep(LIFETIME_MS - 300); // past the first session's end, within the second's
            assertMetadataServed(raw);
            SaslAuthenticationException e = assertThrows(
                    SaslAuthenticationException.class,
                    () -> new SaslClientAuthenticator("PLAIN", "bob", "bob-secret").authenticate(raw::send));
            assertEquals("Cannot change principals during re-authentication from User.alice: User.bob", e.getMessage());
            assertTrue(raw.closedByPeer());
        }
        try (RawKafkaConnection raw = raw()) {
            new SaslClientAuthenticator("PLAIN", "alice", "alice-secret").authenticate(raw::send);
            assertThrows(
                    UnsupportedSaslMechanismException.class,
                    () -> new SaslClientAuthenticator("SCRAM-SHA-256", "erin", "erin-secret").authenticate(raw::send));
            assertTrue(raw.closedByPeer());
        }
    }
}
