package io.strand.tools.launcher;

import io.strand.server.BrokerConfig;
import io.strand.server.HttpSettingsDefinition;
import io.strand.server.http.HttpListenerAddress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The directory of a local cluster and what its files say:
 *
 * <pre>
 * D/cluster.conf                    brokers, zk.port, base.port
 * D/zookeeper/zoo.cfg, D/zookeeper/data/
 * D/broker-&lt;i&gt;/server.properties, D/broker-&lt;i&gt;/data/
 * D/logs/zookeeper.log, D/logs/broker-&lt;i&gt;.log
 * D/pids/zookeeper.pid, D/pids/broker-&lt;i&gt;.pid
 * D/.lock
 * D/security/ (start --secure: CA, keystores, truststore, secrets), D/client-admin.properties
 * </pre>
 *
 * Files are read anew on every call (a user may edit them between commands); they are read as Java
 * properties files, the way ZooKeeper and the broker read them.
 *
 * <p>Immutable; used by one command on the calling thread.
 */
final class ClusterLayout {
    static final String ZOOKEEPER_MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain";
    static final String BROKER_MAIN = "io.strand.server.StrandBroker";

    static final String CONF_BROKERS = "brokers";
    static final String CONF_ZK_PORT = "zk.port";
    static final String CONF_BASE_PORT = "base.port";
    static final String CONF_SECURE = "secure";

    private final Path dir;

    ClusterLayout(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Path conf() {
        return dir.resolve("cluster.conf");
    }

    Path zooKeeperDir() {
        return dir.resolve("zookeeper");
    }

    Path zooKeeperConfig() {
        return zooKeeperDir().resolve("zoo.cfg");
    }

    Path zooKeeperData() {
        return zooKeeperDir().resolve("data");
    }

    Path brokerDir(int id) {
        return dir.resolve("broker-" + id);
    }

    Path brokerProperties(int id) {
        return brokerDir(id).resolve("server.properties");
    }

    Path brokerData(int id) {
        return brokerDir(id).resolve("data");
    }

    Path logs() {
        return dir.resolve("logs");
    }

    Path pids() {
        return dir.resolve("pids");
    }

    Path lockFile() {
        return dir.resolve(".lock");
    }

    /** start --secure: the CA, keystores, truststore and secrets, readable by the owner only. */
    Path securityDir() {
        return dir.resolve("security");
    }

    /** Kafka client properties of the admin user over SASL_SSL (start --secure). */
    Path clientAdminProperties() {
        return dir.resolve("client-admin.properties");
    }

    ClusterProcess zooKeeper() {
        return process("zookeeper", ZOOKEEPER_MAIN, zooKeeperConfig());
    }

    ClusterProcess broker(int id) {
        return process("broker-" + id, BROKER_MAIN, brokerProperties(id));
    }

    private ClusterProcess process(String name, String mainClass, Path config) {
        return new ClusterProcess(
                name, mainClass, config, pids().resolve(name + ".pid"), logs().resolve(name + ".log"));
    }

    /** A value of cluster.conf, when the file and the key exist. */
    Optional<String> recorded(String key) throws IOException {
        return value(conf(), key);
    }

    /** The broker ids of D: 1..brokers of cluster.conf, plus any other broker-&lt;i&gt; directory; ascending. */
    List<Integer> brokerIds() throws IOException {
        TreeSet<Integer> ids = new TreeSet<>();
        Optional<Integer> n = recorded(CONF_BROKERS).flatMap(ClusterLayout::uint);
        for (int id = 1; id <= n.orElse(0); id++) {
            ids.add(id);
        }
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "broker-*")) {
                for (Path d : entries) {
                    String suffix = d.getFileName().toString().substring("broker-".length());
                    if (Files.isDirectory(d)) {
                        uint(suffix).ifPresent(ids::add);
                    }
                }
            }
        }
        return new ArrayList<>(ids);
    }

    /** The client port in zoo.cfg, when the file has one. */
    Optional<String> zooKeeperPort() throws IOException {
        return value(zooKeeperConfig(), "clientPort");
    }

    /** host:port of the first listener in the broker's properties (0.0.0.0 or no host: 127.0.0.1). */
    String brokerAddress(int id) throws IOException {
        String listeners = value(brokerProperties(id), BrokerConfig.LISTENERS).orElse("");
        String first = listeners.split(",", -1)[0];
        int scheme = first.indexOf("://");
        String hostPort = scheme >= 0 ? first.substring(scheme + 3) : first;
        int colon = hostPort.lastIndexOf(':');
        String host = colon >= 0 ? hostPort.substring(0, colon) : "";
        String port = colon >= 0 ? hostPort.substring(colon + 1) : hostPort;
        if (host.isEmpty() || host.equals("0.0.0.0")) {
            return "127.0.0.1:" + port;
        }
        return hostPort;
    }

    /**
     * The URL of the broker's HTTP listener ({@code metrics.http.listener}; 0.0.0.0 or no host:
     * 127.0.0.1), ending in {@code /}; empty when its properties set none.
     */
    Optional<String> brokerHttpUrl(int id) throws IOException {
        Optional<String> listener = value(brokerProperties(id), HttpSettingsDefinition.METRICS_HTTP_LISTENER)
                .filter(v -> !v.isEmpty());
        if (listener.isEmpty()) {
            return Optional.empty();
        }
        try {
            java.net.InetSocketAddress a =
                    HttpListenerAddress.parse(listener.get()).orElseThrow();
            String host = a.getHostString();
            if (host.isEmpty() || host.equals("0.0.0.0")) {
                host = "127.0.0.1";
            }
            return Optional.of("http://" + host + ":" + a.getPort() + "/");
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The value of KEY in a properties file, trimmed; empty when the file or the key is missing. */
    static Optional<String> value(Path file, String key) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return Optional.ofNullable(p.getProperty(key)).map(String::strip);
    }

    /** An unsigned decimal number that fits an int. */
    static Optional<Integer> uint(String s) {
        if (s == null || s.isEmpty() || s.length() > 9 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(s));
    }
}
