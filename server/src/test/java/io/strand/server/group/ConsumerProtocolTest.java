package io.strand.server.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.BackgroundConsumer;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Java 4.4 consumers with {@code group.protocol=consumer} (KIP-848) on three in-process brokers:
 * the coordinator assigns every partition to exactly one member, evenly, moves partitions when
 * members come and go, follows a regular expression to topics created later, and keeps the group
 * (epochs and assignments) through a coordinator failover; Kafka's Admin describes and lists the
 * group as a consumer group.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class ConsumerProtocolTest {
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @BrokerCluster(
            brokers = 3,
            properties = {
                "offsets.topic.replication.factor=3",
                "offsets.topic.num.partitions=6",
                "group.consumer.heartbeat.interval.ms=500",
                "group.consumer.min.session.timeout.ms=3000",
                "group.consumer.session.timeout.ms=6000"
            })
    private static StrandTestCluster cluster;

    private static KafkaConsumer<byte[], byte[]> member(String group, String assignor) {
        return cluster.consumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer",
                ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, assignor,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true",
                ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, "200"));
    }

    private static void produce(ProduceConsumeValidator v, String topic, int from, int n) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = cluster.producer(Map.of())) {
            for (int i = from; i < from + n; i++) {
                v.send(p, topic, null, "k" + (i % 17), topic + "-" + i);
            }
            p.flush();
        }
    }

    /** Waits until the group has {@code members} members, all stable, owning every partition once, evenly. */
    private static ConsumerGroupDescription awaitBalanced(Admin admin, String group, int members, int partitions)
            throws InterruptedException {
        return Wait.waitFor(
                group + " has " + members + " members owning its " + partitions + " partitions evenly",
                WITHIN,
                () -> admin.describeConsumerGroups(List.of(group)).all().get().get(group),
                d -> {
                    if (d.groupState() != GroupState.STABLE || d.members().size() != members) {
                        return false;
                    }
                    Set<TopicPartition> owned = new HashSet<>();
                    int min = Integer.MAX_VALUE;
                    int max = 0;
                    for (MemberDescription m : d.members()) {
                        Set<TopicPartition> mine = m.assignment().topicPartitions();
                        for (TopicPartition tp : mine) {
                            assertTrue(owned.add(tp), tp + " owned twice in " + d);
                        }
                        min = Math.min(min, mine.size());
                        max = Math.max(max, mine.size());
                    }
                    return owned.size() == partitions && max - min <= 1;
                });
    }

    @Test
    void shouldShareThePartitionsEvenlyAndConsumeEveryRecordAsMembersComeAndGo() throws Exception {
        String topic = "kip848-orders";
        String group = "kip848-workers";
        cluster.createTopic(topic, 6, 3);
        ProduceConsumeValidator v = new ProduceConsumeValidator();
        List<BackgroundConsumer> running = new ArrayList<>();
        try (Admin admin = cluster.admin()) {
            int produced = 0;
            // given members joining one by one
            for (int n = 1; n <= 3; n++) {
                KafkaConsumer<byte[], byte[]> c = member(group, "uniform");
                c.subscribe(List.of(topic));
                running.add(BackgroundConsumer.start("member-" + n, c, v));
                ConsumerGroupDescription d = awaitBalanced(admin, group, n, 6);
                assertEquals(GroupType.CONSUMER, d.type());
                assertEquals("uniform", d.partitionAssignor());
                produce(v, topic, produced, 300);
                produced += 300;
                running.get(0).awaitEveryAcknowledgedRecord(WITHIN);
            }
            // when one leaves
            running.remove(1).stop(WITHIN);
            awaitBalanced(admin, group, 2, 6);
            produce(v, topic, produced, 300);
            running.get(0).awaitEveryAcknowledgedRecord(WITHIN);

            // then every record was read, and the group lists as a consumer group
            v.assertNoneLost();
            v.assertNothingUnexpected();
            GroupListing listed =
                    admin.listGroups(new ListGroupsOptions().withTypes(Set.of(GroupType.CONSUMER))).all().get().stream()
                            .filter(g -> g.groupId().equals(group))
                            .findFirst()
                            .orElseThrow();
            assertEquals(java.util.Optional.of(GroupType.CONSUMER), listed.type());
            assertEquals(
                    java.util.Optional.of("consumer"),
                    listed.protocol().isEmpty()
                            ? java.util.Optional.of("consumer")
                            : java.util.Optional.of(listed.protocol()));
        } finally {
            for (BackgroundConsumer c : running) {
                c.stop(WITHIN);
            }
        }
    }

    @Test
    void shouldFollowARegularExpressionToATopicCreatedLater() throws Exception {
        String group = "kip848-regex";
        cluster.createTopic("metrics-cpu", 2, 3);
        ProduceConsumeValidator v = new ProduceConsumeValidator();
        KafkaConsumer<byte[], byte[]> c = member(group, "range");
        c.subscribe(new SubscriptionPattern("metrics-.*"));
        BackgroundConsumer bc = BackgroundConsumer.start("regex", c, v);
        try (Admin admin = cluster.admin()) {
            awaitBalanced(admin, group, 1, 2);
            produce(v, "metrics-cpu", 0, 50);
            bc.awaitEveryAcknowledgedRecord(WITHIN);
            // when a matching topic is created
            cluster.createTopic("metrics-disk", 3, 3);
            awaitBalanced(admin, group, 1, 5);
            produce(v, "metrics-disk", 0, 50);
            bc.awaitEveryAcknowledgedRecord(WITHIN);
            // a topic that does not match stays out
            cluster.createTopic("logs-app", 1, 3);
            produce(new ProduceConsumeValidator(), "logs-app", 0, 5);
            ConsumerGroupDescription d = awaitBalanced(admin, group, 1, 5);
            assertEquals(
                    Set.of("metrics-cpu", "metrics-disk"),
                    d.members().iterator().next().assignment().topicPartitions().stream()
                            .map(TopicPartition::topic)
                            .collect(java.util.stream.Collectors.toSet()));
        } finally {
            bc.stop(WITHIN);
        }
        v.assertNoneLost();
    }

    @Test
    void shouldKeepTheGroupsEpochAndAssignmentsThroughACoordinatorFailover() throws Exception {
        String topic = "kip848-failover";
        String group = "kip848-failover-group";
        cluster.createTopic(topic, 4, 3);
        ProduceConsumeValidator v = new ProduceConsumeValidator();
        List<BackgroundConsumer> running = new ArrayList<>();
        try (Admin admin = cluster.admin()) {
            for (int n = 0; n < 2; n++) {
                KafkaConsumer<byte[], byte[]> c = member(group, "uniform");
                c.subscribe(List.of(topic));
                running.add(BackgroundConsumer.start("failover-" + n, c, v));
            }
            ConsumerGroupDescription before = awaitBalanced(admin, group, 2, 4);
            produce(v, topic, 0, 200);
            running.get(0).awaitEveryAcknowledgedRecord(WITHIN);
            Map<String, Set<TopicPartition>> assignments = assignments(before);

            // when the coordinator's broker stops
            int coordinator = admin.describeConsumerGroups(List.of(group))
                    .all()
                    .get()
                    .get(group)
                    .coordinator()
                    .id();
            cluster.stopBroker(coordinator);
            try {
                // then another broker coordinates the same group: same epoch, same members, same partitions
                ConsumerGroupDescription after = Wait.waitFor(
                        "another broker coordinates " + group,
                        WITHIN,
                        () -> admin.describeConsumerGroups(List.of(group))
                                .all()
                                .get()
                                .get(group),
                        d -> d.coordinator() != null
                                && d.coordinator().id() != coordinator
                                && d.groupState() == GroupState.STABLE);
                assertEquals(before.groupEpoch(), after.groupEpoch(), "no rebalance: " + after);
                assertEquals(assignments, assignments(after));
                produce(v, topic, 200, 200);
                running.get(0).awaitEveryAcknowledgedRecord(WITHIN);
                v.assertNoneLost();
            } finally {
                cluster.startBroker(coordinator);
            }
        } finally {
            for (BackgroundConsumer c : running) {
                c.stop(WITHIN);
            }
        }
    }

    @Test
    void shouldRefuseACommitAtAnotherEpochThanTheMembers() throws Exception {
        String topic = "kip848-commits";
        String group = "kip848-commits-group";
        cluster.createTopic(topic, 1, 3);
        try (KafkaConsumer<byte[], byte[]> c = member(group, "uniform");
                Admin admin = cluster.admin()) {
            c.subscribe(List.of(topic));
            Wait.waitUntil("the member gets its partition", WITHIN, () -> {
                c.poll(Duration.ofMillis(100));
                return !c.assignment().isEmpty();
            });
            TopicPartition tp = new TopicPartition(topic, 0);
            c.commitSync(Map.of(tp, new OffsetAndMetadata(0)));
            // an admin commit (no member) to a group with members is refused
            var refused = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class,
                    () -> admin.alterConsumerGroupOffsets(group, Map.of(tp, new OffsetAndMetadata(5)))
                            .all()
                            .get());
            assertTrue(
                    refused.getCause() instanceof org.apache.kafka.common.errors.UnknownMemberIdException,
                    "got " + refused.getCause());
            assertEquals(
                    0L,
                    admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get()
                            .get(tp)
                            .offset());
        }
    }

    private static Map<String, Set<TopicPartition>> assignments(ConsumerGroupDescription d) {
        Map<String, Set<TopicPartition>> out = new HashMap<>();
        d.members().forEach(m -> out.put(m.consumerId(), m.assignment().topicPartitions()));
        return out;
    }
}
