package io.strand.server.config;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code log.retention.check.interval.ms} sets how often retention runs: with 500 ms, records
 * older than the topic's {@code retention.ms} are gone within seconds (Kafka's default, 5 minutes,
 * would keep them for the whole test).
 */
@ExtendWith(StrandClusterExtension.class)
class RetentionCheckIntervalTest {
    @Test
    void shouldDeleteExpiredSegmentsAtTheConfiguredInterval(
            @BrokerCluster(properties = {"log.retention.check.interval.ms=500", "min.insync.replicas=1"})
                    StrandTestCluster cluster)
            throws Exception {
        TopicPartition tp = new TopicPartition("expiring", 0);
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic("expiring", 1, (short) 1)
                            .configs(Map.of("retention.ms", "60000", "segment.bytes", "1024"))))
                    .all()
                    .get();
        }
        long anHourAgo = System.currentTimeMillis() - 3_600_000L;
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of("linger.ms", "0"))) {
            for (int i = 0; i < 20; i++) {
                // one batch per send (each waited for), 600 bytes each: a segment holds one batch
                producer.send(new ProducerRecord<>("expiring", 0, anHourAgo, null, new byte[600]))
                        .get();
            }
        }
        try (Admin admin = cluster.admin()) {
            // every segment but the active one (which holds the last batch, offset 19) is expired
            Wait.waitUntil(
                    "retention moved the log start offset of " + tp + " to 19",
                    Duration.ofSeconds(20),
                    () -> earliest(admin, tp) == 19);
        }
    }

    private static long earliest(Admin admin, TopicPartition tp) {
        try {
            return admin.listOffsets(Map.of(tp, OffsetSpec.earliest()))
                    .partitionResult(tp)
                    .get()
                    .offset();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
