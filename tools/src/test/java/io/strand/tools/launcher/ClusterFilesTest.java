package io.strand.tools.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.BrokerConfig;
import io.strand.server.ListenerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The files a cluster dir holds, read back the way ZooKeeper and the broker read them. */
class ClusterFilesTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5})
    void shouldWriteBrokerPropertiesTheBrokerAccepts(int brokers) throws Exception {
        ClusterLayout layout = new ClusterLayout(tmp.resolve("cluster"));
        new ClusterFiles(layout).writeBrokerProperties(2, 29093, 22181, brokers);

        BrokerConfig c = BrokerConfig.load(layout.brokerProperties(2));
        assertEquals(2, c.brokerId());
        assertEquals(
                List.of(new ListenerConfig.Listener("PLAINTEXT", SecurityProtocol.PLAINTEXT, "127.0.0.1", 29093)),
                c.listeners());
        assertEquals(List.of(layout.brokerData(2)), c.storage().logDirs());
        assertEquals("127.0.0.1:22181/strand", c.zookeeperConnect());
        assertEquals(3, c.numPartitions());
        assertEquals(Math.min(3, brokers), c.replication().defaultReplicationFactor());
        assertEquals(brokers >= 3 ? 2 : 1, c.replication().minInsyncReplicas());
        assertTrue(c.autoCreateTopicsEnable());
        assertEquals(
                String.valueOf(Math.min(3, brokers)),
                load(layout.brokerProperties(2)).getProperty(BrokerConfig.OFFSETS_TOPIC_REPLICATION_FACTOR));
        assertTrue(Files.isDirectory(layout.brokerData(2)));
        assertEquals("127.0.0.1:29093", layout.brokerAddress(2));
        assertEquals(java.util.Optional.of("http://127.0.0.1:29193/"), layout.brokerHttpUrl(2));
    }

    @Test
    void shouldWriteEveryKeyWithItsDocumentation() throws Exception {
        ClusterLayout layout = new ClusterLayout(tmp);
        new ClusterFiles(layout).writeBrokerProperties(1, 9092, 2181, 3);
        String text = Files.readString(layout.brokerProperties(1));
        Map<String, String> settings = ClusterFiles.brokerSettings(1, 9092, 2181, 3, layout.brokerData(1));
        assertEquals(settings.keySet(), load(layout.brokerProperties(1)).stringPropertyNames());
        for (String key : settings.keySet()) {
            String doc = BrokerConfig.definition().configKeys().get(key).documentation;
            assertTrue(commentAbove(text, key).endsWith(doc), key + " is documented:\n" + text);
        }
    }

    /** The comment lines right above {@code key=} in {@code text}, joined by spaces (a long one is wrapped). */
    private static String commentAbove(String text, String key) {
        List<String> lines = List.of(text.split("\n"));
        int at = lines.indexOf(
                lines.stream().filter(l -> l.startsWith(key + "=")).findFirst().orElseThrow());
        java.util.LinkedList<String> comment = new java.util.LinkedList<>();
        for (int i = at - 1; i >= 0 && lines.get(i).startsWith("# "); i--) {
            comment.addFirst(lines.get(i).substring(2));
        }
        return String.join(" ", comment);
    }

    @Test
    void shouldKeepPathsThatNeedEscaping() throws Exception {
        ClusterLayout layout = new ClusterLayout(tmp.resolve("dätä \\ dir"));
        ClusterFiles files = new ClusterFiles(layout);
        Files.createDirectories(layout.dir());
        files.writeBrokerProperties(1, 29092, 22181, 1);
        files.writeZooKeeperConfig(22181);
        assertEquals(
                List.of(layout.brokerData(1)),
                BrokerConfig.load(layout.brokerProperties(1)).storage().logDirs());
        assertEquals(
                layout.zooKeeperData().toString(),
                load(layout.zooKeeperConfig()).getProperty("dataDir"));
    }

    @Test
    void shouldRefuseADirTheBrokerWouldReadAsTwo() throws Exception {
        ClusterLayout layout = new ClusterLayout(tmp.resolve("a,b"));
        ClusterException e = assertThrows(
                ClusterException.class, () -> new ClusterFiles(layout).writeBrokerProperties(1, 29092, 22181, 1));
        assertTrue(e.getMessage().startsWith("cannot write " + layout.brokerProperties(1)), e.getMessage());
        assertFalse(Files.exists(layout.brokerProperties(1)));
        try (var left = Files.list(layout.brokerDir(1))) {
            assertEquals(List.of(layout.brokerData(1)), left.toList(), "no temporary file left");
        }
    }

    @Test
    void shouldWriteAStandaloneZooKeeperConfigAndTheClusterConf() throws Exception {
        ClusterLayout layout = new ClusterLayout(tmp);
        ClusterFiles files = new ClusterFiles(layout);
        files.writeZooKeeperConfig(22181);
        files.writeConf(4, 22181, 29092);

        Properties zk = load(layout.zooKeeperConfig());
        assertEquals("22181", zk.getProperty("clientPort"));
        assertEquals("127.0.0.1", zk.getProperty("clientPortAddress"));
        assertEquals(layout.zooKeeperData().toString(), zk.getProperty("dataDir"));
        assertTrue(zk.getProperty("4lw.commands.whitelist").contains("srvr"));
        assertEquals("false", zk.getProperty("admin.enableServer"));
        assertTrue(Files.isDirectory(layout.zooKeeperData()));
        assertEquals("22181", layout.zooKeeperPort().orElseThrow());

        assertEquals("4", layout.recorded("brokers").orElseThrow());
        assertEquals("22181", layout.recorded("zk.port").orElseThrow());
        assertEquals("29092", layout.recorded("base.port").orElseThrow());
        assertEquals(List.of(1, 2, 3, 4), layout.brokerIds());
        Files.createDirectories(layout.brokerDir(7));
        Files.createDirectories(tmp.resolve("broker-x"));
        assertEquals(List.of(1, 2, 3, 4, 7), layout.brokerIds());
    }

    @Test
    void shouldReadTheFirstListenerAsTheBrokersAddress() throws IOException {
        ClusterLayout layout = new ClusterLayout(tmp);
        Files.createDirectories(layout.brokerDir(1));
        Files.writeString(layout.brokerProperties(1), "listeners=PLAINTEXT://0.0.0.0:9095,PLAINTEXT://h:9096\n");
        assertEquals("127.0.0.1:9095", layout.brokerAddress(1));
        Files.writeString(layout.brokerProperties(1), "listeners = PLAINTEXT://:9097\n");
        assertEquals("127.0.0.1:9097", layout.brokerAddress(1));
        Files.writeString(layout.brokerProperties(1), "listeners=PLAINTEXT://broker.local:9098\n");
        assertEquals("broker.local:9098", layout.brokerAddress(1));
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    @Test
    void shouldWriteTheSecuritySettingsOfASecuredBrokerForItsOwnerOnly() throws Exception {
        ClusterLayout layout = new ClusterLayout(tmp.resolve("secure"));
        SecureClusterFiles security = new SecureClusterFiles(layout);
        security.ensure(List.of(1));
        new ClusterFiles(layout).writeBrokerProperties(1, 29092, 22181, 1, security.zooKeeperSettings());

        String text = Files.readString(layout.brokerProperties(1));
        assertTrue(text.contains("\n# Security (bin/strand-cluster start --secure)"), text);
        assertEquals(
                "rw-------",
                java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(layout.brokerProperties(1))));
        BrokerConfig c = BrokerConfig.load(layout.brokerProperties(1));
        assertTrue(c.zookeeperClientOptions().setAcl());
        assertEquals(
                security.zooKeeperCredentials(),
                c.zookeeperClientOptions().digestCredentials().orElseThrow());
        assertFalse(text.contains(security.zooKeeperCredentials().fileText().strip()), "no ZooKeeper password inline");
    }
}
