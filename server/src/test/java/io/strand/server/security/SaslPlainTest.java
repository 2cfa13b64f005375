package io.strand.server.security;

import static io.strand.server.testing.SaslClients.PLAIN_MODULE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.SaslClients;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SASL PLAIN on a SASL_PLAINTEXT listener beside a PLAINTEXT one, with Kafka 4.4's Java clients and
 * raw connections: users of the listener's JAAS config produce, consume in a group and administer as
 * {@code User:<name>}; a wrong password and an unknown user are refused with Kafka's message while the
 * broker serves others; before authentication only ApiVersions and the SASL requests may come, and no
 * frame over sasl.server.max.receive.size.
 */
@ExtendWith(StrandClusterExtension.class)
class SaslPlainTest {
    private static final String SASL = "SASL_PLAINTEXT";

    @BrokerCluster(
            brokers = 1,
            properties = {
                "listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms=PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config=" + PLAIN_MODULE
                        + " required user_alice=\"alice-secret\" user_bob=\"bob-secret\";",
                "group.initial.rebalance.delay.ms=0"
            })
    private static StrandTestCluster cluster;

    private static String sasl() {
        return cluster.bootstrapServers(SASL);
    }

    private static int saslPort() {
        return cluster.broker(1).boundAddress(SASL).getPort();
    }

    private static Map<String, Object> as(String user, String password) {
        return SaslClients.settings("PLAIN", user, password);
    }

