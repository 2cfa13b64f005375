package io.strand.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kafka 4.4's {@code kafka-share-groups} (ShareGroupCommand) run in this JVM against a share group on
 * Strand: {@code --reset-offsets --to-earliest} on the empty group, a {@code KafkaShareConsumer} reads
 * from there, {@code --describe} shows each partition's start offset at the end, {@code --delete-offsets}
 * removes them.
 */
@ExtendWith(StrandClusterExtension.class)
class KafkaShareGroupToolsCompatTest {
    @BrokerCluster(
            brokers = 2,
            properties = {
                "offsets.topic.replication.factor=2",
                "offsets.topic.num.partitions=2",
                "share.coordinator.state.topic.num.partitions=2",
                "share.coordinator.state.topic.replication.factor=2",
                "share.coordinator.state.topic.min.isr=1"
            })
    private static StrandTestCluster cluster;

    private static KafkaTool.Result shareGroups(String... args) throws Exception {
        return KafkaTool.run(
                KafkaTool.SHARE_GROUP_COMMAND,
                CliHarness.with(new String[] {"--bootstrap-server", cluster.bootstrapServers()}, args));
    }

    private static List<String> rows(KafkaTool.Result r, String containing) {
        return r.outLines().stream().filter(l -> l.contains(containing)).toList();
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

        Properties props = new Properties();
        props.put("bootstrap.servers", cluster.bootstrapServers());
        props.put("group.id", group);
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        try (KafkaShareConsumer<byte[], byte[]> c = new KafkaShareConsumer<>(props)) {
            c.subscribe(Set.of(topic));
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
