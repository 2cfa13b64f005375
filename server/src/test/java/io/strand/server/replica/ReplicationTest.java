package io.strand.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.Broker;
import io.strand.server.ReplicationSettingsDefinition;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SlowTest;
import io.strand.testing.Wait;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Replication across three brokers: acks=all on multi-partition RF=3 topics, ISR shrink and growth. */
@ExtendWith(StrandClusterExtension.class)
class ReplicationTest {
    private static final Map<String, String> BROKER_SETTINGS = Map.of(
            ReplicationSettingsDefinition.DEFAULT_REPLICATION_FACTOR, "3",
            ReplicationSettingsDefinition.MIN_INSYNC_REPLICAS, "2",
            ReplicationSettingsDefinition.REPLICA_LAG_TIME_MAX_MS, "3000");

    @Test
    @SlowTest
    void shouldAcknowledgeAndServeEveryRecordOfAMultiPartitionTopicThroughEveryBroker(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "default.replication.factor=3",
                                "min.insync.replicas=2",
                                "replica.lag.time.max.ms=3000"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        cluster.createTopic("replicated", 6, 3);
        Set<Integer> leaders = new HashSet<>();
        try (Admin admin = cluster.admin()) {
            TopicDescription d = admin.describeTopics(List.of("replicated"))
                    .allTopicNames()
                    .get()
                    .get("replicated");
            for (TopicPartitionInfo p : d.partitions()) {
                leaders.add(p.leader().id());
                assertEquals(3, p.replicas().size());
            }
        }
        assertEquals(Set.of(1, 2, 3), leaders, "leaders sit on all three brokers");

        int records = 100_000;
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.BATCH_SIZE_CONFIG, "65536"))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (long i = 0; i < records; i++) {
                int partition = (int) (i % 6);
                // key "p<n>" for partition n: the order per key is the order per partition
                acks.add(validator.send(producer, "replicated", partition, "p" + partition, Long.toString(i)));
            }
            for (Future<RecordMetadata> f : acks) {
                f.get();
            }
        }

        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < 6; p++) {
            partitions.add(new TopicPartition("replicated", p));
        }
        for (int bootstrap = 1; bootstrap <= 3; bootstrap++) {
            // records in order per partition, each once, read through broker <bootstrap>
            ProduceConsumeValidator reader = validator.forAnotherReader();
            try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    cluster.bootstrapServer(bootstrap),
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                    "5000"))) {
                reader.consumeToEnd(consumer, partitions, Duration.ofSeconds(60));
            }
            reader.assertNoneLost();
            reader.assertNoDuplicates();
            reader.assertInOrderPerKey();
            reader.assertNothingUnexpected();
        }

        // every replica holds every record: followers' logs end where the leaders' do
        Wait.waitUntil("all replicas caught up", Duration.ofSeconds(30), () -> {
            for (int p = 0; p < 6; p++) {
                TopicPartition tp = new TopicPartition("replicated", p);
                Set<Long> ends = new HashSet<>();
                for (Broker b : cluster.brokers()) {
                    ends.add(b.replicaManager()
                            .partition(tp)
                            .map(x -> x.log().logEndOffset())
                            .orElse(-1L));
                }
                if (ends.size() != 1) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    void shouldRefuseAcksAllBelowMinInsyncReplicasAndRecoverWhenTheIsrGrowsBack(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "default.replication.factor=3",
                                "min.insync.replicas=2",
                                "replica.lag.time.max.ms=3000"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        cluster.createTopic("guarded", 1, 3);
        try (KafkaProducer<byte[], byte[]> all = cluster.producer(Map.of(
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.RETRIES_CONFIG,
                        "0",
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                        "10000",
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        "5000"));
                KafkaProducer<byte[], byte[]> one = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "1"))) {
            all.send(new ProducerRecord<>("guarded", 0, null, seq(0))).get();

            int leader = leaderOf(cluster, "guarded", 0);
            List<Integer> others = new ArrayList<>(List.of(1, 2, 3));
            others.remove(Integer.valueOf(leader));
            for (int id : others) {
                cluster.stopBroker(id);
            }
            Wait.waitUntil(
                    "ISR shrinks to the leader",
                    Duration.ofSeconds(30),
                    () -> cluster.broker(leader)
                            .replicaManager()
                            .partition(new TopicPartition("guarded", 0))
                            .map(p -> p.isr().equals(List.of(leader)))
                            .orElse(false));

            ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    ExecutionException.class,
                    () -> all.send(new ProducerRecord<>("guarded", 0, null, seq(1)))
                            .get());
            assertTrue(refused.getCause() instanceof NotEnoughReplicasException, refused.toString());
            assertEquals(
                    1,
                    one.send(new ProducerRecord<>("guarded", 0, null, seq(2)))
                            .get()
                            .offset(),
                    "acks=1 still works with one replica in sync");

            for (int id : others) {
                cluster.startBroker(id);
            }
            Wait.waitUntil(
                    "ISR grows back to three",
                    Duration.ofSeconds(30),
                    () -> cluster.broker(leader)
                            .replicaManager()
                            .partition(new TopicPartition("guarded", 0))
                            .map(p -> p.isr().size() == 3)
                            .orElse(false));
            assertEquals(
                    2,
                    all.send(new ProducerRecord<>("guarded", 0, null, seq(3)))
                            .get()
                            .offset());
        }
    }

    static int leaderOf(StrandTestCluster cluster, String topic, int partition) throws Exception {
        try (Admin admin = cluster.admin()) {
            return admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get()
                    .get(topic)
                    .partitions()
                    .get(partition)
                    .leader()
                    .id();
        }
    }

    static byte[] seq(long i) {
        return ByteBuffer.allocate(8).putLong(i).array();
    }
}
