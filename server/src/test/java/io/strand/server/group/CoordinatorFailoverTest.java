package io.strand.server.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.StrandTestCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The broker coordinating a group is {@code kill -9}ed (three broker processes, __consumer_offsets
 * with replication factor 3): the group moves to the new leader of its partition, which loads the
 * group and its committed offsets, and the consumer carries on without losing or repeating records.
 */
class CoordinatorFailoverTest {
    private static final String TOPIC = "payments";
    private static final String GROUP = "ledger";

    @Test
    void shouldMoveTheGroupToANewCoordinatorAndResumeFromCommittedOffsets() throws Exception {
        Map<String, String> settings = new HashMap<>(GroupTesting.overrides(3));
        settings.put("replica.lag.time.max.ms", "3000");
        try (ProcessTestCluster cluster = new ProcessTestCluster(3, settings);
                Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 3))).all().get();
            produce(cluster, 0, 300);
            List<String> consumed = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(cluster)) {
                // given a consumer that has read and committed 300 records
                consumer.subscribe(List.of(TOPIC));
                pollInto(consumer, consumed, 300);
                consumer.commitSync();
                ConsumerGroupDescription before =
                        admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
                int oldCoordinator = before.coordinator().id();

                // when its coordinator's broker is killed
                cluster.broker(oldCoordinator).kill();

                // then another broker coordinates the group, with its members and committed offsets loaded
                StrandTestCluster.waitUntil("a new coordinator serves the group", Duration.ofSeconds(60), () -> {
                    try {
                        ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(GROUP))
                                .all()
                                .get()
                                .get(GROUP);
                        return d.coordinator().id() != oldCoordinator && d.groupState() == GroupState.STABLE;
                    } catch (Exception e) {
                        consumer.poll(Duration.ofMillis(50));
                        return false;
                    }
                });
                ConsumerGroupDescription after =
                        admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
                assertNotEquals(oldCoordinator, after.coordinator().id());
                assertEquals(
                        before.members().iterator().next().consumerId(),
                        after.members().iterator().next().consumerId());
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                        .partitionsToOffsetAndMetadata()
                        .get();
                assertEquals(
                        300,
                        committed.values().stream()
                                .mapToLong(OffsetAndMetadata::offset)
                                .sum());

                // and the consumer carries on: every new record once, and commits go to the new coordinator
                produce(cluster, 300, 300);
                pollInto(consumer, consumed, 600);
                consumer.commitSync();
            }
            assertEquals(600, consumed.size(), "no record read twice");
            assertEquals(600, new HashSet<>(consumed).size());

            // a new member of the group starts where the group committed
            produce(cluster, 600, 30);
            try (KafkaConsumer<byte[], byte[]> again = consumer(cluster)) {
                again.subscribe(List.of(TOPIC));
                List<String> rest = new ArrayList<>();
                pollInto(again, rest, 30);
                Set<Integer> values = new HashSet<>();
                rest.forEach(v -> values.add(Integer.parseInt(v)));
                assertEquals(30, rest.size(), "read " + rest);
                assertTrue(values.stream().allMatch(v -> v >= 600), "re-read old records: " + rest);
            }
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(ProcessTestCluster cluster) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    private static void pollInto(KafkaConsumer<byte[], byte[]> c, List<String> out, int until) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (out.size() < until && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                out.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        assertEquals(until, out.size(), "records consumed");
    }

    private static void produce(ProcessTestCluster cluster, int from, int count) throws Exception {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                acks.add(producer.send(new ProducerRecord<>(
                        TOPIC, i % 3, null, Integer.toString(i).getBytes(StandardCharsets.UTF_8))));
            }
            for (java.util.concurrent.Future<?> f : acks) {
                f.get();
            }
        }
    }
}
