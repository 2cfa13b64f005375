package io.strand.server.testing;

import io.strand.testing.BackgroundProducer;
import io.strand.testing.PowerCut;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.Wait;
import io.strand.wal.SyncJournal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * A cluster of broker processes (child JVMs) on a ZooKeeper in the test JVM, for crash tests:
 * brokers are killed with {@code kill -9} and started again on the same port and data. Tests get
 * one from {@link StrandClusterExtension} ({@code @BrokerCluster ProcessTestCluster cluster}) and
 * are marked {@code @SystemTest}. Closing it kills every broker, fails if one logged a Netty buffer
 * leak, and deletes the data.
 *
 * <p>Threading: drive it from the test thread; {@link #bootstrapServers()} may be read from any.
 */
public final class ProcessTestCluster implements AutoCloseable {
    private final TestingServer zookeeper;
    private final Path dir;
    private final Map<Integer, BrokerProcess> brokers = new TreeMap<>();
    /** Settings given with {@link #CLIENT_PREFIX}: what every client of the test adds (e.g. security). */
    private final Map<String, Object> clientSettings = new HashMap<>();

    /** A setting {@code @client.<key>=<value>} is a client setting of the test's clients, not a broker's. */
    public static final String CLIENT_PREFIX = "@client.";

    /**
     * The setting that makes every broker journal its fsyncs (in {@code sync-journal} in its directory), so
     * that a test can cut their power: {@link BrokerProcess#powerCut()}, {@link #powerCutAll()}.
     */
    public static final String POWER_CUT_JOURNAL =
            BrokerProcess.JVM_PREFIX + SyncJournal.PROPERTY + "={dir}/sync-journal";

    /**
     * With {@link #POWER_CUT_JOURNAL}: a slow, uneven disk, every fsync up to 40 ms late, so that a power cut
     * finds what a broker acknowledged before it was durable (a fast disk would have made it durable by the
     * cut).
     */
    public static final String SLOW_FSYNC = BrokerProcess.JVM_PREFIX + SyncJournal.DELAY_PROPERTY + "=40";

    public ProcessTestCluster(int count, Map<String, String> settings) throws Exception {
        dir = Files.createTempDirectory("strand-process-cluster");
        zookeeper = new TestingServer(true);
        Map<String, String> all = new HashMap<>(settings);
        settings.forEach((k, v) -> {
            if (k.startsWith(CLIENT_PREFIX)) {
                clientSettings.put(k.substring(CLIENT_PREFIX.length()), v);
            }
        });
        all.put("zookeeper.connect", zookeeper.getConnectString() + "/strand");
        all.putIfAbsent("zookeeper.session.timeout.ms", "6000");
        all.putIfAbsent("num.io.threads", "4");
        all.putIfAbsent("num.network.threads", "2");
        all.putIfAbsent("strand.metrics.jmx.enable", "false");
        try {
            for (int id = 1; id <= count; id++) {
                brokers.put(id, new BrokerProcess(id, BrokerProcess.freePort(), dir.resolve("broker-" + id), all));
            }
            for (BrokerProcess b : brokers.values()) {
                b.start();
            }
            awaitBrokers(count, Duration.ofSeconds(60));
        } catch (Exception | Error e) {
            try {
                close();
            } catch (Exception | Error suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Stops the ZooKeeper server (brokers lose it, their sessions stay until it restarts); close() still cleans up. */
    public void stopZooKeeper() throws IOException {
        zookeeper.stop();
    }

    /** The brokers' {@code zookeeper.connect} (with its chroot). */
    public String zookeeperConnect() {
        return zookeeper.getConnectString() + "/strand";
    }

    /**
     * A power cut of every broker at once: SIGKILL to all of them, then each one's log directories lose
     * every write it had not fsynced. Start them again with {@link BrokerProcess#start()}.
     */
    public Map<Integer, PowerCut.Report> powerCutAll() throws IOException, InterruptedException {
        for (BrokerProcess b : brokers.values()) {
            b.sendKill();
        }
        Map<Integer, PowerCut.Report> reports = new TreeMap<>();
        for (BrokerProcess b : brokers.values()) {
            reports.put(b.brokerId(), b.powerCut());
        }
        return reports;
    }

    public BrokerProcess broker(int id) {
        return brokers.get(id);
    }

    public String bootstrapServers() {
        return brokers.values().stream().map(b -> "127.0.0.1:" + b.port()).collect(Collectors.joining(","));
    }

    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.putAll(clientSettings);
        return Admin.create(p);
    }

    /** A byte-array producer with the given settings over defaults fit for tests. */
    public KafkaProducer<byte[], byte[]> producer(Map<String, Object> settings) {
        return Clients.producer(bootstrapServers(), withClientSettings(settings));
    }

    /** A byte-array consumer (no group unless the settings name one; no commits; from the earliest offset). */
    /**
     * Load for a fault test: {@code topic} created with {@code partitions} partitions on every broker
     * (RF = the broker count), and an idempotent acks=all producer sending to them round-robin (key
     * {@code p<n>} to partition n) through the faults, recording in {@code validator}.
     */
    public BackgroundProducer startLoad(ProduceConsumeValidator validator, String topic, int partitions)
            throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) brokers.size())))
                    .all()
                    .get();
        }
        return BackgroundProducer.start(
                "test-producer",
                idempotentProducer(),
                validator,
                BackgroundProducer.Send.roundRobin(topic, partitions),
                partitions,
                Duration.ofMillis(2));
    }

    /**
     * An idempotent acks=all producer that keeps retrying through broker kills (2 minutes per
     * record, 10 s per request), for load during faults.
     */
    public KafkaProducer<byte[], byte[]> idempotentProducer() {
        return producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000",
                ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "100",
                ProducerConfig.LINGER_MS_CONFIG, "2"));
    }

    public KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> settings) {
        return Clients.consumer(bootstrapServers(), withClientSettings(settings));
    }

    /** What every client of the test adds ({@link #CLIENT_PREFIX} settings), e.g. security. */
    public Map<String, Object> clientSettings() {
        return Map.copyOf(clientSettings);
    }

    private Map<String, Object> withClientSettings(Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(clientSettings);
        all.putAll(settings);
        return all;
    }

    /** Waits until the cluster lists {@code count} live brokers. */
    public void awaitBrokers(int count, Duration timeout) throws InterruptedException {
        try (Admin admin = admin()) {
            Wait.waitUntil(
                    count + " brokers registered",
                    timeout,
                    () -> admin.describeCluster().nodes().get().size() == count);
        }
    }

    /** The partition as the cluster describes it now, or null if it cannot be described. */
    public TopicPartitionInfo describe(Admin admin, String topic, int partition) {
        try {
            TopicDescription d =
                    admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            return d.partitions().get(partition);
        } catch (Exception e) {
            return null;
        }
    }

    public Path dir() {
        return dir;
    }

    /** Each broker's log file (output of its JVM), which survives kills and restarts. */
    public List<Path> brokerLogs() {
        return brokers.values().stream().map(BrokerProcess::logFile).toList();
    }

    @Override
    public void close() throws Exception {
        try {
            for (BrokerProcess b : brokers.values()) {
                b.kill();
            }
            zookeeper.close();
            NettyLeaks.check("in the brokers' logs", brokerLogs());
        } finally {
            StrandTestCluster.deleteRecursively(dir);
        }
    }
}
