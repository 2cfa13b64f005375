package io.strand.server.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strand.server.testing.StrandTestCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Compressed batches are stored as sent and read back intact, with every codec the Java client has. */
class CompressionTest {
    private static StrandTestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = StrandTestCluster.start(3, Map.of("default.replication.factor", "3", "min.insync.replicas", "2"));
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void shouldRoundTripCompressedBatches(String codec) throws Exception {
        String topic = "compressed-" + codec;
        cluster.createTopic(topic, 2, 3);
        int n = 3000;
        try (KafkaProducer<byte[], byte[]> producer =
                cluster.producer(Map.of("compression.type", codec, "linger.ms", "10", "batch.size", "65536"))) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(
                        topic,
                        ("k" + i).getBytes(),
                        ("value-" + i + "-" + "x".repeat(100)).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
        Set<String> seen = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            List<TopicPartition> tps =
                    new ArrayList<>(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1)));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.currentTimeMillis() + 30_000;
            while (seen.size() < n && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            assertEquals(
                    n, consumer.position(tps.get(0)) + consumer.position(tps.get(1)), "offsets cover every record");
        }
        assertEquals(n, seen.size(), codec + ": every record back");
    }
}
