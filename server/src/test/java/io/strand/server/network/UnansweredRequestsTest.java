package io.strand.server.network;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.NettyLeaks;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A broker that stops while a request waits in it (here a consumer's fetch parked for its {@code max_wait_ms} on
 * an empty partition, as a follower's fetch-ahead waits) releases that request's buffer: nothing leaks, though the pool and the timer that would
 * have answered it stop after its connection has closed.
 */
@ExtendWith(StrandClusterExtension.class)
class UnansweredRequestsTest {
    @Test
    void shouldReleaseAParkedFetchWhenTheBrokerStops(@BrokerCluster(brokers = 1) StrandTestCluster cluster)
            throws Exception {
        cluster.createTopic("parked", 1, 1);
        NettyLeaks.check("before the test", List.of()); // whatever earlier tests left is theirs
        TopicPartition tp = new TopicPartition("parked", 0);
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of(
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 60_000,
                // no response reaches that: the fetch waits for its timer alone, which stops with the broker
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, Integer.MAX_VALUE,
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 90_000,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 90_000))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertTrue(consumer.position(tp) == 0, "the partition is empty");
            // the fetch sent by this poll is parked in the broker for up to 60 s: nothing arrives
            assertTrue(consumer.poll(Duration.ofSeconds(2)).isEmpty());
            cluster.stopBroker(1);
            NettyLeaks.check("after the broker stopped with a fetch parked in it", List.of());
            consumer.close(Duration.ZERO);
        }
    }
}
