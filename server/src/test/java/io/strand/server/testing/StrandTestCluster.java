package io.strand.server.testing;

import io.strand.server.Broker;
import io.strand.server.BrokerConfig;
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
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * An in-process Strand cluster for integration tests: a real ZooKeeper (curator-test's
 * {@link TestingServer}) and N real brokers listening on 127.0.0.1, each with its own log
 * directory under a temporary folder. A broker keeps its port across {@link #restartBroker}, so
 * clients reconnect as they would to a real cluster. Closing the cluster stops everything and
 * deletes the folder.
 */
public final class StrandTestCluster implements AutoCloseable {
    private final TestingServer zookeeper;
    private final String zookeeperHosts;
    private final Path dir;
    private final Map<Integer, Broker> brokers = new TreeMap<>();
    private final Map<Integer, Integer> ports = new HashMap<>();
    private final Map<String, String> overrides;
    private final ResponseFaults faults = new ResponseFaults();

    private StrandTestCluster(int brokerCount, Map<String, String> overrides, String externalZooKeeper)
            throws Exception {
        this.overrides = Map.copyOf(overrides);
        this.dir = Files.createTempDirectory("strand-test-cluster");
        this.zookeeper = externalZooKeeper == null ? new TestingServer(true) : null;
        this.zookeeperHosts = externalZooKeeper == null ? zookeeper.getConnectString() : externalZooKeeper;
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
        return new StrandTestCluster(brokers, Map.of(), null);
    }

    /** Brokers on a ZooKeeper the caller runs (e.g. curator-test's TestingCluster); the caller stops it. */
    public static StrandTestCluster startOn(String zookeeperHosts, int brokers, Map<String, String> overrides)
            throws Exception {
        return new StrandTestCluster(brokers, overrides, zookeeperHosts);
    }

    /** Starts {@code brokers} brokers whose properties include {@code overrides} (Kafka names). */
    public static StrandTestCluster start(int brokers, Map<String, String> overrides) throws Exception {
        return new StrandTestCluster(brokers, overrides, null);
    }

    public String zookeeperConnect() {
        return zookeeperHosts + "/strand";
    }

    public TestingServer zookeeper() {
        return zookeeper;
    }

    public Map<String, String> brokerProperties(int id) {
        Map<String, String> p = new HashMap<>();
        p.put(BrokerConfig.BROKER_ID, Integer.toString(id));
        p.put(BrokerConfig.LISTENERS, "PLAINTEXT://127.0.0.1:" + ports.getOrDefault(id, 0));
        p.put(BrokerConfig.LOG_DIRS, dir.resolve("broker-" + id).toString());
        p.put(BrokerConfig.ZOOKEEPER_CONNECT, zookeeperConnect());
        p.put(BrokerConfig.ZOOKEEPER_SESSION_TIMEOUT_MS, "6000");
        p.put(BrokerConfig.NUM_IO_THREADS, "4");
        p.put(BrokerConfig.NUM_NETWORK_THREADS, "2");
        p.put(BrokerConfig.METRICS_JMX_ENABLE, "false");
        p.putAll(overrides);
        return p;
    }

    public Broker startBroker(int id) throws Exception {
        if (brokers.containsKey(id)) {
            throw new IllegalStateException("broker " + id + " is already running");
        }
        Broker b = new Broker(BrokerConfig.of(brokerProperties(id)), faults).start();
        ports.put(id, b.boundAddress().getPort());
        brokers.put(id, b);
        return b;
    }

    /** Stops broker {@code id} cleanly (its registration goes at once). */
    public void stopBroker(int id) {
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

    public Broker broker(int id) {
        Broker b = brokers.get(id);
        if (b == null) {
            throw new IllegalArgumentException("broker " + id + " is not running");
        }
        return b;
    }

    public List<Broker> brokers() {
        return new ArrayList<>(brokers.values());
    }

    public int port(int id) {
        return ports.get(id);
    }

    public Path dataDir(int id) {
        return dir.resolve("broker-" + id);
    }

    public String bootstrapServers() {
        return brokers.values().stream()
                .map(b -> "127.0.0.1:" + b.boundAddress().getPort())
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
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putAll(settings);
        return new KafkaProducer<>(p);
    }

    /** A byte-array consumer (no group unless the settings name one). */
    public KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> settings) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putAll(settings);
        return new KafkaConsumer<>(p);
    }

    /**
     * Creates a topic through the Admin API and waits until the leader of every partition acts as
     * leader, so that a raw request sent next is not refused with NOT_LEADER_OR_FOLLOWER.
     */
    public void createTopic(String topic, int partitions, int replicationFactor) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(
                            new org.apache.kafka.clients.admin.NewTopic(topic, partitions, (short) replicationFactor)))
                    .all()
                    .get();
        }
        waitUntil("every partition of " + topic + " has an acting leader", Duration.ofSeconds(30), () -> {
            for (int p = 0; p < partitions; p++) {
                org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(topic, p);
                boolean led = brokers.values().stream()
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
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@code timeout}. */
    public static void waitUntil(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws IOException {
        new ArrayList<>(brokers.keySet()).forEach(this::stopBroker);
        if (zookeeper != null) {
            zookeeper.close();
        }
        deleteRecursively(dir);
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
