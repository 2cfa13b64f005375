package io.strand.server.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.Broker;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SlowTest;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A follower and a kafka-clients consumer over 100 partitions, all fetching in incremental sessions:
 * every acknowledged record is replicated and read once, in order, and a follower whose fetches name
 * no partition for a while stays in the ISR.
 */
@ExtendWith(StrandClusterExtension.class)
@SlowTest
class FetchSessionClusterTest {
    private static final String TOPIC = "many";
    private static final int PARTITIONS = 100;
    private static final long LAG_MS = 1000;

    @Test
    void shouldReplicateAndConsumeManyPartitionsThroughIncrementalFetchSessions(
            @BrokerCluster(
                            brokers = 2,
                            properties = {
                                "min.insync.replicas=2",
                                "replica.lag.time.max.ms=" + LAG_MS,
                                "replica.fetch.wait.max.ms=200"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        cluster.createTopic(TOPIC, PARTITIONS, 2);
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new TopicPartition(TOPIC, p));
        }
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(
                        Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "5"));
                KafkaConsumer<byte[], byte[]> consumer =
                        cluster.consumer(Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000"))) {
            // given every partition written and read once
            produce(producer, validator, 0, PARTITIONS * 10, PARTITIONS);
            validator.consumeToEnd(consumer, partitions, Duration.ofSeconds(30));

            // each broker holds a session of each fetcher: the other broker as follower and the consumer
            Wait.waitUntil(
                    "every broker has incremental sessions of its followers and of the consumer",
                    Duration.ofSeconds(10),
                    () -> cluster.brokers().stream().allMatch(b -> gauge(b, "NumIncrementalFetchSessions") >= 2),
                    () -> gauges(cluster));
            Wait.waitUntil(
                    "the sessions cache each partition for each of its fetchers",
                    Duration.ofSeconds(10),
                    () -> cluster.brokers().stream()
                                    .mapToLong(b -> gauge(b, "NumIncrementalFetchPartitionsCached"))
                                    .sum()
                            >= 2L * PARTITIONS,
                    () -> gauges(cluster));

            // idle past replica.lag.time.max.ms and an ISR check after it: caught-up followers, whose
            // incremental fetches name no partition, stay in sync
            Thread.sleep(LAG_MS * 3 / 2 + 100);
            try (Admin admin = cluster.admin()) {
                TopicDescription d = admin.describeTopics(List.of(TOPIC))
                        .allTopicNames()
                        .get()
                        .get(TOPIC);
                for (TopicPartitionInfo p : d.partitions()) {
                    assertEquals(2, p.isr().size(), "ISR of partition " + p.partition() + ": " + p.isr());
                }
            }

            // when a few partitions get more records, the same consumer goes on reading them in its sessions
            produce(producer, validator, PARTITIONS * 10, 1000, 7);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Wait.waitUntil("the consumer reads the new records", Duration.ofSeconds(30), () -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    validator.consumed(r);
                }
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
        }
        assertEquals(PARTITIONS * 10L + 1000, validator.acknowledgedCount());
        validator.assertNoneLost();
        validator.assertNoDuplicates();
        validator.assertInOrderPerKey();
        validator.assertNothingUnexpected();
        // the fetchers stayed in their sessions: after the first, full fetch nearly every fetch was incremental
        for (Broker b : cluster.brokers()) {
            long full = meter(b, "fetch-sessions.full-fetches");
            long incremental = meter(b, "fetch-sessions.incremental-fetches");
            assertTrue(
                    full >= 2 && incremental > 5 * full,
                    "broker " + b.brokerId() + ": " + full + " full and " + incremental + " incremental fetches");
        }
    }

    private static long meter(Broker broker, String name) {
        return broker.metrics().registry().meter(name).getCount();
    }

    /** Sends records {@code from} to {@code from + count - 1} round-robin over partitions 0 to {@code over - 1}, acks=all. */
    private static void produce(
            KafkaProducer<byte[], byte[]> producer, ProduceConsumeValidator validator, int from, int count, int over)
            throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            int partition = i % over;
            acks.add(validator.send(producer, TOPIC, partition, "p" + partition, Integer.toString(i)));
        }
        for (Future<RecordMetadata> f : acks) {
            f.get();
        }
    }

    private static long gauge(Broker broker, String name) {
        return ((Number) broker.metrics()
                        .registry()
                        .getGauges()
                        .get("kafka.server:type=FetchSessionCache,name=" + name)
                        .getValue())
                .longValue();
    }

    private static String gauges(StrandTestCluster cluster) {
        StringBuilder b = new StringBuilder();
        for (Broker broker : cluster.brokers()) {
            b.append("broker ")
                    .append(broker.brokerId())
                    .append(": ")
                    .append(gauge(broker, "NumIncrementalFetchSessions"))
                    .append(" sessions, ")
                    .append(gauge(broker, "NumIncrementalFetchPartitionsCached"))
                    .append(" partitions; ");
        }
        return b.toString();
    }
}
