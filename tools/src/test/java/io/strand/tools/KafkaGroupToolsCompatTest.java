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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kafka 4.4's {@code kafka-consumer-groups} (ConsumerGroupCommand) run in this JVM against groups of
 * the KIP-848 consumer protocol on Strand: list with the group type, describe offsets, members and
 * state, output checked line by line.
 */
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
}
