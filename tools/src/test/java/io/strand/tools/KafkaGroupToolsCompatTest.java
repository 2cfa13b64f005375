package io.strand.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kafka 4.4's {@code kafka-consumer-groups} (ConsumerGroupCommand) and {@code kafka-share-groups}
 * (ShareGroupCommand) run in this JVM against Strand: a group of the KIP-848 consumer protocol listed
 * with its type, its offsets, members and state described; a share group listed, described, its start
 * offsets reset (to the earliest before its first member reads from there) and deleted, and the group
 * deleted. Output checked line by line.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class KafkaGroupToolsCompatTest {
    @BrokerCluster(
            brokers = 3,
            properties = {"offsets.topic.replication.factor=3", "offsets.topic.num.partitions=4"})
    private static StrandTestCluster cluster;

    private static KafkaTool.Result consumerGroups(String... args) throws Exception {
        return KafkaTool.run(
                KafkaTool.CONSUMER_GROUP_COMMAND,
                CliHarness.with(new String[] {"--bootstrap-server", cluster.bootstrapServers()}, args));
    }

    private static KafkaTool.Result shareGroups(String... args) throws Exception {
        return KafkaTool.run(
                KafkaTool.SHARE_GROUP_COMMAND,
                CliHarness.with(new String[] {"--bootstrap-server", cluster.bootstrapServers()}, args));
    }

    private static List<String> rows(KafkaTool.Result r, String containing) {
        return r.outLines().stream().filter(l -> l.contains(containing)).toList();
    }

    @Test
    void kafkaConsumerGroupsListsAndDescribesAConsumerProtocolGroup() throws Exception {
        String topic = "ktg-orders";
        String group = "ktg-workers";
        cluster.createTopic(topic, 3, 3);
        try (KafkaProducer<byte[], byte[]> p = cluster.producer(Map.of())) {
            for (int i = 0; i < 30; i++) {
                p.send(new ProducerRecord<>(topic, i % 3, null, ("v" + i).getBytes()));
            }
            p.flush();
        }
        try (KafkaConsumer<byte[], byte[]> c = cluster.consumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer",
                ConsumerConfig.CLIENT_ID_CONFIG, "ktg-client"))) {
            c.subscribe(List.of(topic));
            int[] read = {0};
            Wait.waitUntil("the member reads the 30 records", Duration.ofSeconds(60), () -> {
                read[0] += c.poll(Duration.ofMillis(100)).count();
                return read[0] >= 30;
            });
            c.commitSync();

            KafkaTool.Result list = consumerGroups("--list", "--type");
            assertEquals(0, list.code(), list::toString);
            String listed = rows(list, group).get(0);
            assertTrue(listed.contains("Consumer"), "listed with the consumer type: " + list);

            KafkaTool.Result offsets = consumerGroups("--describe", "--group", group);
            assertEquals(0, offsets.code(), offsets::toString);
            List<String> partitions = rows(offsets, topic);
            assertEquals(3, partitions.size(), offsets::toString);
            for (String row : partitions) {
                String[] f = row.trim().split("\\s+");
                // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
                assertEquals(group, f[0]);
                assertEquals("10", f[3], row);
                assertEquals("10", f[4], row);
                assertEquals("0", f[5], row);
                assertEquals("ktg-client", f[f.length - 1], row);
            }

            KafkaTool.Result members = consumerGroups("--describe", "--group", group, "--members", "--verbose");
            assertEquals(0, members.code(), members::toString);
            String member = rows(members, "ktg-client").get(0);
            assertTrue(member.contains(topic + ":0,1,2"), "the member's assignment: " + members);

            KafkaTool.Result state = consumerGroups("--describe", "--group", group, "--state");
            assertEquals(0, state.code(), state::toString);
            String row = rows(state, group).get(0);
            assertTrue(row.contains("uniform") && row.contains("Stable"), state::toString);
        }
    }

    @Test
    void kafkaShareGroupsListsDescribesResetsAndDeletesAShareGroup() throws Exception {
        String topic = "ktg-queue";
        String group = "ktg-share";
        cluster.createTopic(topic, 1, 3);
        java.util.Properties props = new java.util.Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaShareConsumer<byte[], byte[]> c = new KafkaShareConsumer<>(props)) {
            c.subscribe(List.of(topic));
            Wait.waitUntil("the share group starts reading", Duration.ofSeconds(60), () -> {
                c.poll(Duration.ofMillis(100));
                KafkaTool.Result d = shareGroups("--describe", "--group", group);
                return d.code() == 0
                        && rows(d, topic).stream()
                                .anyMatch(l -> l.trim().split("\\s+").length >= 4
                                        && !l.trim().split("\\s+")[3].equals("-"));
            });
            try (KafkaProducer<byte[], byte[]> p = cluster.producer(Map.of())) {
                for (int i = 0; i < 5; i++) {
                    p.send(new ProducerRecord<>(topic, 0, null, ("q" + i).getBytes()));
                }
                p.flush();
            }
            int[] read = {0};
            Wait.waitUntil("the share consumer reads the 5 records", Duration.ofSeconds(60), () -> {
                read[0] += c.poll(Duration.ofMillis(100)).count();
                return read[0] >= 5;
            });
            c.commitSync();

            KafkaTool.Result list = shareGroups("--list");
            assertEquals(0, list.code(), list::toString);
            assertTrue(list.outLines().stream().anyMatch(l -> l.trim().equals(group)), list::toString);

            KafkaTool.Result members = shareGroups("--describe", "--group", group, "--members");
            assertEquals(0, members.code(), members::toString);
            assertTrue(rows(members, group).get(0).contains(topic + ":0"), members::toString);

            KafkaTool.Result state = shareGroups("--describe", "--group", group, "--state");
            assertEquals(0, state.code(), state::toString);
            assertTrue(rows(state, group).get(0).contains("Stable"), state::toString);
        }
        // once the consumer has left: the start offset is where it read to, it can be reset, and the group deleted
        KafkaTool.Result[] last = {null};
        Wait.waitUntil(
                "the start offset reaches the 5 records read",
                Duration.ofSeconds(30),
                () -> {
                    last[0] = shareGroups("--describe", "--group", group);
                    return last[0].code() == 0
                            && rows(last[0], topic).stream()
                                    .anyMatch(l -> l.trim().split("\\s+")[3].equals("5"));
                },
                () -> String.valueOf(last[0]));

        KafkaTool.Result reset =
                shareGroups("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute");
        assertEquals(0, reset.code(), reset::toString);
        KafkaTool.Result after = shareGroups("--describe", "--group", group);
        assertEquals("0", rows(after, topic).get(0).trim().split("\\s+")[3], after::toString);

        KafkaTool.Result deleted = shareGroups("--delete", "--group", group);
        assertEquals(0, deleted.code(), deleted::toString);
        KafkaTool.Result gone = shareGroups("--list");
        assertTrue(gone.outLines().stream().noneMatch(l -> l.trim().equals(group)), gone::toString);
        KafkaTool.Result noState = shareGroups("--describe", "--group", group);
        assertTrue(
                noState.out().contains("does not exist") || rows(noState, topic).isEmpty(),
                "its start offsets went with it: " + noState);
        try (org.apache.kafka.clients.admin.Admin admin = cluster.admin()) {
            org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(topic, 0);
            var info = admin.listShareGroupOffsets(Map.of(
                            group,
                            new org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec()
                                    .topicPartitions(List.of(tp))))
                    .partitionsToOffsetInfo(group)
                    .get()
                    .get(tp);
            assertTrue(info == null || info.startOffset() < 0, "no start offset left in __share_group_state: " + info);
        }
    }

    @Test
    void kafkaShareGroupsResetsDescribesAndDeletesShareGroupOffsets() throws Exception {
        String topic = "kst-jobs";
        String group = "kst-workers";
        cluster.createTopic(topic, 2, 2);
        try (KafkaProducer<byte[], byte[]> p = cluster.producer(Map.of())) {
            for (int i = 0; i < 20; i++) {
                p.send(new ProducerRecord<>(topic, i % 2, null, ("v" + i).getBytes()));
            }
            p.flush();
        }
        KafkaTool.Result reset =
                shareGroups("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute");
        assertEquals(0, reset.code(), reset::toString);

        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", cluster.bootstrapServers());
        props.put("group.id", group);
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        try (KafkaShareConsumer<byte[], byte[]> c = new KafkaShareConsumer<>(props)) {
            c.subscribe(List.of(topic));
            int[] read = {0};
            Wait.waitUntil("the member reads the 20 records", Duration.ofSeconds(60), () -> {
                read[0] += c.poll(Duration.ofMillis(100)).count();
                c.commitSync();
                return read[0] >= 20;
            });
            assertEquals(20, read[0]);
        }

        KafkaTool.Result[] last = new KafkaTool.Result[1];
        try {
            Wait.waitUntil(
                    "kafka-share-groups --describe shows start offset 10 on both partitions",
                    Duration.ofSeconds(30),
                    () -> {
                        last[0] = shareGroups("--describe", "--group", group);
                        List<String> partitions = rows(last[0], topic);
                        return last[0].code() == 0
                                && partitions.size() == 2
                                && partitions.stream()
                                        .allMatch(row -> List.of(row.trim().split("\\s+"))
                                                .contains("10"));
                    });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last: " + last[0], e);
        }

        KafkaTool.Result delete = shareGroups("--delete-offsets", "--group", group, "--topic", topic);
        assertEquals(0, delete.code(), delete::toString);
        KafkaTool.Result after = shareGroups("--describe", "--group", group);
        assertEquals(0, after.code(), after::toString);
        // no start offset left: the group still lists the topic it read, with "-" (GROUP TOPIC PARTITION START-OFFSET
        // ...)
        assertTrue(
                rows(after, topic).stream()
                        .allMatch(row -> row.trim().split("\\s+")[3].equals("-")),
                after::toString);
    }
}