    @Test
    void usersProduceConsumeInAGroupAndAdministerAsThemselves() throws Exception {
        Map<ApiKeys, Set<String>> principals = new ConcurrentHashMap<>();
        cluster.faults().observeRequests(ctx -> {
            if (ctx.listenerName().equals(SASL) || ctx.apiKey() == ApiKeys.LIST_GROUPS) {
                principals
                        .computeIfAbsent(ctx.apiKey(), k -> ConcurrentHashMap.newKeySet())
                        .add(ctx.principal().toString() + "@" + ctx.listenerName());
            }
        });
        try {
            try (Admin admin = SaslClients.admin(sasl(), as("alice", "alice-secret"))) {
                admin.createTopics(List.of(new NewTopic("plain-orders", 2, (short) 1)))
                        .all()
                        .get();
                assertTrue(admin.listTopics().names().get().contains("plain-orders"));
            }
            Map<String, Object> producerSettings = new HashMap<>(as("alice", "alice-secret"));
            producerSettings.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<byte[], byte[]> producer =
                    io.strand.server.testing.Clients.producer(sasl(), producerSettings)) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>("plain-orders", ("v" + i).getBytes()));
                }
                producer.flush();
            }
            Map<String, Object> consumerSettings = new HashMap<>(as("bob", "bob-secret"));
            consumerSettings.put(ConsumerConfig.GROUP_ID_CONFIG, "plain-group");
            Set<String> read = new HashSet<>();
            try (KafkaConsumer<byte[], byte[]> consumer =
                    io.strand.server.testing.Clients.consumer(sasl(), consumerSettings)) {
                consumer.subscribe(List.of("plain-orders"));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (read.size() < 100 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        read.add(new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
                consumer.commitSync();
            }
            assertEquals(100, read.size(), "bob read every record alice produced");
            try (Admin plaintext = cluster.admin()) {
                assertTrue(plaintext.listGroups().all().get().stream()
                        .anyMatch(g -> g.groupId().equals("plain-group")));
            }
        } finally {
            cluster.faults().observeRequests(null);
        }
        assertEquals(Set.of("User:alice@" + SASL), principals.get(ApiKeys.CREATE_TOPICS));
        assertEquals(Set.of("User:alice@" + SASL), principals.get(ApiKeys.PRODUCE));
        assertEquals(Set.of("User:bob@" + SASL), principals.get(ApiKeys.OFFSET_COMMIT));
        assertEquals(Set.of("User:bob@" + SASL), principals.get(ApiKeys.JOIN_GROUP));
        assertEquals(Set.of(KafkaPrincipal.ANONYMOUS + "@PLAINTEXT"), principals.get(ApiKeys.LIST_GROUPS));
    }

    @Test
    void aWrongPasswordAndAnUnknownUserAreRefusedWhileTheBrokerServesOthers() throws Exception {
        for (Map<String, Object> bad : List.of(as("alice", "wrong"), as("mallory", "alice-secret"))) {
            try (Admin admin = SaslClients.admin(sasl(), bad)) {
                ExecutionException e = assertThrows(
                        ExecutionException.class,
                        () -> admin.listTopics().names().get());
                assertInstanceOf(SaslAuthenticationException.class, e.getCause(), e.toString());
                assertEquals(
                        "Authentication failed: Invalid username or password",
                        e.getCause().getMessage());
            }
        }
        try (Admin admin = SaslClients.admin(sasl(), as("bob", "bob-secret"))) {
            assertEquals(1, admin.describeCluster().nodes().get().size());
        }
    }

    @Test
    void aRequestBeforeAuthenticationClosesTheConnection() throws Exception {
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", saslPort())) {
            assertThrows(IOException.class, () -> raw.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData()));
        }
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", saslPort())) {
            ApiVersionsResponseData versions = ((ApiVersionsResponse)
                            raw.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()))
                    .data();
            assertEquals(Errors.NONE.code(), versions.errorCode(), "ApiVersions is served before authentication");
            assertEquals(1, versions.apiKeys().find(ApiKeys.SASL_HANDSHAKE.id).maxVersion());
            assertEquals(
                    2, versions.apiKeys().find(ApiKeys.SASL_AUTHENTICATE.id).maxVersion());
            assertThrows(
                    IOException.class,
                    () -> raw.send(
                            ApiKeys.CREATE_TOPICS,
                            (short) 7,
                            new org.apache.kafka.common.message.CreateTopicsRequestData()));
        }
    }

    @Test
    void aTenMegabyteFrameBeforeAuthenticationClosesTheConnection() throws Exception {
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", saslPort())) {
            ByteBuffer frame = ByteBuffer.allocate(4 + 64 * 1024);
            frame.putInt(10 * 1024 * 1024);
            try {
                raw.writeRaw(frame.array());
            } catch (IOException closedWhileWriting) {
                // the broker may close before all of it is out
            }
            assertTrue(raw.closedByPeer(), "a 10 MB frame before authentication closes the connection");
        }
        try (Admin admin = SaslClients.admin(sasl(), as("alice", "alice-secret"))) {
            assertEquals(1, admin.describeCluster().nodes().get().size(), "the broker keeps serving");
        }
    }

    @Test
    void anUnknownMechanismIsAnsweredWithTheEnabledOnesAndClosed() throws Exception {
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", saslPort())) {
            SaslHandshakeResponse r = (SaslHandshakeResponse) raw.send(
                    ApiKeys.SASL_HANDSHAKE, (short) 1, new SaslHandshakeRequestData().setMechanism("SCRAM-SHA-1"));
            assertEquals(Errors.UNSUPPORTED_SASL_MECHANISM, r.error());
            assertEquals(List.of("PLAIN"), r.data().mechanisms());
            assertTrue(raw.closedByPeer());
        }
    }

    @Test
    void anotherRequestDuringTheExchangeIsIllegalSaslStateAndCloses() throws Exception {
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", saslPort())) {
            SaslHandshakeResponse hs = (SaslHandshakeResponse)
                    raw.send(ApiKeys.SASL_HANDSHAKE, (short) 1, new SaslHandshakeRequestData().setMechanism("PLAIN"));
            assertEquals(Errors.NONE, hs.error());
            ApiVersionsResponse r =
                    (ApiVersionsResponse) raw.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData());
            assertEquals(Errors.ILLEGAL_SASL_STATE.code(), r.data().errorCode());
            assertTrue(raw.closedByPeer());
        }
    }

    @Test
    void saslAuthenticateAuthenticatesOnceAndIsThenIllegal() throws Exception {
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", saslPort())) {
            raw.send(ApiKeys.SASL_HANDSHAKE, (short) 1, new SaslHandshakeRequestData().setMechanism("PLAIN"));
            SaslAuthenticateResponse ok = (SaslAuthenticateResponse) raw.send(
                    ApiKeys.SASL_AUTHENTICATE,
                    (short) 2,
                    new SaslAuthenticateRequestData().setAuthBytes(plainToken("alice", "alice-secret")));
            assertEquals(Errors.NONE, ok.error());
            assertEquals(0L, ok.data().sessionLifetimeMs(), "sessions never expire by default");
            assertMetadataServed(raw);
            SaslAuthenticateResponse again = (SaslAuthenticateResponse) raw.send(
                    ApiKeys.SASL_AUTHENTICATE,
                    (short) 2,
                    new SaslAuthenticateRequestData().setAuthBytes(plainToken("bob", "bob-secret")));
            assertEquals(Errors.ILLEGAL_SASL_STATE, again.error());
            SaslHandshakeResponse hs = (SaslHandshakeResponse)
                    raw.send(ApiKeys.SASL_HANDSHAKE, (short) 1, new SaslHandshakeRequestData().setMechanism("PLAIN"));
            assertEquals(
                    Errors.ILLEGAL_SASL_STATE, hs.error(), "no re-authentication without connections.max.reauth.ms");
            assertMetadataServed(raw);
        }
    }

    @Test
    void handshakeVersionZeroIsFollowedByRawTokens() throws Exception {
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", saslPort())) {
            SaslHandshakeResponse hs = (SaslHandshakeResponse)
                    raw.send(ApiKeys.SASL_HANDSHAKE, (short) 0, new SaslHandshakeRequestData().setMechanism("PLAIN"));
            assertEquals(Errors.NONE, hs.error());
            raw.writeFrame(ByteBuffer.wrap(plainToken("alice", "alice-secret")));
            assertEquals(0, raw.readFrame().remaining(), "PLAIN's (empty) final server message");
            assertMetadataServed(raw);
        }
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", saslPort())) {
            raw.send(ApiKeys.SASL_HANDSHAKE, (short) 0, new SaslHandshakeRequestData().setMechanism("PLAIN"));
            raw.writeFrame(ByteBuffer.wrap(plainToken("alice", "wrong")));
            assertTrue(raw.closedByPeer(), "a failed raw exchange just closes");
        }
    }

    @Test
    void saslRequestsOnAPlaintextListenerAreIllegalSaslState() throws Exception {
        int port = cluster.broker(1).boundAddress("PLAINTEXT").getPort();
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", port)) {
            SaslHandshakeResponse hs = (SaslHandshakeResponse)
                    raw.send(ApiKeys.SASL_HANDSHAKE, (short) 1, new SaslHandshakeRequestData().setMechanism("PLAIN"));
            assertEquals(Errors.ILLEGAL_SASL_STATE, hs.error());
            assertMetadataServed(raw);
        }
    }

    private static void assertMetadataServed(RawKafkaConnection raw) throws IOException {
        AbstractResponse r = raw.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
        assertEquals(1, ((MetadataResponse) r).data().brokers().size());
    }

    static byte[] plainToken(String user, String password) {
        return ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
    }
}
