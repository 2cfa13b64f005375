package io.strand.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.SlowTest;
import io.strand.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The logs of a new topic's partitions: every partition of a new topic takes acks=all writes, and a topic deleted
 * while its logs are being created leaves no log behind.
 */
@ExtendWith(StrandClusterExtension.class)
@SlowTest
class NewTopicLogsTest {
    private static final int PARTITIONS = 200;

    @Test
    void shouldServeEveryPartitionOfANewTopicAndLeaveNoLogOfADeletedOne(
            @BrokerCluster(brokers = 3, properties = "min.insync.replicas=2") StrandTestCluster cluster)
            throws Exception {
        cluster.createTopic("fresh", PARTITIONS, 3);
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(
                Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                sent.add(producer.send(new ProducerRecord<>("fresh", p, null, new byte[] {(byte) p})));
            }
            for (int p = 0; p < PARTITIONS; p++) {
                assertEquals(p, sent.get(p).get().partition());
                assertEquals(0, sent.get(p).get().offset(), "the first record of partition " + p);
            }
        }
        try (Admin admin = cluster.admin()) {
            for (int round = 0; round < 3; round++) {
                String topic = "fleeting-" + round;
                cluster.createTopic(topic, PARTITIONS, 3);
                admin.deleteTopics(List.of(topic)).all().get();
            }
        }
        Pattern live = Pattern.compile("fleeting-\\d+-\\d+"); // a deleted log is renamed <dir>.<id>-delete first
        Wait.waitUntil(
                "no log of a deleted topic is left on any broker",
                Duration.ofSeconds(60),
                () -> liveLogs(cluster, live).isEmpty(),
                () -> "left: " + liveLogs(cluster, live));
    }

    /** The log directories of {@code cluster}'s brokers whose names match {@code live}. */
    private static List<String> liveLogs(StrandTestCluster cluster, Pattern live) {
        List<String> left = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            try (Stream<Path> files = Files.walk(cluster.dataDir(id))) {
                int broker = id;
                files.filter(Files::isDirectory)
                        .map(f -> f.getFileName().toString())
                        .filter(n -> live.matcher(n).matches())
                        .forEach(n -> left.add("broker " + broker + ": " + n));
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                left.add("(broker " + id + " not listable: " + e + ")"); // a directory renamed while walked: again
            }
        }
        return left;
    }
}
