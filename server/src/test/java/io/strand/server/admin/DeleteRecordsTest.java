package io.strand.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.Broker;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** DeleteRecords moves the log start on the leader and, through fetches, on the followers. */
@ExtendWith(StrandClusterExtension.class)
class DeleteRecordsTest {
    @Test
    void shouldMoveTheLogStartOnEveryReplicaAndRefuseOffsetsPastTheHighWatermark(
            @BrokerCluster(brokers = 3, properties = "min.insync.replicas=2") StrandTestCluster cluster)
            throws Exception {
        cluster.createTopic("trimmed", 1, 3);
        TopicPartition tp = new TopicPartition("trimmed", 0);
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>("trimmed", 0, null, ("r" + i).getBytes()));
            }
            producer.flush();
        }
        try (Admin admin = cluster.admin()) {
            long low = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(40)))
                    .lowWatermarks()
                    .get(tp)
                    .get()
                    .lowWatermark();
            assertEquals(40, low);
            ExecutionException tooFar = org.junit.jupiter.api.Assertions.assertThrows(
                    ExecutionException.class,
                    () -> admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(1000)))
                            .all()
                            .get());
            assertTrue(tooFar.getCause() instanceof OffsetOutOfRangeException, tooFar.toString());
        }
        Wait.waitUntil("every replica starts at 40", Duration.ofSeconds(20), () -> {
            for (Broker b : cluster.brokers()) {
                if (b.replicaManager()
                                .partition(tp)
                                .map(p -> p.log().logStartOffset())
                                .orElse(-1L)
                        != 40L) {
                    return false;
                }
            }
            return true;
        });
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            consumer.assign(List.of(tp));
            assertEquals(40L, consumer.beginningOffsets(List.of(tp)).get(tp), "earliest offset");
            consumer.seekToBeginning(List.of(tp));
            assertEquals(
                    "r40",
                    new String(consumer.poll(Duration.ofSeconds(5))
                            .iterator()
                            .next()
                            .value()));
        }
    }
}
