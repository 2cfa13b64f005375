package io.strand.server.security;

import static io.strand.server.testing.SaslClients.SCRAM_MODULE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.admin.ScramCredentialStore;
import io.strand.coordinator.proto.UserConfig;
import io.strand.server.Broker;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.Clients;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.SaslClients;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterUserScramCredentialsResponse;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SCRAM-SHA-256 and SCRAM-SHA-512 on a two-broker cluster: users created with Admin's
 * AlterUserScramCredentials (and, as the cluster launcher does, straight into ZooKeeper) are kept
 * in {@code /config/users/<user>} as salted keys, log in on every broker within a second, produce,
 * consume in a group and administer; wrong passwords and unknown users get Kafka's message; a
 * deleted credential stops new logins everywhere; the admin APIs answer Kafka's errors.
 */
@ExtendWith(StrandClusterExtension.class)
class SaslScramTest {
    private static final String SASL = "SASL_PLAINTEXT";

    @BrokerCluster(
            brokers = 2,
            properties = {
                "listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.jaas.config=" + SCRAM_MODULE + " required username=\"broker\" password=\"broker-secret\";",
                "group.initial.rebalance.delay.ms=0"
            })
    private static StrandTestCluster cluster;

    private static ScramCredentialStore zookeeperUsers;

    @BeforeAll
    static void createUsersAsTheLauncherDoes() {
        zookeeperUsers =
                new ScramCredentialStore(new MetadataStore(cluster.broker(1).zookeeperClient()));
        for (var m : org.apache.kafka.common.security.scram.internals.ScramMechanism.values()) {
            zookeeperUsers.upsertPassword("carol", m, "carol-secret", ScramCredentialStore.DEFAULT_ITERATIONS);
        }
    }

    private static int saslPort(Broker b) {
        return b.boundAddress(SASL).getPort();
    }

