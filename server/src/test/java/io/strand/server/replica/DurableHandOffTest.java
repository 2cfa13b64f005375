package io.strand.server.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nothing but durability on the WAL's flusher threads: after an fsync, the high-watermark advance,
 * the acks=all completion and the wake-up of parked fetches run on the broker's request threads.
 */
@ExtendWith(StrandClusterExtension.class)
class DurableHandOffTest {
    @Test
    void shouldAdvanceTheHighWatermarkAndWakeParkedFetchesOnRequestThreadsNotOnTheFlusher(
            @BrokerCluster StrandTestCluster cluster) throws Exception {
        {
            cluster.createTopic("handoff", 1, 1);
            TopicPartition tp = new TopicPartition("handoff", 0);
            Partition p = cluster.broker(1).replicaManager().partition(tp).orElseThrow();

            // completes on the thread that moves the high watermark past the first record
            AtomicReference<String> advancedOn = new AtomicReference<>();
            CompletableFuture<Void> advanced = p.awaitAcknowledgement(p.log().logEndOffset() + 1, (short) -1)
                    .thenRun(() -> advancedOn.set(Thread.currentThread().getName()));
            assertFalse(advanced.isDone(), "nothing appended yet");
            // the same callback a parked fetch registers
            List<String> wokenOn = new CopyOnWriteArrayList<>();
            p.addChangeListener(() -> wokenOn.add(Thread.currentThread().getName()));

            KafkaConsumer<byte[], byte[]> consumer =
                    cluster.consumer(Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "30000"));
            try {
                consumer.assign(List.of(tp));
                consumer.poll(Duration.ofMillis(300)); // its next fetch parks on the empty partition for 30 s
                try (KafkaProducer<byte[], byte[]> producer =
                        cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
                    producer.send(new ProducerRecord<>("handoff", 0, null, "x".getBytes()))
                            .get(30, TimeUnit.SECONDS);
                }
                advanced.get(30, TimeUnit.SECONDS);
                long start = System.nanoTime();
                ConsumerRecords<byte[], byte[]> got = ConsumerRecords.empty();
                while (got.isEmpty() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
                    got = consumer.poll(Duration.ofMillis(500));
                }
                assertFalse(got.isEmpty(), "the parked fetch was woken by the high-watermark move");
                assertArrayEquals("x".getBytes(), got.iterator().next().value());
            } finally {
                consumer.close(Duration.ZERO); // its next fetch is parked: do not wait for it
            }

            assertTrue(
                    advancedOn.get().startsWith("strand-request-handler-"),
                    "high watermark advanced on " + advancedOn.get());
            assertFalse(wokenOn.isEmpty());
            for (String thread : wokenOn) {
                assertFalse(thread.startsWith("strand-wal-flusher-"), "parked fetches woken on " + thread);
            }
        }
    }
}
