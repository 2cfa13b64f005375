package io.strand.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The walking skeleton end to end: a stock Java client creates, produces and consumes; a restart keeps the data. */
@ExtendWith(StrandClusterExtension.class)
class ProduceConsumeTest {
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 10_000;

    @Test
    void shouldReadBackEveryRecordByteForByteAcrossABrokerRestart(@BrokerCluster(brokers = 3) StrandTestCluster cluster)
            throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)))
                    .all()
                    .get();
        }

        // given 10,000 records of varied sizes, keys and headers, acknowledged with acks=1
        Random random = new Random(42);
        Map<TopicPartition, List<ProducerRecord<byte[], byte[]>>> sent = new HashMap<>();
        Map<TopicPartition, List<Long>> offsets = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.LINGER_MS_CONFIG, "5"))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                byte[] value = new byte[random.nextInt(2000)];
                random.nextBytes(value);
                byte[] key = i % 7 == 0 ? null : ("key-" + i).getBytes(StandardCharsets.UTF_8);
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(TOPIC, i % PARTITIONS, key, value);
                r.headers().add("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                records.add(r);
                acks.add(producer.send(r));
            }
            for (int i = 0; i < RECORDS; i++) {
                RecordMetadata md = acks.get(i).get();
                TopicPartition tp = new TopicPartition(TOPIC, md.partition());
                sent.computeIfAbsent(tp, t -> new ArrayList<>()).add(records.get(i));
                offsets.computeIfAbsent(tp, t -> new ArrayList<>()).add(md.offset());
            }
        }
        // offsets are dense per partition, in send order
        offsets.forEach((tp, list) -> {
            for (int i = 0; i < list.size(); i++) {
                assertEquals(i, list.get(i), "offset of record " + i + " in " + tp);
            }
        });

        assertReadBack(cluster, sent);

        // when every broker restarts, then the records are all still there
        for (int id = 1; id <= 3; id++) {
            cluster.restartBroker(id);
        }
        assertReadBack(cluster, sent);
    }

    private static void assertReadBack(
            StrandTestCluster cluster, Map<TopicPartition, List<ProducerRecord<byte[], byte[]>>> sent)
            throws Exception {
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            List<TopicPartition> tps = new ArrayList<>(sent.keySet());
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> got = new HashMap<>();
            int[] total = {0};
            Wait.waitUntil(
                    RECORDS + " records read back",
                    Duration.ofSeconds(60),
                    () -> {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                            got.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), t -> new ArrayList<>())
                                    .add(r);
                            total[0]++;
                        }
                        return total[0] >= RECORDS;
                    },
                    () -> total[0] + " read");
            assertEquals(RECORDS, total[0], "records read back");
            for (TopicPartition tp : tps) {
                List<ProducerRecord<byte[], byte[]>> expected = sent.get(tp);
                List<ConsumerRecord<byte[], byte[]>> actual = got.get(tp);
                assertEquals(expected.size(), actual.size(), "records in " + tp);
                for (int i = 0; i < expected.size(); i++) {
                    ProducerRecord<byte[], byte[]> e = expected.get(i);
                    ConsumerRecord<byte[], byte[]> a = actual.get(i);
                    assertEquals(i, a.offset());
                    assertArrayEquals(e.key(), a.key(), "key at " + tp + "@" + i);
                    assertArrayEquals(e.value(), a.value(), "value at " + tp + "@" + i);
                    assertArrayEquals(
                            e.headers().lastHeader("seq").value(),
                            a.headers().lastHeader("seq").value());
                }
            }
        }
    }
}
