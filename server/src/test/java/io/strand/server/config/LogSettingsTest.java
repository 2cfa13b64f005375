package io.strand.server.config;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The broker-wide log settings take effect: each test sets one far below its default (minutes or a
 * minute) and sees its effect within seconds.
 */
@ExtendWith(StrandClusterExtension.class)
class LogSettingsTest {
    /**
     * {@code log.retention.check.interval.ms} sets how often retention runs, and
     * {@code log.segment.delete.delay.ms} how long deleted segment files stay: with 500 ms and 0,
     * expired segments are gone, files included, within seconds.
     */
    @Test
    void shouldRunRetentionAndRemoveFilesAtTheConfiguredIntervals(
            @BrokerCluster(
                            properties = {
                                "log.retention.check.interval.ms=500",
                                "log.segment.delete.delay.ms=0",
                                "min.insync.replicas=1"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        {
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
            Path dir = cluster.dataDir(1).resolve("expiring-0");
            Wait.waitUntil(
                    "the deleted segments' files are removed from " + dir,
                    Duration.ofSeconds(10),
                    () -> files(dir).noneMatch(f -> f.endsWith(".deleted"))
                            && files(dir).filter(f -> f.endsWith(".log")).count() == 1);
        }
    }

    /** {@code log.flush.offset.checkpoint.interval.ms} sets how often the high watermark is checkpointed. */
    @Test
    void shouldCheckpointAtTheConfiguredInterval(
            @BrokerCluster(properties = {"log.flush.offset.checkpoint.interval.ms=200", "min.insync.replicas=1"})
                    StrandTestCluster cluster)
            throws Exception {
        {
            cluster.createTopic("checkpointed", 1, 1);
            try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of())) {
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>("checkpointed", 0, null, new byte[10]))
                            .get();
                }
            }
            Path checkpoint = cluster.dataDir(1).resolve("checkpointed-0").resolve("log-offsets.checkpoint");
            Wait.waitUntil(checkpoint + " records high watermark 5", Duration.ofSeconds(10), () -> {
                try {
                    return Files.exists(checkpoint)
                            && Files.readAllLines(checkpoint).contains("highWatermark 5");
                } catch (java.io.IOException e) {
                    return false; // replaced while read: look again
                }
            });
        }
    }

    private static Stream<String> files(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList().stream();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
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
