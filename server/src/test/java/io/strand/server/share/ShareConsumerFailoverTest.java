package io.strand.server.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.Broker;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@code KafkaShareConsumer} reading while the partition's leader stops (three brokers, in-process):
 * every record is read, and none whose acknowledgement {@code commitSync} reported done is delivered
 * again by the next leader.
 */
@ExtendWith(StrandClusterExtension.class)
class ShareConsumerFailoverTest {

    @Test
    void shouldNeverRedeliverAcknowledgedRecordsWhenTheLeaderStops(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "min.insync.replicas=2",
                                "share.coordinator.state.topic.num.partitions=3",
                                "share.coordinator.state.topic.replication.factor=3",
                                "share.coordinator.state.topic.min.isr=2",
                                "offsets.topic.num.partitions=3"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        String topic = "share-consumer-failover";
        TopicPartition tp = new TopicPartition(topic, 0);
        cluster.createTopic(topic, 1, 3);
        produce(cluster, topic, 0, 200);
        try (Admin admin = cluster.admin()) {
            admin.alterShareGroupOffsets("scf", Map.of(tp, 0L)).all().get();
        }
        Properties props = new Properties();
        props.put("bootstrap.servers", cluster.bootstrapServers());
        props.put("group.id", "scf");
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", StringDeserializer.class.getName());
        props.put("max.poll.records", "20");
        props.put("share.acquire.mode", "record_limit"); // 20 records acquired at a time: some in flight at the stop
        Set<String> seen = new HashSet<>();
        Set<String> acknowledged = new HashSet<>();
        List<String> redeliveredAfterAck = new ArrayList<>();
        boolean stopped = false;
        int newLeader = -1;
        try (KafkaShareConsumer<String, String> c = new KafkaShareConsumer<>(props)) {
            c.subscribe(Set.of(topic));
            long deadline = System.currentTimeMillis() + 120_000;
            while (seen.size() < 400 && System.currentTimeMillis() < deadline) {
                List<String> batch = new ArrayList<>();
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    if (acknowledged.contains(r.value())) {
                        redeliveredAfterAck.add(r.value());
                    }
                    seen.add(r.value());
                    batch.add(r.value());
                }
                Map<TopicIdPartition, Optional<KafkaException>> result;
                try {
                    result = c.commitSync(Duration.ofSeconds(10));
                } catch (KafkaException e) {
                    continue; // not known to be acknowledged
                }
                if (!batch.isEmpty() && result.values().stream().allMatch(Optional::isEmpty) && !result.isEmpty()) {
                    acknowledged.addAll(batch);
                }
                if (!stopped && seen.size() >= 100) {
                    int leader = leaderOf(cluster, tp);
                    cluster.stopBroker(leader);
                    stopped = true;
                    Wait.waitUntil("another leader", Duration.ofSeconds(30), () -> {
                        int l = leaderOf(cluster, tp);
                        return l > 0 && l != leader;
                    });
                    newLeader = leaderOf(cluster, tp);
                    produce(cluster, topic, 200, 200); // the rest only the new leader can hand out
                }
            }
        }
        assertTrue(stopped);
        assertTrue(
                cluster.broker(newLeader).sharePartitions().loaded("scf", tp) != null,
                "the new leader serves the share partition from the persisted state");
        assertEquals(400, seen.size(), "every record read");
        assertTrue(redeliveredAfterAck.isEmpty(), "acknowledged, then delivered again: " + redeliveredAfterAck);
        assertTrue(acknowledged.size() >= 100, "acknowledged " + acknowledged.size());
    }

    private static void produce(StrandTestCluster cluster, String topic, int from, int n) {
        try (KafkaProducer<byte[], byte[]> p = cluster.producer(Map.of("acks", "all"))) {
            for (int i = from; i < from + n; i++) {
                p.send(new ProducerRecord<>(topic, 0, null, ("r" + i).getBytes()));
            }
            p.flush();
        }
    }

    private static int leaderOf(StrandTestCluster cluster, TopicPartition tp) {
        for (Broker b : cluster.brokers()) {
            if (b.replicaManager().partition(tp).map(p -> p.isLeader()).orElse(false)) {
                return b.brokerId();
            }
        }
        return -1;
    }
}
