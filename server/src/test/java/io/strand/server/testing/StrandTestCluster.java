package io.strand.server.testing;

import io.strand.server.Broker;
import io.strand.server.BrokerConfig;
import io.strand.server.StorageSettingsDefinition;
import io.strand.testing.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * An in-process Strand cluster for integration tests: a real ZooKeeper (curator-test's
 * {@link TestingServer}, or a {@link TestingCluster} ensemble) and N real brokers listening on
 * 127.0.0.1, each with its own log directory under a temporary folder. A broker keeps its port
 * across {@link #restartBroker}, so clients reconnect as they would to a real cluster. Closing the
 * cluster stops everything it started and deletes the folder. Tests get one from {@link
 * StrandClusterExtension} ({@code @BrokerCluster StrandTestCluster cluster}), which also stops it.
 *
 * <p>Threading: start, stop and restart brokers from the test thread; the getters may be called
 * from any thread (the broker map is guarded by this object's monitor).
 */
public final class StrandTestCluster implements AutoCloseable {
    private final TestingServer zookeeper;
    private final TestingCluster ensemble;
    private final String zookeeperHosts;
    private final Path dir;
    private final Map<Integer, Broker> brokers = new TreeMap<>();
    /** Each broker's bound port per listener name, so that a restarted broker comes back on the same ports. */
    private final Map<Integer, Map<String, Integer>> ports = new HashMap<>();

    private final Map<String, String> overrides;
    private final ResponseFaults faults = new ResponseFaults();

    private StrandTestCluster(
            int brokerCount, Map<String, String> overrides, int zookeeperServers, String externalZooKeeper)
            throws Exception {
        this.overrides = Map.copyOf(overrides);
        this.dir = Files.createTempDirectory("strand-test-cluster");
        TestingServer server = null;
        TestingCluster cluster = null;
        try {
            if (externalZooKeeper != null) {
                zookeeperHosts = externalZooKeeper;
            } else if (zookeeperServers > 1) {
                cluster = new TestingCluster(zookeeperServers);
                cluster.start();
                zookeeperHosts = cluster.getConnectString();
            } else {
                server = new TestingServer(true);
                zookeeperHosts = server.getConnectString();
            }
        } finally {
            this.zookeeper = server;
            this.ensemble = cluster;
        }
        try {
            for (int id = 1; id <= brokerCount; id++) {
                startBroker(id);
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    public static StrandTestCluster start(int brokers) throws Exception {
        return new StrandTestCluster(brokers, Map.of(), 1, null);
    }

    /** Starts {@code brokers} brokers whose properties include {@code overrides} (Kafka names). */
    public static StrandTestCluster start(int brokers, Map<String, String> overrides) throws Exception {
        return new StrandTestCluster(brokers, overrides, 1, null);
    }

    /**
     * As {@link #start(int, Map)} on a ZooKeeper ensemble of {@code zookeeperServers} servers
     * (curator-test's {@link TestingCluster}, stopped with the cluster) when more than one.
     */
    public static StrandTestCluster start(int brokers, Map<String, String> overrides, int zookeeperServers)
            throws Exception {
        return new StrandTestCluster(brokers, overrides, zookeeperServers, null);
    }

    /** Brokers on a ZooKeeper the caller runs; the caller stops it. */
    public static StrandTestCluster startOn(String zookeeperHosts, int brokers, Map<String, String> overrides)
            throws Exception {
        return new StrandTestCluster(brokers, overrides, 1, zookeeperHosts);
    }

    public String zookeeperConnect() {
        return zookeeperHosts + "/strand";
    }

    /** The single ZooKeeper server, or null when the cluster runs on an ensemble. */
    public TestingServer zookeeper() {
        return zookeeper;
    }

    /** The ZooKeeper ensemble ({@code zookeeperServers > 1}), or null. */
    public TestingCluster zookeeperEnsemble() {
        return ensemble;
    }

    public synchronized Map<String, String> brokerProperties(int id) {
        Map<String, String> p = new HashMap<>();
        p.put(BrokerConfig.BROKER_ID, Integer.toString(id));
        p.put(BrokerConfig.LISTENERS, "PLAINTEXT://127.0.0.1:0");
        p.put(StorageSettingsDefinition.LOG_DIRS, dir.resolve("broker-" + id).toString());
        p.put(BrokerConfig.ZOOKEEPER_CONNECT, zookeeperConnect());
        p.put(BrokerConfig.ZOOKEEPER_SESSION_TIMEOUT_MS, "6000");
        p.put(BrokerConfig.NUM_IO_THREADS, "4");
        p.put(BrokerConfig.NUM_NETWORK_THREADS, "2");
        p.put(BrokerConfig.METRICS_JMX_ENABLE, "false");
        p.putAll(overrides);
        p.put(BrokerConfig.LISTENERS, samePorts(id, p.get(BrokerConfig.LISTENERS)));
        return p;
    }

    /** {@code listeners} with each port 0 replaced by the port that listener of broker {@code id} had before. */
    private String samePorts(int id, String listeners) {
        Map<String, Integer> had = ports.getOrDefault(id, Map.of());
        List<String> out = new ArrayList<>();
        for (String l : listeners.split(",")) {
            String spec = l.trim();
            String name = spec.substring(0, Math.max(0, spec.indexOf("://"))).toUpperCase(java.util.Locale.ROOT);
            if (spec.endsWith(":0") && had.containsKey(name)) {
                spec = spec.substring(0, spec.length() - 1) + had.get(name);
            }
            out.add(spec);
        }
        return String.join(",", out);
    }

    public synchronized Broker startBroker(int id) throws Exception {
        return startBroker(id, Map.of());
    }

    /** Starts broker {@code id} with {@code overrides} over its usual properties (e.g. another zookeeper.connect). */
    public synchronized Broker startBroker(int id, Map<String, String> overrides) throws Exception {
        if (brokers.containsKey(id)) {
            throw new IllegalStateException("broker " + id + " is already running");
        }
        Map<String, String> props = brokerProperties(id);
        props.putAll(overrides);
        Broker b = new Broker(BrokerConfig.of(props), faults).start();
        Map<String, Integer> bound = new java.util.LinkedHashMap<>();
        b.config()
                .listeners()
                .forEach(l -> bound.put(l.name(), b.boundAddress(l.name()).getPort()));
        ports.put(id, bound);
        brokers.put(id, b);
        return b;
    }

    /** Stops broker {@code id} cleanly (its registration goes at once). */
    public synchronized void stopBroker(int id) {
        Broker b = brokers.remove(id);
        if (b != null) {
            b.close();
        }
    }

    public Broker restartBroker(int id) throws Exception {
        stopBroker(id);
        return startBroker(id);
    }

    /** Fault injection around the handlers of every broker of this cluster (off unless a test sets it). */
    public ResponseFaults faults() {
        return faults;
    }

    public synchronized Broker broker(int id) {
        Broker b = brokers.get(id);
        if (b == null) {
            throw new IllegalArgumentException("broker " + id + " is not running");
        }
        return b;
    }

    public synchronized List<Broker> brokers() {
        return new ArrayList<>(brokers.values());
    }

    /** The port of broker {@code id}'s first listener (the last one it had, if it is stopped). */
    public synchronized int port(int id) {
        Broker b = brokers.get(id);
        if (b != null) {
            return b.boundAddress().getPort();
        }
        return ports.get(id).values().iterator().next();
    }

    public Path dataDir(int id) {
        return dir.resolve("broker-" + id);
    }

    public synchronized String bootstrapServers() {
        return brokers.values().stream()
                .map(b -> "127.0.0.1:" + b.boundAddress().getPort())
                .collect(Collectors.joining(","));
    }

    /** The running brokers' addresses on listener {@code listenerName} (e.g. SASL_SSL). */
    public synchronized String bootstrapServers(String listenerName) {
        return brokers.values().stream()
                .map(b -> "127.0.0.1:" + b.boundAddress(listenerName).getPort())
                .collect(Collectors.joining(","));
    }

    public String bootstrapServer(int id) {
        return "127.0.0.1:" + port(id);
    }

    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return Admin.create(p);
    }

    /** A byte-array producer with the given settings over defaults fit for tests. */
    public KafkaProducer<byte[], byte[]> producer(Map<String, Object> settings) {
        return Clients.producer(bootstrapServers(), settings);
    }

    /** A byte-array consumer (no group unless the settings name one; no commits; from the earliest offset). */
    public KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> settings) {
        return Clients.consumer(bootstrapServers(), settings);
    }

    /**
     * Creates a topic through the Admin API and waits until the leader of every partition acts as
     * leader, so that a raw request sent next is not refused with NOT_LEADER_OR_FOLLOWER.
     *
     * @return the topic's id
     */
    public org.apache.kafka.common.Uuid createTopic(String topic, int partitions, int replicationFactor)
            throws Exception {
        org.apache.kafka.common.Uuid topicId;
        try (Admin admin = admin()) {
            topicId = admin.createTopics(List.of(
                            new org.apache.kafka.clients.admin.NewTopic(topic, partitions, (short) replicationFactor)))
                    .topicId(topic)
                    .get();
        }
        Wait.waitUntil("every partition of " + topic + " has an acting leader", Duration.ofSeconds(30), () -> {
            for (int p = 0; p < partitions; p++) {
                org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(topic, p);
                boolean led = brokers().stream()
                        .anyMatch(b -> b.replicaManager()
                                .partition(tp)
                                .map(x -> x.isLeader())
                                .orElse(false));
                if (!led) {
                    return false;
                }
            }
            return true;
        });
        return topicId;
    }

    @Override
    public void close() throws IOException {
        try {
            new ArrayList<>(brokers.keySet()).forEach(this::stopBroker);
        } finally {
            try {
                if (zookeeper != null) {
                    zookeeper.close();
                }
                if (ensemble != null) {
                    ensemble.close();
                }
            } finally {
                deleteRecursively(dir);
            }
        }
    }

    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
