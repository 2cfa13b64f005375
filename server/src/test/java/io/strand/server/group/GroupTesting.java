package io.strand.server.group;

import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Helpers shared by the group tests. */
final class GroupTesting {
    private GroupTesting() {}

    /** Broker overrides for fast group tests: no initial rebalance delay, short sessions allowed. */
    static Map<String, String> overrides(int offsetsReplicationFactor) {
        Map<String, String> m = new HashMap<>();
        m.put("offsets.topic.replication.factor", Integer.toString(offsetsReplicationFactor));
        m.put("offsets.topic.num.partitions", "10");
        m.put("group.initial.rebalance.delay.ms", "0");
        m.put("group.min.session.timeout.ms", "1000");
        return m;
    }

    /** Produces records whose values are the decimal numbers from..from+count-1, round-robin over the partitions. */
    static void produce(StrandTestCluster cluster, String topic, int partitions, int from, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = cluster.producer(Map.of(
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                "false",
                ProducerConfig.LINGER_MS_CONFIG,
                "2"))) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                acks.add(p.send(new ProducerRecord<>(
                        topic, i % partitions, null, Integer.toString(i).getBytes(StandardCharsets.UTF_8))));
            }
            for (java.util.concurrent.Future<?> f : acks) {
                f.get();
            }
        }
    }

    /** Polls until at least {@code atLeast} records came; fails saying how many did. */
    static List<ConsumerRecord<byte[], byte[]>> pollUntil(
            KafkaConsumer<byte[], byte[]> c, int atLeast, Duration timeout) throws InterruptedException {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        Wait.waitUntil(
                "the consumer received " + atLeast + " records",
                timeout,
                () -> {
                    c.poll(Duration.ofMillis(100)).forEach(out::add);
                    return out.size() >= atLeast;
                },
                () -> "received " + out.size());
        return out;
    }

    static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .toList();
    }
}