    /** One SCRAM login on a new raw connection to {@code broker}; throws what the broker answered. */
    private static void login(Broker broker, String mechanism, String user, String password) throws Exception {
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", saslPort(broker))) {
            new SaslClientAuthenticator(mechanism, user, password).authenticate(raw::send);
        }
    }

    /** Whether {@code user} logs in on broker {@code b} now. */
    private static boolean logsIn(Broker b, String mechanism, String user, String password) {
        try {
            login(b, mechanism, user, password);
            return true;
        } catch (SaslAuthenticationException refused) {
            return false;
        } catch (Exception other) { // anything but a refusal fails at once, not retried by the wait
            throw new AssertionError("login to broker " + b.brokerId() + " failed", other);
        }
    }

    /** Milliseconds until {@code user} logs in with {@code mechanism} on every broker (fails after 10 s). */
    private static long untilEveryBrokerAccepts(String mechanism, String user, String password) throws Exception {
        long start = System.nanoTime();
        for (Broker b : cluster.brokers()) {
            Wait.waitUntil(
                    user + " accepted by broker " + b.brokerId(),
                    Duration.ofSeconds(10).minusNanos(System.nanoTime() - start),
                    () -> logsIn(b, mechanism, user, password));
        }
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    @Test
    void aUserCreatedWithAdminLogsInOnEveryBrokerWithinASecond() throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.alterUserScramCredentials(List.of(
                            new UserScramCredentialUpsertion(
                                    "alice",
                                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192),
                                    "alice-secret"),
                            new UserScramCredentialUpsertion(
                                    "alice",
                                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                                    "alice-secret")))
                    .all()
                    .get();
            long ms = Math.max(
                    untilEveryBrokerAccepts("SCRAM-SHA-256", "alice", "alice-secret"),
                    untilEveryBrokerAccepts("SCRAM-SHA-512", "alice", "alice-secret"));
            assertTrue(ms < 1000, "alice logged in on every broker after " + ms + " ms");

            UserScramCredentialsDescription d = admin.describeUserScramCredentials(List.of("alice"))
                    .description("alice")
                    .get();
            assertEquals(
                    Set.of(
                            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192),
                            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096)),
                    new HashSet<>(d.credentialInfos()));
            assertTrue(admin.describeUserScramCredentials().users().get().containsAll(List.of("alice", "carol")));
        }
        MetadataStore zk = new MetadataStore(cluster.broker(2).zookeeperClient());
        UserConfig stored = zk.read(Znodes.userConfig("alice"), UserConfig.parser())
                .orElseThrow()
                .value();
        assertEquals(
                Set.of("SCRAM-SHA-256", "SCRAM-SHA-512"),
                stored.getScramCredentialsMap().keySet());
        assertEquals(8192, stored.getScramCredentialsMap().get("SCRAM-SHA-256").getIterations());
        String bytes = new String(stored.toByteArray(), StandardCharsets.ISO_8859_1);
        assertFalse(bytes.contains("alice-secret"), "ZooKeeper never holds the password");
        assertTrue(
                zk.children(Znodes.CONFIG_CHANGES).stream().anyMatch(c -> c.startsWith("config_change_")),
                "each change is announced under /config/changes");
    }

    @Test
    void scramClientsProduceConsumeInAGroupAndAdminister() throws Exception {
        Map<String, Object> producerSettings =
                new HashMap<>(SaslClients.settings("SCRAM-SHA-256", "carol", "carol-secret"));
        producerSettings.put(ProducerConfig.ACKS_CONFIG, "all");
        try (Admin admin = SaslClients.admin(
                cluster.bootstrapServers(SASL), SaslClients.settings("SCRAM-SHA-512", "carol", "carol-secret"))) {
            admin.createTopics(List.of(new NewTopic("scram-orders", 2, (short) 2)))
                    .all()
                    .get();
            assertEquals(2, admin.describeCluster().nodes().get().size());
        }
        try (KafkaProducer<byte[], byte[]> producer =
                Clients.producer(cluster.bootstrapServers(SASL), producerSettings)) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>("scram-orders", ("v" + i).getBytes()));
            }
            producer.flush();
        }
        Map<String, Object> consumerSettings =
                new HashMap<>(SaslClients.settings("SCRAM-SHA-512", "carol", "carol-secret"));
        consumerSettings.put(ConsumerConfig.GROUP_ID_CONFIG, "scram-group");
        Set<String> read = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                Clients.consumer(cluster.bootstrapServers(SASL), consumerSettings)) {
            consumer.subscribe(List.of("scram-orders"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read.size() < 100 && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    read.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            consumer.commitSync();
        }
        assertEquals(100, read.size());
    }

    @Test
    void aWrongPasswordAndAnUnknownUserGetKafkasMessageWhileOthersAreServed() throws Exception {
        for (Map<String, Object> bad : List.of(
                SaslClients.settings("SCRAM-SHA-256", "carol", "wrong"),
                SaslClients.settings("SCRAM-SHA-256", "mallory", "carol-secret"))) {
            try (Admin admin = SaslClients.admin(cluster.bootstrapServers(SASL), bad)) {
                ExecutionException e = assertThrows(
                        ExecutionException.class,
                        () -> admin.describeCluster().nodes().get());
                assertInstanceOf(SaslAuthenticationException.class, e.getCause(), e.toString());
                assertEquals(
                        "Authentication failed during authentication due to invalid credentials with SASL mechanism"
                                + " SCRAM-SHA-256",
                        e.getCause().getMessage());
            }
        }
        login(cluster.broker(1), "SCRAM-SHA-256", "carol", "carol-secret");
    }

    @Test
    void deletingACredentialStopsNewLoginsOnEveryBroker() throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.alterUserScramCredentials(List.of(
                            new UserScramCredentialUpsertion(
                                    "dave", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), "dave-secret"),
                            new UserScramCredentialUpsertion(
                                    "dave",
                                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                                    "dave-secret")))
                    .all()
                    .get();
            untilEveryBrokerAccepts("SCRAM-SHA-256", "dave", "dave-secret");
            untilEveryBrokerAccepts("SCRAM-SHA-512", "dave", "dave-secret");

            admin.alterUserScramCredentials(
                            List.of(new UserScramCredentialDeletion("dave", ScramMechanism.SCRAM_SHA_256)))
                    .all()
                    .get();
            long start = System.nanoTime();
            for (Broker b : cluster.brokers()) {
                Wait.waitUntil(
                        "dave's SCRAM-SHA-256 refused by broker " + b.brokerId(),
                        Duration.ofSeconds(1).minusNanos(System.nanoTime() - start),
                        () -> !logsIn(b, "SCRAM-SHA-256", "dave", "dave-secret"));
                login(b, "SCRAM-SHA-512", "dave", "dave-secret"); // the other mechanism still works
            }
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> admin.alterUserScramCredentials(
                                    List.of(new UserScramCredentialDeletion("dave", ScramMechanism.SCRAM_SHA_256)))
                            .all()
                            .get());
            assertInstanceOf(ResourceNotFoundException.class, e.getCause());

            admin.alterUserScramCredentials(
                            List.of(new UserScramCredentialDeletion("dave", ScramMechanism.SCRAM_SHA_512)))
                    .all()
                    .get();
        }
        MetadataStore zk = new MetadataStore(cluster.broker(1).zookeeperClient());
        assertFalse(zk.exists(Znodes.userConfig("dave")), "a user without credentials has no znode");
        assertTrue(zookeeperUsers.describe("dave").isEmpty());
    }

    @Test
    void alterAndDescribeAnswerKafkasErrors() throws Exception {
        int port = cluster.broker(1).boundAddress("PLAINTEXT").getPort();
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", port)) {
            byte[] salt = "salt".getBytes(StandardCharsets.UTF_8);
            byte[] salted = new byte[32];
            AlterUserScramCredentialsRequestData alter = new AlterUserScramCredentialsRequestData();
            alter.upsertions().add(upsertion("few", (byte) 1, 100, salt, salted));
            alter.upsertions().add(upsertion("many", (byte) 1, 20000, salt, salted));
            alter.upsertions().add(upsertion("unknown-mechanism", (byte) 9, 4096, salt, salted));
            alter.upsertions().add(upsertion("", (byte) 1, 4096, salt, salted));
            alter.upsertions().add(upsertion("twice", (byte) 1, 4096, salt, salted));
            alter.deletions().add(new ScramCredentialDeletion().setName("twice").setMechanism((byte) 1));
            alter.deletions()
                    .add(new ScramCredentialDeletion().setName("nobody").setMechanism((byte) 2));
            AlterUserScramCredentialsResponseData r = ((AlterUserScramCredentialsResponse)
                            raw.send(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, (short) 0, alter))
                    .data();
            Map<String, AlterUserScramCredentialsResult> byUser = new HashMap<>();
            r.results().forEach(x -> byUser.put(x.user(), x));
            assertEquals(
                    Set.of("few", "many", "unknown-mechanism", "", "twice", "nobody"), byUser.keySet(), r.toString());
            assertResult(byUser.get("few"), Errors.UNACCEPTABLE_CREDENTIAL, "Too few iterations");
            assertResult(byUser.get("many"), Errors.UNACCEPTABLE_CREDENTIAL, "Too many iterations");
            assertResult(byUser.get("unknown-mechanism"), Errors.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism");
            assertResult(byUser.get(""), Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
            assertResult(
                    byUser.get("twice"),
                    Errors.DUPLICATE_RESOURCE,
                    "A user credential cannot be altered twice in the same request");
            assertResult(
                    byUser.get("nobody"),
                    Errors.RESOURCE_NOT_FOUND,
                    "Attempt to delete a user credential that does not exist");

            DescribeUserScramCredentialsRequestData describe = new DescribeUserScramCredentialsRequestData()
                    .setUsers(List.of(
                            new DescribeUserScramCredentialsRequestData.UserName().setName("carol"),
                            new DescribeUserScramCredentialsRequestData.UserName().setName("nobody"),
                            new DescribeUserScramCredentialsRequestData.UserName().setName("x"),
                            new DescribeUserScramCredentialsRequestData.UserName().setName("x")));
            DescribeUserScramCredentialsResponseData d = ((DescribeUserScramCredentialsResponse)
                            raw.send(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, (short) 0, describe))
                    .data();
            assertEquals(3, d.results().size(), d.toString());
            assertEquals(Errors.NONE.code(), d.results().get(0).errorCode());
            assertEquals(2, d.results().get(0).credentialInfos().size());
            assertEquals(Errors.RESOURCE_NOT_FOUND.code(), d.results().get(1).errorCode());
            assertEquals(
                    "Attempt to describe a user credential that does not exist: nobody",
                    d.results().get(1).errorMessage());
            assertEquals(Errors.DUPLICATE_RESOURCE.code(), d.results().get(2).errorCode());
        }
    }

    @Test
    void theJaasConfigIsSensitiveInDescribeConfigs() throws Exception {
        try (Admin admin = cluster.admin()) {
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
            Config config = admin.describeConfigs(List.of(broker)).all().get().get(broker);
            ConfigEntry jaas = config.get("sasl.jaas.config");
            assertTrue(jaas.isSensitive());
            assertNull(jaas.value());
            assertTrue(jaas.synonyms().stream().allMatch(s -> s.value() == null));
        }
    }

    private static ScramCredentialUpsertion upsertion(
            String name, byte mechanism, int iterations, byte[] salt, byte[] salted) {
        return new ScramCredentialUpsertion()
                .setName(name)
                .setMechanism(mechanism)
                .setIterations(iterations)
                .setSalt(salt)
                .setSaltedPassword(salted);
    }

    private static void assertResult(AlterUserScramCredentialsResult r, Errors error, String message) {
        assertEquals(error.code(), r.errorCode(), r.toString());
        assertEquals(message, r.errorMessage());
    }
}
