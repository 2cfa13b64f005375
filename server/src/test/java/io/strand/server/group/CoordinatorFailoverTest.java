package io.strand.server.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The broker coordinating a group is {@code kill -9}ed (three broker processes, __consumer_offsets
 * with replication factor 3): the group moves to the new leader of its partition, which loads the
 * group and its committed offsets, and the consumer carries on without losing or repeating records.
 * With either protocol; a KIP-848 group resumes at the same group epoch with the same assignment.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class CoordinatorFailoverTest {
    private static final String TOPIC = "payments";
    private static final String GROUP = "ledger";

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void shouldMoveTheGroupToANewCoordinatorAndResumeFromCommittedOffsets(
            String protocol,
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                // GroupTesting.overrides(3), and a short lag so that the killed broker leaves the ISR
                                "offsets.topic.replication.factor=3",
                                "offsets.topic.num.partitions=10",
                                "group.initial.rebalance.delay.ms=0",
                                "group.min.session.timeout.ms=1000",
                                "replica.lag.time.max.ms=3000"
                            })
                    ProcessTestCluster cluster)
            throws Exception {
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 3))).all().get();
            produce(cluster, validator, 0, 300);
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(cluster, protocol)) {
                // given a consumer that has read and committed 300 records
                consumer.subscribe(List.of(TOPIC));
                pollUntil(consumer, validator, 300);
                consumer.commitSync();
                ConsumerGroupDescription before =
                        admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
                int oldCoordinator = before.coordinator().id();

                // when its coordinator's broker is killed
                cluster.broker(oldCoordinator).kill();

                // then another broker coordinates the group, with its members and committed offsets loaded
                Wait.waitUntil("a new coordinator serves the group", Duration.ofSeconds(60), () -> {
                    try {
                        ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(GROUP))
                                .all()
                                .get()
                                .get(GROUP);
                        return d.coordinator().id() != oldCoordinator && d.groupState() == GroupState.STABLE;
                    } catch (Exception e) {
                        consumer.poll(Duration.ofMillis(50)); // keep the member alive while the group moves
                        return false;
                    }
                });
                ConsumerGroupDescription after =
                        admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
                assertNotEquals(oldCoordinator, after.coordinator().id());
                assertEquals(
                        before.members().iterator().next().consumerId(),
                        after.members().iterator().next().consumerId());
                if (protocol.equals("consumer")) { // KIP-848: the group resumes as it was, without a rebalance
                    assertEquals(before.groupEpoch(), after.groupEpoch());
                    assertEquals(
                            before.members().iterator().next().assignment().topicPartitions(),
                            after.members().iterator().next().assignment().topicPartitions());
                }
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                        .partitionsToOffsetAndMetadata()
                        .get();
                assertEquals(
                        300,
                        committed.values().stream()
                                .mapToLong(OffsetAndMetadata::offset)
                                .sum());

                // and the consumer carries on: every new record once, and commits go to the new coordinator
                produce(cluster, validator, 300, 300);
                pollUntil(consumer, validator, 600);
                consumer.commitSync();
            }
        }
        validator.assertNoneLost();
        validator.assertNoDuplicates(); // no record read twice
        validator.assertNothingUnexpected();

        // a new member of the group starts where the group committed: it reads the new records only
        ProduceConsumeValidator afterCommit = new ProduceConsumeValidator();
        produce(cluster, afterCommit, 600, 30);
        try (KafkaConsumer<byte[], byte[]> again = consumer(cluster, protocol)) {
            again.subscribe(List.of(TOPIC));
            pollUntil(again, afterCommit, 30);
        }
        afterCommit.assertNoneLost();
        afterCommit.assertNoDuplicates();
        afterCommit.assertNothingUnexpected(); // no record from before the commit re-read
    }

    private static KafkaConsumer<byte[], byte[]> consumer(ProcessTestCluster cluster, String protocol) {
        if (protocol.equals("consumer")) {
            return cluster.consumer(Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                    ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer",
                    ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000"));
        }
        return cluster.consumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000",
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500",
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000"));
    }

    /** Polls until {@code count} records in all have been consumed into {@code validator}. */
    private static void pollUntil(KafkaConsumer<byte[], byte[]> c, ProduceConsumeValidator validator, int count)
            throws InterruptedException {
        Wait.waitUntil(
                count + " records consumed",
                Duration.ofSeconds(90),
                () -> {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        validator.consumed(r);
                    }
                    return validator.consumedCount() >= count;
                },
                validator::summary);
    }

    private static void produce(ProcessTestCluster cluster, ProduceConsumeValidator validator, int from, int count)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000"))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                acks.add(validator.send(producer, TOPIC, i % 3, ProduceConsumeValidator.NO_KEY, Integer.toString(i)));
            }
            for (Future<RecordMetadata> f : acks) {
                f.get();
            }
        }
    }
}
