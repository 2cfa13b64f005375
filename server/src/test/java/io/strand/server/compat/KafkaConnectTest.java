package io.strand.server.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.BrokerProcess;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.storage.StringConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Connect 4.4 distributed worker ({@link ConnectDistributed} in a child JVM, so that it can
 * be killed with {@code kill -9}) against three in-process brokers: Kafka's FileStreamSource
 * connector reads a file of lines into a one-partition topic and FileStreamSink writes that topic to
 * another file.
 *
 * <ol>
 *   <li>2,000 lines move; once the worker's stored offsets cover them (the source's file position in
 *       the offset topic, the sink's committed consumer offset), the worker is killed with {@code kill
 *       -9}; 1,000 lines are appended while it is down; a new worker resumes from the stored offsets:
 *       the topic and the sink file hold every line exactly once, in order.
 *   <li>2,000 more lines are appended and the worker is killed with {@code kill -9} as soon as the
 *       first of them reaches the sink file: as a rule before it has stored offsets for them (it
 *       flushes them every 500 ms; the test logs how many lines came twice). Connect is at-least-once there (FileStreamSource re-reads
 *       from its last flushed position, FileStreamSink rewrites what its consumer had not committed),
 *       so the check is: no line lost, first occurrences in order, nothing unexpected, and nothing
 *       committed before the kill delivered again.
 * </ol>
 *
 * <p>The worker's three internal topics (configs, offsets, statuses) are created by Connect itself
 * with {@code cleanup.policy=compact} and replication factor 3; the test reads that back with
 * DescribeConfigs. Connect checks it too at startup (it reads each internal topic's cleanup policy
 * with DescribeConfigs and refuses to start if it is not compact-only), so a worker that runs at all
 * has found Strand reporting the policy it asked for. Strand stores and reports the policy; whether
 * the log is actually compacted is the log cleaner's business, not this test's.
 *
 * <p>The connectors are Kafka's file connectors with one change ({@link KafkaConnectFileConnectors}
 * says why). The worker logs to {@code worker-<n>.log} in the test's temp dir (Connect at INFO),
 * which is kept when the test fails.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class KafkaConnectTest {
    private static final Logger log = LoggerFactory.getLogger(KafkaConnectTest.class);
    private static final String GROUP = "strand-connect";
    private static final String CONFIG_TOPIC = "strand-connect-configs";
    private static final String OFFSET_TOPIC = "strand-connect-offsets";
    private static final String STATUS_TOPIC = "strand-connect-status";
    private static final String TOPIC = "connect-lines";
    private static final String SOURCE = "lines-source";
    private static final String SINK = "lines-sink";
    private static final int FIRST = 2_000;
    private static final int WHILE_DOWN = 1_000;
    private static final int IN_FLIGHT = 2_000;
    private static final Duration MOVE = Duration.ofSeconds(30);

    @Test
    void shouldMoveAFileThroughADistributedWorkerAndResumeFromItsStoredOffsetsAfterAKill(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "min.insync.replicas=2",
                                "default.replication.factor=3",
                                "offsets.topic.num.partitions=4",
                                "group.initial.rebalance.delay.ms=0"
                            })
                    StrandTestCluster cluster,
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir)
            throws Exception {
        long t0 = System.nanoTime();
        Path sourceFile = dir.resolve("source.txt");
        Path sinkFile = dir.resolve("sink.txt");
        SourceFile source = new SourceFile(sourceFile);
        source.append(FIRST);
        cluster.createTopic(TOPIC, 1, 3); // one partition: the file's order is the topic's order

        try (Admin admin = cluster.admin();
                ConnectWorker worker = new ConnectWorker(cluster.bootstrapServers(), dir)) {
            worker.start();
            worker.awaitHealthy();
            long started = System.nanoTime();
            assertInternalTopicsCompacted(admin);

            worker.putConnector(
                    SOURCE,
                    Map.of(
                            "connector.class",
                            KafkaConnectFileConnectors.Source.class.getName(),
                            "tasks.max",
                            "1",
                            "file",
                            sourceFile.toString(),
                            "topic",
                            TOPIC,
                            "batch.size",
                            "100"));
            worker.putConnector(
                    SINK,
                    Map.of(
                            "connector.class",
                            KafkaConnectFileConnectors.Sink.class.getName(),
                            "tasks.max",
                            "1",
                            "file",
                            sinkFile.toString(),
                            "topics",
                            TOPIC));
            awaitSinkHolds(worker, sinkFile, source.last(), FIRST);
            long moved = System.nanoTime();
            awaitStoredOffsets(admin, worker, sourceFile);
            assertEquals(FIRST, endOffset(admin), "the source produced every line once");

            // kill -9 once the stored offsets cover everything: nothing may move twice
            worker.kill();
            source.append(WHILE_DOWN);
            long restarting = System.nanoTime();
            worker.start();
            worker.awaitHealthy();
            awaitSinkHolds(worker, sinkFile, source.last(), FIRST + WHILE_DOWN);
            long resumed = System.nanoTime();
            awaitStoredOffsets(admin, worker, sourceFile);
            assertEquals(
                    FIRST + WHILE_DOWN,
                    endOffset(admin),
                    "the source produced every line once: it resumed from its stored position in the file");
            ProduceConsumeValidator afterKill = validator(source.lines(), sinkLines(sinkFile));
            afterKill.assertEveryAcknowledgedRecordOnceInOrder();
            assertEquals(source.lines(), sinkLines(sinkFile), "the sink file is the source file");
            log.info(
                    "worker healthy {} ms after its start, {} lines moved {} ms later; after a kill -9 and {} lines "
                            + "appended, resumed from its stored offsets in {} ms: {}",
                    ms(t0, started),
                    FIRST,
                    ms(started, moved),
                    WHILE_DOWN,
                    ms(restarting, resumed),
                    afterKill.summary());

            // kill -9 while lines move, before the offsets cover them as a rule: at-least-once, nothing lost
            Set<String> committed = new HashSet<>(source.lines());
            int before = sinkLines(sinkFile).size();
            source.append(IN_FLIGHT);
            Wait.waitUntil(
                    "the appended lines moving into the sink file",
                    MOVE,
                    () -> sinkLines(sinkFile).size() > before,
                    worker::describe);
            worker.kill();
            int atKill = sinkLines(sinkFile).size() - before;
            worker.start();
            worker.awaitHealthy();
            awaitSinkHolds(worker, sinkFile, source.last(), FIRST + WHILE_DOWN + IN_FLIGHT);
            awaitStoredOffsets(admin, worker, sourceFile);
            ProduceConsumeValidator inFlight = validator(source.lines(), sinkLines(sinkFile));
            inFlight.assertNoneLost();
            inFlight.assertInOrderPerKey();
            inFlight.assertNothingUnexpected();
            inFlight.assertNoDuplicatesExcept(
                    "lines appended after the last offset commit", e -> !committed.contains(e.value()));
            log.info(
                    "killed with {} of {} appended lines in the sink file; after the restart: {}, {} lines produced "
                            + "again by the source; {} ms in all",
                    atKill,
                    IN_FLIGHT,
                    inFlight.summary(),
                    endOffset(admin) - source.lines().size(),
                    ms(t0, System.nanoTime()));
        }
    }

    /**
     * The three internal topics exist with cleanup.policy=compact (set by Connect when it created
     * them, so a topic config, not a default), replication factor 3.
     */
    private static void assertInternalTopicsCompacted(Admin admin) throws Exception {
        List<String> topics = List.of(CONFIG_TOPIC, OFFSET_TOPIC, STATUS_TOPIC);
        Map<ConfigResource, Config> configs = admin.describeConfigs(topics.stream()
                        .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                        .toList())
                .all()
                .get();
        Map<String, TopicDescription> descriptions =
                admin.describeTopics(topics).allTopicNames().get();
        for (String topic : topics) {
            ConfigEntry policy = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic))
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG);
            assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT, policy.value(), topic + ": " + policy);
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, policy.source(), topic + ": " + policy);
            TopicDescription d = descriptions.get(topic);
            assertTrue(
                    d.partitions().stream().allMatch(p -> p.replicas().size() == 3),
                    topic + " has three replicas of each partition: " + d);
        }
        assertEquals(1, descriptions.get(CONFIG_TOPIC).partitions().size(), "the config topic has one partition");
    }

    /** Waits until the sink file's last line is {@code last} and reports the file when it is not. */
    private static void awaitSinkHolds(ConnectWorker worker, Path sinkFile, String last, int lines)
            throws InterruptedException {
        Wait.waitUntil(
                "the sink file holding the source's " + lines + " lines up to " + last,
                MOVE,
                () -> {
                    List<String> sink = sinkLines(sinkFile);
                    return !sink.isEmpty() && sink.get(sink.size() - 1).equals(last);
                },
                () -> {
                    try {
                        return sinkLines(sinkFile).size() + " lines in the sink file; " + worker.describe();
                    } catch (IOException e) {
                        return e + "; " + worker.describe();
                    }
                });
    }

    /**
     * Waits until the worker's stored offsets cover the whole source file and the topic: the
     * source's position in the offset topic is the file's length, and the sink's committed consumer
     * offset is the topic's end offset. Both read through the worker's REST API (GET
     * /connectors/{name}/offsets: the offset topic as the worker reads it, the sink's consumer group
     * offsets through OffsetFetch).
     */
    private static void awaitStoredOffsets(Admin admin, ConnectWorker worker, Path sourceFile) throws Exception {
        long length = Files.size(sourceFile);
        Wait.waitUntil(
                "the worker's stored offsets covering the " + length + " bytes of the source file and the topic",
                MOVE,
                () -> offset(worker, SOURCE, "position") == length
                        && offset(worker, SINK, "kafka_offset") == endOffset(admin),
                () -> "source offsets " + worker.quietGet("/connectors/" + SOURCE + "/offsets") + ", sink offsets "
                        + worker.quietGet("/connectors/" + SINK + "/offsets") + "; " + worker.describe());
    }

    /** The connector's only stored offset's {@code field}, or -1 when it has none. */
    private static long offset(ConnectWorker worker, String connector, String field) throws Exception {
        JsonNode offsets = worker.get("/connectors/" + connector + "/offsets").path("offsets");
        return offsets.size() == 1 ? offsets.get(0).path("offset").path(field).asLong(-1) : -1;
    }

    private static long endOffset(Admin admin) throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()))
                .partitionResult(tp)
                .get()
                .offset();
    }

    /** The sink file's complete lines (a line still being written, with no newline yet, is left out). */
    private static List<String> sinkLines(Path sinkFile) throws IOException {
        if (!Files.exists(sinkFile)) {
            return List.of();
        }
        String text = Files.readString(sinkFile, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n", -1));
    }

    /** Source lines as the records sent (each written to the file before it can move), sink lines as consumed. */
    private static ProduceConsumeValidator validator(List<String> source, List<String> sink) {
        ProduceConsumeValidator v = new ProduceConsumeValidator();
        source.forEach(l -> v.acknowledged(ProduceConsumeValidator.NO_KEY, l));
        sink.forEach(l -> v.consumed(ProduceConsumeValidator.NO_KEY, l));
        return v;
    }

    private static long ms(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    /** The source connector's input: distinct numbered lines, appended in whole lines. */
    private static final class SourceFile {
        private final Path file;
        private final List<String> lines = new ArrayList<>();

        SourceFile(Path file) {
            this.file = file;
        }

        void append(int count) throws IOException {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < count; i++) {
                String line = String.format("line %05d of the source file", lines.size() + 1);
                lines.add(line);
                text.append(line).append('\n');
            }
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        String last() {
            return lines.get(lines.size() - 1);
        }
    }

    /**
     * Kafka Connect's distributed worker ({@link ConnectDistributed} with a generated properties
     * file) in a child JVM with the test's class path, on a fixed REST port across restarts; each
     * start logs to its own file. {@link #kill()} is {@code kill -9}.
     */
    private static final class ConnectWorker implements AutoCloseable {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final Path dir;
        private final Path properties;
        private final int port;
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private Process process;
        private int starts;

        ConnectWorker(String bootstrapServers, Path dir) throws IOException {
            this.dir = dir;
            this.port = BrokerProcess.freePort();
            Map<String, String> p = new LinkedHashMap<>();
            p.put("bootstrap.servers", bootstrapServers);
            p.put("group.id", GROUP);
            p.put("config.storage.topic", CONFIG_TOPIC);
            p.put("offset.storage.topic", OFFSET_TOPIC);
            p.put("status.storage.topic", STATUS_TOPIC);
            p.put("config.storage.replication.factor", "3");
            p.put("offset.storage.replication.factor", "3");
            p.put("status.storage.replication.factor", "3");
            p.put("offset.storage.partitions", "5");
            p.put("status.storage.partitions", "5");
            p.put("key.converter", StringConverter.class.getName());
            p.put("value.converter", StringConverter.class.getName());
            p.put("listeners", "http://127.0.0.1:" + port);
            p.put("rest.advertised.host.name", "127.0.0.1");
            p.put("rest.advertised.port", Integer.toString(port));
            // the connectors are on the class path (connect-file), found through their service manifests
            p.put("plugin.discovery", "service_load");
            p.put("offset.flush.interval.ms", "500");
            // a killed worker's tasks go to the next worker at once, not after Connect's 5 minutes
            p.put("scheduled.rebalance.max.delay.ms", "0");
            // a killed worker (and its sink task's consumer) leaves its groups after 6 s, the brokers' minimum
            p.put("session.timeout.ms", "6000");
            p.put("heartbeat.interval.ms", "1000");
            p.put("consumer.session.timeout.ms", "6000");
            p.put("consumer.heartbeat.interval.ms", "1000");
            properties = dir.resolve("worker.properties");
            Files.writeString(
                    properties,
                    p.entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining("\n", "", "\n")));
        }

        void start() throws IOException {
            starts++;
            List<String> cmd = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xms64m",
                    "-Xmx384m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-Dlogback.configurationFile=connect-worker-logback.xml",
                    "-cp",
                    System.getProperty("java.class.path"),
                    ConnectDistributed.class.getName(),
                    properties.toString());
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(logFile().toFile())
                    .start();
        }

        Path logFile() {
            return dir.resolve("worker-" + starts + ".log");
        }

        /** Waits until GET /health answers 200: the herder has read the config topic and joined the group. */
        void awaitHealthy() throws InterruptedException {
            Wait.waitUntil(
                    "the Connect worker healthy",
                    Duration.ofSeconds(60),
                    () -> {
                        assertTrue(process.isAlive(), "the worker exited: " + describe());
                        return request("GET", "/health", null).statusCode() == 200;
                    },
                    this::describe);
        }

        /** Creates or updates a connector (PUT /connectors/{name}/config), retrying while the worker rebalances. */
        void putConnector(String name, Map<String, String> config) throws InterruptedException {
            String body;
            try {
                body = JSON.writeValueAsString(config);
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
            Wait.waitUntil(
                    "the worker accepting connector " + name,
                    Duration.ofSeconds(30),
                    () -> {
                        HttpResponse<String> r = request("PUT", "/connectors/" + name + "/config", body);
                        if (r.statusCode() >= 400 && r.statusCode() != 409 && r.statusCode() < 500) {
                            throw new AssertionError("PUT " + name + ": " + r.statusCode() + " " + r.body());
                        }
                        return r.statusCode() / 100 == 2;
                    },
                    this::describe);
        }

        JsonNode get(String path) throws Exception {
            HttpResponse<String> r = request("GET", path, null);
            if (r.statusCode() != 200) {
                throw new IOException("GET " + path + ": " + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body());
        }

        String quietGet(String path) {
            try {
                return request("GET", path, null).body();
            } catch (Exception e) {
                return e.toString();
            }
        }

        private HttpResponse<String> request(String method, String path, String body)
                throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body));
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        /** For failure messages: the connectors' status and the end of the worker's log. */
        String describe() {
            StringBuilder s = new StringBuilder();
            if (process != null && process.isAlive()) {
                s.append("status ")
                        .append(quietGet("/connectors/" + SOURCE + "/status"))
                        .append(' ')
                        .append(quietGet("/connectors/" + SINK + "/status"));
            } else {
                s.append("worker not running");
            }
            try {
                List<String> lines = Files.readAllLines(logFile());
                s.append("; end of ")
                        .append(logFile())
                        .append(":\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
            } catch (IOException e) {
                s.append("; no log: ").append(e);
            }
            return s.toString();
        }

        /** kill -9. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the worker died");
        }

        @Override
        public void close() throws InterruptedException {
            if (process != null && process.isAlive()) {
                kill();
            }
        }
    }
}
