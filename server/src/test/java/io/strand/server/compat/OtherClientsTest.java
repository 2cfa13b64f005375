package io.strand.server.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.BrokerConfig;
import io.strand.server.testing.StrandTestCluster;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients other than Java's against the same cluster: librdkafka (kcat) and a pure JavaScript
 * client (kafkajs, on Node.js). `bin/strand-test` installs both when they are missing.
 */
class OtherClientsTest {
    private static StrandTestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = StrandTestCluster.start(
                3,
                Map.of(
                        BrokerConfig.DEFAULT_REPLICATION_FACTOR, "3",
                        BrokerConfig.MIN_INSYNC_REPLICAS, "2",
                        BrokerConfig.NUM_PARTITIONS, "3"));
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
    }

    @Test
    void shouldListTheClusterAndRoundTripRecordsBetweenKcatAndTheJavaClient() throws Exception {
        assertTrue(onPath("kcat"), "kcat must be on PATH (bin/strand-test installs it)");
        String listing = run(List.of("kcat", "-L", "-b", cluster.bootstrapServer(1)), null);
        assertTrue(listing.contains("3 brokers:"), listing);

        // kcat produces (auto-creating the topic, acks=all), Java reads
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            lines.append("key-").append(i).append(":kcat-").append(i).append('\n');
        }
        run(
                List.of(
                        "kcat",
                        "-P",
                        "-b",
                        cluster.bootstrapServers(),
                        "-t",
                        "from-kcat",
                        "-K:",
                        "-X",
                        "request.required.acks=-1"),
                lines.toString());
        Set<String> javaRead = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            List<TopicPartition> tps = List.of(
                    new TopicPartition("from-kcat", 0),
                    new TopicPartition("from-kcat", 1),
                    new TopicPartition("from-kcat", 2));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.currentTimeMillis() + 30_000;
            while (javaRead.size() < 200 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    javaRead.add(new String(r.key(), StandardCharsets.UTF_8) + ":"
                            + new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        for (int i = 0; i < 200; i++) {
            assertTrue(javaRead.contains("key-" + i + ":kcat-" + i), "the Java consumer read kcat's record " + i);
        }

        // Java produces, kcat reads
        cluster.createTopic("from-java", 3, 3);
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < 200; i++) {
                producer.send(new ProducerRecord<>("from-java", ("k" + i).getBytes(), ("java-" + i).getBytes()));
            }
            producer.flush();
        }
        String consumed = run(
                List.of(
                        "kcat",
                        "-C",
                        "-b",
                        cluster.bootstrapServers(),
                        "-t",
                        "from-java",
                        "-o",
                        "beginning",
                        "-e",
                        "-q",
                        "-f",
                        "%k=%s\\n"),
                null);
        Set<String> kcatRead = new HashSet<>(List.of(consumed.split("\n")));
        for (int i = 0; i < 200; i++) {
            assertTrue(kcatRead.contains("k" + i + "=java-" + i), "kcat read the Java record " + i);
        }
    }

    @Test
    void shouldServeAPureJavaScriptClientProducingAndConsumingInAGroup() throws Exception {
        assertTrue(onPath("node"), "node must be on PATH (bin/strand-test installs it)");
        Path js = Path.of("..", "clients", "js");
        assertTrue(
                Files.isDirectory(js.resolve("node_modules").resolve("kafkajs")),
                "kafkajs must be installed in clients/js (bin/strand-test runs npm ci there)");
        String out = run(
                List.of(
                        "node",
                        js.resolve("roundtrip.js").toString(),
                        cluster.bootstrapServers(),
                        "from-js",
                        "js-group",
                        "500"),
                null);
        assertTrue(out.contains("\"ok\":true"), out);
        assertTrue(out.contains("\"distinct\":500"), out);
    }

    private static String run(List<String> command, String stdin) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        byte[] output = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished: " + command);
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), command + " failed:\n" + text);
        return text;
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
