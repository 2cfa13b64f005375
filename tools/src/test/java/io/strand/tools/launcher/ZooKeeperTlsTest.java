package io.strand.tools.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.MetadataStoreException;
import io.strand.coordinator.PreviousSession;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.security.ZooKeeperClientOptions;
import io.strand.coordinator.security.ZooKeeperSecuritySettingsDefinition;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import io.strand.tools.CliHarness;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ZooKeeper with a TLS client port, started by {@code bin/strand-zookeeper} from the shipped
 * {@code zk-config/zoo-tls.cfg} (only paths and ports changed) with the stores {@code start --secure}
 * generates: a broker configured with Kafka's {@code zookeeper.ssl.*} settings connects over TLS with
 * its client certificate plus digest credentials, creates its znodes with ACLs and serves produce and
 * consume, and a next process ends a previous one's session over TLS; {@code bin/strand zk} reads over TLS with {@code --zk-config-file}; a client without TLS
 * does not get through the TLS port, and through the plain one reads but cannot write.
 */
@SystemTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ZooKeeperTlsTest {
    @TempDir
    Path tmp;

    private Process zookeeper;
    private int plainPort;
    private int tlsPort;
    private SecureClusterFiles files;
    private StrandTestCluster cluster;

    @BeforeEach
    void startTlsZooKeeper() throws Exception {
        files = new SecureClusterFiles(new ClusterLayout(tmp.resolve("cluster")));
        files.ensure(List.of(1));
        plainPort = freePort();
        tlsPort = freePort();
        Path cfg = tmp.resolve("zoo-tls.cfg");
        Files.writeString(
                cfg,
                sampleConfig(Map.of(
                        "dataDir", tmp.resolve("zk-data").toString(),
                        "clientPort", String.valueOf(plainPort),
                        "secureClientPort", String.valueOf(tlsPort),
                        "ssl.keyStore.location", files.zooKeeperKeystore().toString(),
                        "ssl.keyStore.passwordPath",
                                files.zooKeeperKeystorePasswordFile().toString(),
                        "ssl.trustStore.location", files.truststore().toString(),
                        "ssl.trustStore.passwordPath",
                                files.truststorePasswordFile().toString())));
        ProcessBuilder pb = new ProcessBuilder(
                        repoRoot().resolve("bin/strand-zookeeper").toString(), cfg.toString())
                .redirectOutput(tmp.resolve("zookeeper.log").toFile())
                .redirectErrorStream(true);
        pb.environment().put("STRAND_SERVER_CLASSPATH", TestClasspath.runtime());
        pb.environment().put("STRAND_ZK_HEAP_OPTS", "-Xms32m -Xmx256m");
        pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        zookeeper = pb.start();
        Wait.waitUntil(
                "ZooKeeper serves on 127.0.0.1:" + plainPort,
                Duration.ofSeconds(60),
                () -> zookeeper.isAlive() && SocketProbes.zooKeeperServing(plainPort),
                this::zooKeeperLog);
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (zookeeper != null) {
            zookeeper.destroy();
            if (!zookeeper.waitFor(20, TimeUnit.SECONDS)) {
                zookeeper.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void shouldRunABrokerAndTheToolsOverTls() throws Exception {
        Map<String, String> tls = new HashMap<>();
        tls.put(ZooKeeperSecuritySettingsDefinition.ZK_SET_ACL, "true");
        tls.putAll(files.zooKeeperSettings());
        tls.put(ZooKeeperSecuritySettingsDefinition.ZK_SSL_CLIENT_ENABLE, "true");
        tls.put(
                ZooKeeperSecuritySettingsDefinition.ZK_SSL_KEYSTORE_LOCATION,
                files.brokerKeystore(1).toString());
        tls.put(ZooKeeperSecuritySettingsDefinition.ZK_SSL_KEYSTORE_PASSWORD, files.brokerKeystorePassword(1));
        tls.put(ZooKeeperSecuritySettingsDefinition.ZK_SSL_KEYSTORE_TYPE, "PKCS12");
        tls.put(
                ZooKeeperSecuritySettingsDefinition.ZK_SSL_TRUSTSTORE_LOCATION,
                files.truststore().toString());
        tls.put(ZooKeeperSecuritySettingsDefinition.ZK_SSL_TRUSTSTORE_PASSWORD, files.truststorePassword());
        tls.put(ZooKeeperSecuritySettingsDefinition.ZK_SSL_TRUSTSTORE_TYPE, "PKCS12");
        tls.put("min.insync.replicas", "1");
        cluster = StrandTestCluster.startOn("127.0.0.1:" + tlsPort, 1, tls);
        String connect = cluster.zookeeperConnect();

        cluster.createTopic("over-tls", 1, 1);
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                acks.add(validator.send(producer, "over-tls", 0, ProduceConsumeValidator.NO_KEY, "v" + i));
            }
            for (var ack : acks) {
                ack.get();
            }
        }
        try (var consumer = cluster.consumer(Map.of())) {
            validator.consumeToEnd(consumer, "over-tls", 1, Duration.ofSeconds(30));
        }
        assertEquals(List.of(), validator.lost());

        ZooKeeperClientOptions options = ZooKeeperSecuritySettingsDefinition.fromProperties(tls);
        try (CuratorFramework zk = ZooKeeperConnection.connect(connect, 10_000, 10_000, options)) {
            List<ClientInfo> me = zk.getZookeeperClient().getZooKeeper().whoAmI();
            assertTrue(
                    me.stream()
                            .anyMatch(c -> c.getAuthScheme().equals("x509")
                                    && c.getUser().contains("CN=broker-1")),
                    "the client certificate is an identity: " + me);
            Set<ACL> acl = Set.copyOf(zk.getACL().forPath("/brokers/ids/1"));
            assertTrue(
                    acl.containsAll(Set.of(
                            new ACL(
                                    Perms.ALL,
                                    new Id(
                                            "digest",
                                            files.zooKeeperCredentials().aclId())),
                            new ACL(Perms.READ, new Id("world", "anyone")))),
                    acl::toString);
        }

        // a restarted broker ends its previous process's session over TLS too
        try (CuratorFramework dead = ZooKeeperConnection.connect(connect, 30_000, 10_000, options);
                CuratorFramework next = ZooKeeperConnection.connect(connect, 30_000, 10_000, options)) {
            dead.create().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL).forPath("/brokers/ids/7");
            Path logDir = Files.createDirectories(tmp.resolve("broker-7"));
            new PreviousSession(List.of(logDir)).save(dead);
            assertTrue(new PreviousSession(List.of(logDir))
                    .endIfStillOpen(next, "127.0.0.1:" + tlsPort, "/brokers/ids/7", 10_000, options));
            assertEquals(null, next.checkExists().forPath("/brokers/ids/7"), "the registration went with the session");
        }

        // bin/strand zk over TLS, with the broker's properties file
        Path props = tmp.resolve("server.properties");
        Files.writeString(
                props,
                cluster.brokerProperties(1).entrySet().stream()
                        .map(e -> e.getKey() + "=" + ClusterFiles.escape(e.getValue()))
                        .collect(Collectors.joining("\n")));
        CliHarness.Result ls = CliHarness.run(
                "zk", "ls", "/brokers/ids", "--zookeeper", connect, "--zk-config-file", props.toString());
        assertEquals(0, ls.code(), ls::toString);
        assertTrue(ls.out().contains("Children: 1"), ls::toString);
        assertTrue(ls.outLines().stream().anyMatch(l -> l.strip().matches("1\\s+0\\s+0\\s+\\d+")), ls::toString);
        assertTrue(!ls.out().contains(files.brokerKeystorePassword(1))
                && !ls.err().contains(files.brokerKeystorePassword(1)));

        CliHarness.Result plain =
                CliHarness.run("zk", "ls", "/brokers/ids", "--zookeeper", connect, "--timeout-ms", "3000");
        CliHarness.assertOneLineError(plain, 1, "cluster unreachable");

        // without TLS the TLS port does not answer; the plain port reads but does not write
        assertThrows(
                MetadataStoreException.class,
                () -> ZooKeeperConnection.connect(connect, 3_000, 3_000).close());
        try (CuratorFramework anonymous =
                ZooKeeperConnection.connect("127.0.0.1:" + plainPort + "/strand", 10_000, 10_000)) {
            assertEquals(List.of("1"), anonymous.getChildren().forPath("/brokers/ids"));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.create().forPath("/topics/intruder"));
        }
    }

    private String zooKeeperLog() {
        try {
            return Files.readString(tmp.resolve("zookeeper.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** zk-config/zoo-tls.cfg with the given keys' values replaced (each key must be in the file). */
    private static String sampleConfig(Map<String, String> values) throws IOException {
        List<String> out = new ArrayList<>();
        Set<String> replaced = new java.util.HashSet<>();
        for (String line : Files.readAllLines(repoRoot().resolve("zk-config/zoo-tls.cfg"))) {
            int eq = line.indexOf('=');
            String key = eq > 0 && !line.startsWith("#") ? line.substring(0, eq).strip() : null;
            if (key != null && values.containsKey(key)) {
                out.add(key + "=" + ClusterFiles.escape(values.get(key)));
                replaced.add(key);
            } else {
                out.add(line);
            }
        }
        assertEquals(values.keySet(), replaced, "keys of zk-config/zoo-tls.cfg");
        return String.join("\n", out) + "\n";
    }

    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("bin/strand-zookeeper")) && Files.exists(p.resolve("zk-config"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "no bin/strand-zookeeper above " + Path.of("").toAbsolutePath());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
