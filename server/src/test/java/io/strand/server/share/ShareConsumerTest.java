package io.strand.server.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kafka's own {@code KafkaShareConsumer} (4.4) against Strand: members of one share group read a
 * topic's records between them, each record accepted once; with explicit acknowledgement a released
 * record comes back (delivery count 2) and a rejected one never does.
 */
@ExtendWith(StrandClusterExtension.class)
class ShareConsumerTest {
    private static KafkaShareConsumer<String, String> consumer(
            StrandTestCluster cluster, String group, boolean explicit) {
        Properties p = new Properties();
        p.put("bootstrap.servers", cluster.bootstrapServers());
        p.put("group.id", group);
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("share.acknowledgement.mode", explicit ? "explicit" : "implicit");
        return new KafkaShareConsumer<>(p);
    }

    private static void produce(StrandTestCluster cluster, String topic, int partitions, int n) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of("acks", "all"))) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, null, ("r" + i).getBytes()));
            }
            producer.flush();
        }
    }

    /** The group starts at offset 0 of every partition (Strand has no share.auto.offset.reset group config). */
    private static void fromEarliest(StrandTestCluster cluster, String group, String topic, int partitions)
            throws Exception {
        Map<TopicPartition, Long> zero = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            zero.put(new TopicPartition(topic, p), 0L);
        }
        try (Admin admin = cluster.admin()) {
            admin.alterShareGroupOffsets(group, zero).all().get();
        }
    }

    @Test
    void shouldShareTheRecordsOfATopicAmongTheMembers(
            @BrokerCluster(
                            brokers = 2,
                            properties = {
                                "share.coordinator.state.topic.num.partitions=3",
                                "share.coordinator.state.topic.replication.factor=2",
                                "share.coordinator.state.topic.min.isr=1",
                                "offsets.topic.replication.factor=2",
                                "offsets.topic.num.partitions=3"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        String topic = "share-consume";
        cluster.createTopic(topic, 3, 2);
        produce(cluster, topic, 3, 300);
        fromEarliest(cluster, "sc", topic, 3);

        Map<String, Integer> seen = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> members = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int m = 0; m < 2; m++) {
            Thread t = new Thread(
                    () -> {
                        try (KafkaShareConsumer<String, String> c = consumer(cluster, "sc", false)) {
                            c.subscribe(Set.of(topic));
                            while (!stop.get()) {
                                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                                    seen.merge(r.value(), 1, Integer::sum);
                                }
                                c.commitSync();
                            }
                        } catch (Throwable e) {
                            synchronized (failures) {
                                failures.add(e);
                            }
                        }
                    },
                    "share-member-" + m);
            t.start();
            members.add(t);
        }
        try {
            Wait.waitUntil("the members read all 300 records", Duration.ofSeconds(90), () -> seen.size() == 300);
        } finally {
            stop.set(true);
            for (Thread t : members) {
                t.join(30_000);
            }
        }
        assertTrue(failures.isEmpty(), "member failures: " + failures);
        seen.forEach((v, n) -> assertEquals(1, n, v + " delivered " + n + " times"));
        try (Admin admin = cluster.admin()) {
            Wait.waitUntil("every start offset reaches the end", Duration.ofSeconds(30), () -> {
                List<TopicPartition> tps = List.of(
                        new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2));
                var offsets = admin.listShareGroupOffsets(
                                Map.of("sc", new ListShareGroupOffsetsSpec().topicPartitions(tps)))
                        .partitionsToOffsetInfo("sc")
                        .get();
                return tps.stream()
                        .allMatch(
                                tp -> offsets.get(tp) != null && offsets.get(tp).startOffset() == 100);
            });
        }
    }

    @Test
    void shouldRedeliverReleasedRecordsAndNeverRejectedOnes(
            @BrokerCluster(
                            properties = {
                                "share.coordinator.state.topic.num.partitions=1",
                                "share.coordinator.state.topic.replication.factor=1",
                                "share.coordinator.state.topic.min.isr=1",
                                "offsets.topic.replication.factor=1",
                                "offsets.topic.num.partitions=1"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        String topic = "share-explicit";
        cluster.createTopic(topic, 1, 1);
        produce(cluster, topic, 1, 10);
        fromEarliest(cluster, "se", topic, 1);
        Map<String, List<Short>> deliveries = new HashMap<>();
        try (KafkaShareConsumer<String, String> c = consumer(cluster, "se", true)) {
            c.subscribe(Set.of(topic));
            Wait.waitUntil("every record is accepted or rejected", Duration.ofSeconds(60), () -> {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    List<Short> counts = deliveries.computeIfAbsent(r.value(), v -> new ArrayList<>());
                    counts.add(r.deliveryCount().orElse((short) -1));
                    int i = Integer.parseInt(r.value().substring(1));
                    if (i % 5 == 0) {
                        c.acknowledge(r, AcknowledgeType.REJECT);
                    } else if (i % 3 == 0 && counts.size() == 1) {
                        c.acknowledge(r, AcknowledgeType.RELEASE);
                    } else {
                        c.acknowledge(r, AcknowledgeType.ACCEPT);
                    }
                }
                c.commitSync();
                return deliveries.size() == 10
                        && deliveries.entrySet().stream().allMatch(e -> {
                            int i = Integer.parseInt(e.getKey().substring(1));
                            return i % 5 == 0 || i % 3 != 0 || e.getValue().size() == 2;
                        });
            });
            // while the member is in the group: its offsets cannot be reset, and a describe without topics
            // covers the topics it subscribes to
            try (Admin admin = cluster.admin()) {
                ExecutionException refused = assertThrows(
                        ExecutionException.class,
                        () -> admin.alterShareGroupOffsets("se", Map.of(new TopicPartition(topic, 0), 0L))
                                .all()
                                .get());
                assertInstanceOf(GroupNotEmptyException.class, refused.getCause());
                var all = admin.listShareGroupOffsets(Map.of("se", new ListShareGroupOffsetsSpec()))
                        .partitionsToOffsetInfo("se")
                        .get();
                assertEquals(10, all.get(new TopicPartition(topic, 0)).startOffset());
            }
        }
        deliveries.forEach((v, counts) -> {
            int i = Integer.parseInt(v.substring(1));
            if (i % 3 == 0 && i % 5 != 0) {
                assertEquals(List.of((short) 1, (short) 2), counts, v);
            } else {
                assertEquals(List.of((short) 1), counts, v);
            }
        });
    }
}
