package io.strand.server.compat;

import static io.strand.server.testing.ExternalCommands.onPath;
import static io.strand.server.testing.ExternalCommands.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SlowTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients other than Java's against the same cluster: librdkafka (kcat) and a pure JavaScript
 * client (kafkajs, on Node.js), and librdkafka's transactional producer through Debian's
 * python3-confluent-kafka. `bin/strand-test` installs them when they are missing.
 */
@ExtendWith(StrandClusterExtension.class)
class OtherClientsTest {
    @BrokerCluster(
            brokers = 3,
            properties = {
                "default.replication.factor=3",
                "min.insync.replicas=2",
                "num.partitions=3",
                "group.initial.rebalance.delay.ms=0" // kafkajs's group starts at once
            })
    private static StrandTestCluster cluster;

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
        ProduceConsumeValidator fromKcat = new ProduceConsumeValidator();
        for (int i = 0; i < 200; i++) {
            fromKcat.acknowledged("key-" + i, "kcat-" + i); // kcat exits 0 once every record is acknowledged
        }
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            fromKcat.consumeToEnd(
                    consumer,
                    List.of(
                            new TopicPartition("from-kcat", 0),
                            new TopicPartition("from-kcat", 1),
                            new TopicPartition("from-kcat", 2)),
                    Duration.ofSeconds(30));
        }
        fromKcat.assertNoneLost(); // the Java consumer read every record kcat produced
        fromKcat.assertNothingUnexpected();

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
    @SlowTest
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

    @Test
    @SlowTest
    void shouldCommitAndAbortTransactionsOfLibrdkafka() throws Exception {
        assertTrue(
                Files.isExecutable(Path.of(PYTHON)),
                PYTHON + " with confluent_kafka must exist (bin/strand-test installs python3-confluent-kafka)");
        String topic = "librdkafka-txn";
        cluster.createTopic(topic, 2, 3);
        String out = run(
                List.of(
                        PYTHON,
                        Path.of("..", "clients", "python", "txn_producer.py").toString(),
                        cluster.bootstrapServers(),
                        topic,
                        "2",
                        "8",
                        "6"),
                null);
        assertTrue(out.contains("committed 24"), out);
        java.util.Map<Integer, List<String>> expected = new java.util.TreeMap<>();
        for (int t = 0; t < 8; t += 2) {
            for (int i = 0; i < 6; i++) {
                expected.computeIfAbsent(i % 2, x -> new java.util.ArrayList<>())
                        .add("t" + t + "-" + i);
            }
        }
        java.util.Map<Integer, List<String>> got = new java.util.TreeMap<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer =
                cluster.consumer(java.util.Map.of(
                        org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                        org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            List<org.apache.kafka.common.TopicPartition> tps = List.of(
                    new org.apache.kafka.common.TopicPartition(topic, 0),
                    new org.apache.kafka.common.TopicPartition(topic, 1));
            consumer.assign(tps);
            int n = 0;
            long deadline = System.currentTimeMillis() + 30_000;
            while (n < 24 && System.currentTimeMillis() < deadline) {
                for (var r : consumer.poll(java.time.Duration.ofMillis(200))) {
                    got.computeIfAbsent(r.partition(), x -> new java.util.ArrayList<>())
                            .add(new String(r.value(), StandardCharsets.UTF_8));
                    n++;
                }
            }
            consumer.poll(java.time.Duration.ofMillis(500))
                    .forEach(r -> got.computeIfAbsent(r.partition(), x -> new java.util.ArrayList<>())
                            .add(new String(r.value(), StandardCharsets.UTF_8)));
        }
        assertEquals(expected, got, "read_committed sees exactly librdkafka's committed transactions");
    }

    /** Debian's Python, where python3-confluent-kafka installs (not a pyenv or venv one). */
    private static final String PYTHON = "/usr/bin/python3";
}
