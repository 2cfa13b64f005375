package io.strand.server.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.MetadataStoreException;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.security.DigestCredentials;
import io.strand.coordinator.security.ZooKeeperClientOptions;
import io.strand.server.BrokerConfig;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.ProduceConsumeValidator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigException;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Brokers with {@code zookeeper.set.acl=true} and digest credentials: the cluster works (topics,
 * replication, produce and consume, a restart); every znode they create is writable only by their
 * identity; a client without the credentials reads the cluster's metadata but cannot create, change
 * or delete anything under the chroot, nor read the secrets under {@code /config}; a broker with a
 * wrong password does not start, and says why without showing a password.
 */
class SecuredZooKeeperTest {
    private static final String PASSWORD = "broker-Secret-42";
    private static final DigestCredentials BROKER = new DigestCredentials("broker", PASSWORD);
    private static final int RECORDS = 200;

    @TempDir
    static Path dir;

    private static StrandTestCluster cluster;

    @BeforeAll
    static void startSecuredCluster() throws Exception {
        Path credentials = Files.writeString(dir.resolve("zk-broker.digest"), BROKER.fileText());
        cluster = StrandTestCluster.start(
                2,
                Map.of(
                        "zookeeper.set.acl", "true",
                        "zookeeper.digest.credentials.file", credentials.toString(),
                        "min.insync.replicas", "1"));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void shouldServeProduceAndConsumeAcrossARestartWithAclsOnEveryZnode() throws Exception {
        cluster.createTopic("secured", 2, 2);
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        produce(validator, 0);
        cluster.restartBroker(1);
        produce(validator, RECORDS);
        try (var consumer = cluster.consumer(Map.of())) {
            validator.consumeToEnd(consumer, "secured", 2, Duration.ofSeconds(30));
        }
        assertEquals(2L * RECORDS, validator.acknowledgedCount());
        assertEquals(List.of(), validator.lost());
        assertEquals(Map.of(), validator.duplicated());

        Set<ACL> brokerAllAnyoneRead = Set.of(
                new ACL(Perms.ALL, new Id("digest", BROKER.aclId())), new ACL(Perms.READ, new Id("world", "anyone")));
        try (CuratorFramework zk = brokerClient()) {
            for (String path : List.of(
                    "/brokers/ids/1",
                    "/brokers/ids/2",
                    "/topics/secured",
                    "/topics/secured/partitions/0/state",
                    "/controller",
                    "/controller_epoch",
                    "/cluster/id")) {
                assertEquals(brokerAllAnyoneRead, Set.copyOf(zk.getACL().forPath(path)), path);
            }
            assertEquals(
                    Set.of(new ACL(Perms.ALL, new Id("digest", BROKER.aclId()))),
                    Set.copyOf(zk.getACL().forPath("/config/brokers")));
        }
    }

    @Test
    void shouldLetAClientWithoutCredentialsReadButNeitherWriteNorReadSecrets() throws Exception {
        cluster.createTopic("readable", 1, 1);
        try (CuratorFramework zk = brokerClient()) {
            zk.create().creatingParentsIfNeeded().forPath("/config/users/admin", bytes("SCRAM-SHA-512=salted"));
        }
        try (CuratorFramework anonymous = ZooKeeperConnection.connect(cluster.zookeeperConnect(), 10_000, 10_000)) {
            assertEquals(Set.of("1", "2"), Set.copyOf(anonymous.getChildren().forPath("/brokers/ids")));
            assertTrue(anonymous.getChildren().forPath("/topics").contains("readable"));
            assertTrue(anonymous.getData().forPath("/topics/readable/partitions/0/state").length > 0);

            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.create().forPath("/intruder"));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.create().forPath("/admin/delete_topics/readable"));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.setData().forPath("/topics/readable/partitions/0/state", bytes("garbage")));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.delete().forPath("/brokers/ids/2"));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.delete().deletingChildrenIfNeeded().forPath("/topics/readable"));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.getData().forPath("/config/users/admin"));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.getChildren().forPath("/config/users"));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.getChildren().forPath("/config/brokers"));
        }
        try (CuratorFramework root = ZooKeeperConnection.connect(
                cluster.zookeeperConnect()
                        .substring(0, cluster.zookeeperConnect().indexOf('/')),
                10_000,
                10_000)) {
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> root.delete().deletingChildrenIfNeeded().forPath("/strand"));
        }
    }

    @Test
    void shouldRefuseToStartABrokerWithAWrongPasswordAndNotShowEither() throws Exception {
        Path wrong = Files.writeString(dir.resolve("zk-wrong.digest"), "broker:not-the-password\n");
        MetadataStoreException e = assertThrows(
                MetadataStoreException.class,
                () -> cluster.startBroker(3, Map.of("zookeeper.digest.credentials.file", wrong.toString())));
        String m = e.getMessage();
        assertTrue(m.contains("NoAuth") && m.contains("zookeeper.digest.credentials.file"), m);
        assertTrue(m.contains("digest user 'broker'"), m);
        assertFalse(m.contains("not-the-password") || m.contains(PASSWORD), m);
        try (CuratorFramework zk = brokerClient()) {
            assertEquals(Set.of("1", "2"), Set.copyOf(zk.getChildren().forPath("/brokers/ids")));
        }
    }

    @Test
    void shouldRefuseSetAclWithoutCredentialsNamingTheKey() {
        Map<String, String> props = cluster.brokerProperties(4);
        props.remove("zookeeper.digest.credentials.file");
        ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.of(props));
        assertTrue(e.getMessage().contains("zookeeper.set.acl"), e.getMessage());
    }

    @Test
    void shouldKeepThePasswordOutOfTheSettingsTheBrokerLogs() {
        String logged = cluster.broker(2).config().effectiveValues().toString();
        assertTrue(logged.contains("zookeeper.digest.credentials.file"), logged);
        assertFalse(logged.contains(PASSWORD), logged);
        assertFalse(
                cluster.broker(2).config().zookeeperClientOptions().toString().contains(PASSWORD));
    }

    @Test
    void shouldNotQuoteTheValueOfAMisspelledPasswordKey() {
        Map<String, String> props = cluster.brokerProperties(5);
        props.put("zookeeper.ssl.keystore.pasword", "top-secret-value");
        ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.of(props));
        assertTrue(e.getMessage().contains("zookeeper.ssl.keystore.pasword"), e.getMessage());
        assertFalse(e.getMessage().contains("top-secret-value"), e.getMessage());
    }

    private static void produce(ProduceConsumeValidator validator, int from) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = from; i < from + RECORDS; i++) {
                acks.add(validator.send(producer, "secured", i % 2, ProduceConsumeValidator.NO_KEY, "v" + i));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        }
    }

    private static CuratorFramework brokerClient() {
        return ZooKeeperConnection.connect(
                cluster.zookeeperConnect(), 10_000, 10_000, ZooKeeperClientOptions.digest(BROKER, true));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
