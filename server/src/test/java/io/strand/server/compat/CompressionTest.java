package io.strand.server.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.ProduceConsumeValidator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Compressed batches are stored as sent and read back intact, with every codec the Java client has. */
@ExtendWith(StrandClusterExtension.class)
class CompressionTest {
    @BrokerCluster(
            brokers = 3,
            properties = {"default.replication.factor=3", "min.insync.replicas=2"})
    private static StrandTestCluster cluster;

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void shouldRoundTripCompressedBatches(String codec) throws Exception {
        String topic = "compressed-" + codec;
        cluster.createTopic(topic, 2, 3);
        int n = 3000;
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (KafkaProducer<byte[], byte[]> producer =
                cluster.producer(Map.of("compression.type", codec, "linger.ms", "10", "batch.size", "65536"))) {
            for (int i = 0; i < n; i++) {
                validator.send(producer, topic, null, "k" + i, "value-" + i + "-" + "x".repeat(100));
            }
            producer.flush();
        }
        validator.assertNoSendFailures();
        assertEquals(n, validator.acknowledgedCount());
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            List<TopicPartition> tps = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            validator.consumeToEnd(consumer, tps, Duration.ofSeconds(30));
            assertEquals(
                    n, consumer.position(tps.get(0)) + consumer.position(tps.get(1)), "offsets cover every record");
        }
        // every record back, once
        validator.assertNoneLost();
        validator.assertNoDuplicates();
        validator.assertNothingUnexpected();
    }
}
