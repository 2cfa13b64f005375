package io.strand.server.compaction;

import static io.strand.server.compaction.CompactedTopics.compacted;
import static io.strand.server.compaction.CompactedTopics.create;
import static io.strand.server.compaction.CompactedTopics.producerSettings;
import static io.strand.server.compaction.CompactedTopics.sizeOnDisk;
import static io.strand.server.compaction.CompactedTopics.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.group.proto.GroupRecordKey;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.BrokerProcess;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.testing.BackgroundConsumer;
import io.strand.testing.BackgroundProducer;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compaction through broker failures (issue 14), on three broker processes killed with {@code kill
 * -9}: an idempotent acks=all producer writing a compacted topic with few keys across many
 * cleanings, a leader kill and the restarted broker's return to leadership (which rebuilds its
 * producer state from a log its own cleaner compacted) loses no latest value and neither duplicates
 * nor reorders a record, and never gets an OutOfOrderSequenceException; an idle producer whose
 * records the cleaner removed stays known, with its epoch and sequence, to a replica that copies the
 * cleaned log from scratch and becomes leader; and {@code
 * __consumer_offsets}, made of 16 KiB segments ({@code offsets.topic.segment.bytes}), shrinks
 * under thousands of offset commits, then, after a kill -9 of the coordinator, the new coordinator
 * and later the restarted one load the committed offsets intact, and a deleted group whose
 * tombstones the cleaner has removed stays deleted. Each broker logs its own cleanings of the
 * partitions ("Cleaned log ..."), which the test counts.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class CompactionFailoverTest {
    private static final Logger log = LoggerFactory.getLogger(CompactionFailoverTest.class);
    private static final TopicPartition OFFSETS = new TopicPartition("__consumer_offsets", 0);
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @BrokerCluster(
            brokers = 3,
            properties = {
                "log.cleaner.backoff.ms=200",
                "log.cleaner.min.cleanable.ratio=0.01",
                // __consumer_offsets' tombstones go 2 s after the cleaning that first saw them
                "log.cleaner.delete.retention.ms=2000",
                "offsets.topic.replication.factor=3",
                "offsets.topic.num.partitions=1",
                "offsets.topic.segment.bytes=16384",
                "min.insync.replicas=2",
                "replica.lag.time.max.ms=3000",
                "group.initial.rebalance.delay.ms=0"
            })
    static ProcessTestCluster cluster;

    @Test
    void shouldKeepAnIdempotentProducerExactlyOnceOnACompactedTopicAcrossCleaningsAndLeaderKills() throws Exception {
        String topic = "idempotent-compacted";
        TopicPartition tp = new TopicPartition(topic, 0);
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (Admin admin = cluster.admin()) {
            create(admin, topic, 3, compacted(Map.of()));
            // a reader following the head reads records before a cleaning can remove them (it cleans closed
            // segments only): a record appended twice shows there as read twice
            KafkaConsumer<byte[], byte[]> follower = cluster.consumer(Map.of());
            follower.assign(List.of(tp));
            try (BackgroundConsumer tail = BackgroundConsumer.start("tail", follower, validator);
                    BackgroundProducer load = BackgroundProducer.start(
                            "idempotent",
                            cluster.producer(producerSettings(Map.of(
                                    ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE),
                                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000",
                                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000",
                                    ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "100"))),
                            validator,
                            // five keys, overwritten over and over
                            i -> new BackgroundProducer.Send(topic, 0, "k" + (i % 5), value(i + "-", 100)),
                            20,
                            Duration.ofMillis(5))) {
                // given many cleanings on the leader
                int leader = cluster.describe(admin, topic, 0).leader().id();
                awaitCleanings(cluster.broker(leader), tp, 10);

                // when the leader is killed, the producer carries on through a new leader, which cleans on
                BrokerProcess victim = cluster.broker(leader);
                log.info("kill -9 broker {}, leader of {}", leader, tp);
                victim.kill();
                TopicPartitionInfo moved = Wait.waitFor(
                        "a new leader of " + tp,
                        WITHIN,
                        () -> cluster.describe(admin, topic, 0),
                        p -> p != null && p.leader() != null && p.leader().id() != leader);
                load.awaitAcknowledged(validator.acknowledgedCount() + 500, WITHIN);
                awaitCleanings(cluster.broker(moved.leader().id()), tp, 5);

                // and the killed broker, restarted, catches up, cleans its own copy and leads again
                long beforeRestart = cleanings(victim, tp);
                victim.start();
                awaitInIsr(admin, topic, leader);
                Wait.waitUntil(
                        "broker " + leader + " cleaned " + tp + " after its restart",
                        WITHIN,
                        () -> cleanings(victim, tp) > beforeRestart);
                electPreferred(admin, tp, leader);
                long before = cleanings(victim, tp);
                load.awaitAcknowledged(validator.acknowledgedCount() + 1000, WITHIN);
                Wait.waitUntil(
                        "broker " + leader + " cleaned " + tp + " as its leader",
                        WITHIN,
                        () -> cleanings(victim, tp) >= before + 3);
                load.stop(Duration.ofMinutes(2));
                Wait.waitUntil(
                        "the reader following the head read the last record of every key",
                        WITHIN,
                        () -> validator.notLatest().isEmpty(),
                        () -> validator.notLatest().toString());
                tail.stop(Duration.ofSeconds(30));
            }
            // then the producer saw no error but retriable ones (no OutOfOrderSequenceException, no UnknownProducerId)
            validator.assertOnlyRetriableSendFailures();
            // nor had to bump its epoch (as the Java client does, silently, when a leader does not know its
            // sequence): the leader, the restarted broker, knows it at epoch 0 with the last sequence it sent
            List<ProducerState> producers = producers(admin, tp);
            assertEquals(1, producers.size(), "producers of " + tp + ": " + producers);
            assertEquals(0, producers.get(0).producerEpoch(), "the producer's epoch: " + producers.get(0));
            assertEquals(
                    validator.acknowledgedCount() + validator.sendFailures().size() - 1,
                    producers.get(0).lastSequence(),
                    "the producer's last sequence: " + producers.get(0));
            // and the reader that followed the head read no record twice, in send order, nothing never sent
            validator.assertNoDuplicates();
            validator.assertInOrderPerKey();
            validator.assertNothingUnexpected();
            // and a reader of the whole compacted log finds the latest acknowledged record of each key last
            ProduceConsumeValidator whole = assertWholeLogHoldsTheLatestPerKey(validator, tp);
            log.info("{}; the whole log holds {} records", validator.summary(), whole.consumedCount());
        }
    }

    /**
     * The cleaner keeps the last batch of every producer the partition knows (emptied if need be), so
     * that a replica that copies the cleaned log from scratch learns the producer's last sequence:
     * without it, an idle producer whose records were all cleaned away would be unknown to a new
     * leader with a log starting at 0, which refuses its next batch with OUT_OF_ORDER_SEQUENCE_NUMBER.
     */
    @Test
    void shouldKeepAnIdleIdempotentProducerKnownToANewReplicaOfACompactedPartition() throws Exception {
        String topic = "idle-producer";
        TopicPartition tp = new TopicPartition(topic, 0);
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (Admin admin = cluster.admin();
                KafkaConsumer<byte[], byte[]> reader = cluster.consumer(CompactedTopics.strictConsumer());
                KafkaProducer<byte[], byte[]> idle = cluster.producer(producerSettings(Map.of()))) {
            // replicas on brokers 1 and 2; broker 3 joins later, copying the cleaned log from its start
            admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(1, 2))).configs(compacted(Map.of()))))
                    .all()
                    .get();
            // given an idempotent producer that wrote five keys 10 times and went idle
            for (int i = 0; i < 50; i++) {
                validator.send(idle, topic, 0, "k" + (i % 5), value("idle-" + i + "-", 100));
            }
            idle.flush();
            // and another overwriting those keys until the cleaner removed every record of the first
            try (KafkaProducer<byte[], byte[]> busy = cluster.producer(producerSettings(Map.of()))) {
                int[] next = {0};
                Wait.waitUntil("no record of the idle producer is left in " + tp, WITHIN, () -> {
                    for (int i = 0; i < 200; i++, next[0]++) {
                        validator.send(busy, topic, 0, "k" + (next[0] % 5), value("busy-" + next[0] + "-", 100));
                    }
                    busy.flush();
                    return CompactedTopics.readAll(reader, tp, WITHIN).stream()
                            .noneMatch(r -> r.value().startsWith("idle-"));
                });
            }

            // (the idle producer is the one whose last sequence is 49)
            ProducerState before = producers(admin, tp).stream()
                    .filter(p -> p.lastSequence() == 49)
                    .findFirst()
                    .orElseThrow();
            long idleId = before.producerId();
            int idleEpoch = before.producerEpoch();

            // when broker 3 becomes a replica and then the leader
            admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(3, 1, 2)))))
                    .all()
                    .get();
            Wait.waitUntil("the reassignment of " + tp + " to [3, 1, 2] completed", WITHIN, () -> {
                TopicPartitionInfo p = cluster.describe(admin, topic, 0);
                return admin.listPartitionReassignments().reassignments().get().isEmpty()
                        && p != null
                        && p.isr().stream().anyMatch(n -> n.id() == 3);
            });
            electPreferred(admin, tp, 3);

            // then the idle producer carries on: its next batch follows its last sequence on the new leader
            for (int i = 50; i < 100; i++) {
                validator.send(idle, topic, 0, "k" + (i % 5), value("idle-" + i + "-", 100));
            }
            idle.flush();
            // in the same epoch (the Java client bumps its epoch, silently, when the leader does not know it)
            ProducerState after = producers(admin, tp).stream()
                    .filter(p -> p.producerId() == idleId)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("the new leader does not know the idle producer"));
            assertEquals(idleEpoch, after.producerEpoch(), "the idle producer's epoch on the new leader");
            assertEquals(99, after.lastSequence(), "the idle producer's last sequence on the new leader");
        }
        validator.assertNoSendFailures();
        assertWholeLogHoldsTheLatestPerKey(validator, tp);
    }

    @Test
    void shouldShrinkConsumerOffsetsAndKeepCommittedOffsetsAndDeletionsThroughCoordinatorFailover() throws Exception {
        String topic = "ledger-input";
        int partitions = 8;
        int commits = 600;
        List<String> groups = List.of("ledger-a", "ledger-b", "deleted-group");
        Map<String, Map<TopicPartition, OffsetAndMetadata>> last = new HashMap<>();
        long written = 0;
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 3)))
                    .all()
                    .get();
            // given three groups committing offsets of 8 partitions 600 times each (with 200 bytes of metadata)
            ExecutorService pool = Executors.newFixedThreadPool(groups.size());
            try {
                List<Future<Map<TopicPartition, OffsetAndMetadata>>> done = new ArrayList<>();
                for (String group : groups) {
                    done.add(pool.submit(() -> commit(group, topic, partitions, 0, commits)));
                }
                for (int g = 0; g < groups.size(); g++) {
                    last.put(groups.get(g), done.get(g).get());
                }
            } finally {
                pool.shutdownNow();
            }
            written = (long) groups.size() * commits * partitions * 200;
            // and one group deleted (tombstones for its offsets and itself)
            admin.deleteConsumerGroups(List.of("deleted-group")).all().get();
            last.remove("deleted-group");

            // when the others keep committing, the cleaner removes the deleted group's records, its tombstones too
            int[] round = {commits};
            Wait.waitUntil("no record of deleted-group is left in " + OFFSETS, WITHIN, () -> {
                for (String group : last.keySet()) {
                    last.put(group, commit(group, topic, partitions, round[0], 20));
                }
                round[0] += 20;
                return recordsOf("deleted-group") == 0;
            });
            // then every broker's copy of __consumer_offsets-0 shrank to a small part of what was written
            long limit = written / 10;
            for (int b = 1; b <= 3; b++) {
                int broker = b;
                Wait.waitUntil(
                        "broker " + broker + "'s copy of " + OFFSETS + " is below " + limit + " bytes (" + written
                                + " bytes of metadata were committed)",
                        WITHIN,
                        () -> {
                            long size = sizeOnDisk(admin, broker, OFFSETS);
                            return size >= 0 && size < limit;
                        });
                assertTrue(cleanings(cluster.broker(b), OFFSETS) > 0, "broker " + b + " logged its cleanings");
            }
            log.info(
                    "{} commits of {} partitions each; {} bytes of metadata; copies of {} now {}, {} and {} bytes",
                    groups.size() * commits + (round[0] - commits) * last.size(),
                    partitions,
                    written,
                    OFFSETS,
                    sizeOnDisk(admin, 1, OFFSETS),
                    sizeOnDisk(admin, 2, OFFSETS),
                    sizeOnDisk(admin, 3, OFFSETS));

            // when the coordinator is killed
            int coordinator = admin.describeConsumerGroups(List.of("ledger-a"))
                    .all()
                    .get()
                    .get("ledger-a")
                    .coordinator()
                    .id();
            BrokerProcess victim = cluster.broker(coordinator);
            log.info("kill -9 broker {}, the groups' coordinator", coordinator);
            victim.kill();

            // then another broker coordinates, with the committed offsets intact and the deleted group deleted
            Wait.waitUntil(
                    "another broker coordinates ledger-a",
                    WITHIN,
                    () -> admin.describeConsumerGroups(List.of("ledger-a"))
                                    .all()
                                    .get()
                                    .get("ledger-a")
                                    .coordinator()
                                    .id()
                            != coordinator);
            assertCommitted(admin, last);

            // and so does the killed broker once restarted and elected again, from its own cleaned copy
            victim.start();
            awaitInIsr(admin, OFFSETS.topic(), coordinator);
            electPreferred(admin, OFFSETS, coordinator);
            Wait.waitUntil(
                    "broker " + coordinator + " coordinates ledger-a again",
                    WITHIN,
                    () -> admin.describeConsumerGroups(List.of("ledger-a"))
                                    .all()
                                    .get()
                                    .get("ledger-a")
                                    .coordinator()
                                    .id()
                            == coordinator);
            assertCommitted(admin, last);
        }
    }

    // ------------------------------------------------------------------------------ helpers

    /**
     * Commits offsets {@code from + i + p} (p the partition) with 200 characters of metadata, {@code
     * count} times, as {@code group} (no members: simple commits); returns the last commit.
     */
    private static Map<TopicPartition, OffsetAndMetadata> commit(
            String group, String topic, int partitions, int from, int count) {
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.of();
        try (KafkaConsumer<byte[], byte[]> c = cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            for (int i = from; i < from + count; i++) {
                Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
                for (int p = 0; p < partitions; p++) {
                    next.put(new TopicPartition(topic, p), new OffsetAndMetadata(i + p, value(i + "-", 200)));
                }
                c.commitSync(next);
                offsets = next;
            }
        }
        return offsets;
    }

    /** The records of {@code group} (offset commits, group metadata and their tombstones) in __consumer_offsets-0. */
    private static int recordsOf(String group) throws Exception {
        int n = 0;
        try (KafkaConsumer<byte[], byte[]> c = cluster.consumer(CompactedTopics.strictConsumer())) {
            c.assign(List.of(OFFSETS));
            c.seekToBeginning(List.of(OFFSETS));
            long end = c.endOffsets(List.of(OFFSETS)).get(OFFSETS);
            long deadline = System.nanoTime() + WITHIN.toNanos();
            while (c.position(OFFSETS) < end) {
                assertTrue(System.nanoTime() < deadline, "read " + OFFSETS + " to " + end + " in time");
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    GroupRecordKey key = GroupRecordKey.parseFrom(r.key());
                    String of = key.hasOffset()
                            ? key.getOffset().getGroup()
                            : key.getGroup().getGroup();
                    if (of.equals(group)) {
                        n++;
                    }
                }
            }
        }
        return n;
    }

    /** The groups' committed offsets are the last ones committed; deleted-group has none and is not listed. */
    private static void assertCommitted(Admin admin, Map<String, Map<TopicPartition, OffsetAndMetadata>> last)
            throws Exception {
        for (Map.Entry<String, Map<TopicPartition, OffsetAndMetadata>> e : last.entrySet()) {
            Map<TopicPartition, OffsetAndMetadata> got = admin.listConsumerGroupOffsets(e.getKey())
                    .partitionsToOffsetAndMetadata()
                    .get();
            assertEquals(e.getValue().keySet(), got.keySet(), e.getKey() + "'s partitions");
            for (Map.Entry<TopicPartition, OffsetAndMetadata> o : e.getValue().entrySet()) {
                OffsetAndMetadata g = got.get(o.getKey());
                assertEquals(o.getValue().offset(), g.offset(), e.getKey() + "'s offset of " + o.getKey());
                assertEquals(o.getValue().metadata(), g.metadata(), e.getKey() + "'s metadata of " + o.getKey());
            }
        }
        assertEquals(
                Map.of(),
                admin.listConsumerGroupOffsets("deleted-group")
                        .partitionsToOffsetAndMetadata()
                        .get(),
                "deleted-group's offsets");
        Set<String> listed = admin.listGroups().all().get().stream()
                .map(GroupListing::groupId)
                .collect(Collectors.toSet());
        assertFalse(listed.contains("deleted-group"), "deleted-group is listed: " + listed);
        assertTrue(listed.containsAll(last.keySet()), "groups listed: " + listed);
    }

    /** The cleanings of {@code tp} the broker logged ("Cleaned log ..."), over all its runs. */
    static long cleanings(BrokerProcess broker, TopicPartition tp) throws IOException {
        String line = "Cleaned log " + tp + " (";
        // Latin-1 never fails to decode (a kill -9 may cut a line anywhere); what is searched for is ASCII
        try (Stream<String> lines = Files.lines(broker.logFile(), StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> l.contains(line)).count();
        }
    }

    private static void awaitCleanings(BrokerProcess broker, TopicPartition tp, int more) throws Exception {
        long from = cleanings(broker, tp);
        Wait.waitUntil(
                "broker " + broker.brokerId() + " logged " + more + " more cleanings of " + tp,
                WITHIN,
                () -> cleanings(broker, tp) >= from + more);
    }

    /** The producers the leader of {@code tp} knows (DescribeProducers). */
    /**
     * A reader of the whole compacted log finds the latest acknowledged record of each key last, no record
     * twice, each key's records in send order, nothing never sent. Returns that reader's validator.
     */
    private static ProduceConsumeValidator assertWholeLogHoldsTheLatestPerKey(
            ProduceConsumeValidator validator, TopicPartition tp) throws InterruptedException {
        ProduceConsumeValidator whole = validator.forAnotherReader();
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(CompactedTopics.strictConsumer())) {
            whole.consumeToEnd(consumer, List.of(tp), WITHIN);
        }
        whole.assertLatestPerKey();
        whole.assertNoDuplicates();
        whole.assertInOrderPerKey();
        whole.assertNothingUnexpected();
        return whole;
    }

    private static List<ProducerState> producers(Admin admin, TopicPartition tp) throws Exception {
        return admin.describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers();
    }

    /**
     * Elects {@code broker}, the preferred replica, leader of {@code tp}, asking again until it leads.
     * Each attempt uses a new Admin: after the controller's broker was killed and restarted, a
     * long-lived Admin was seen to keep sending ElectLeaders to the old controller, which answers
     * NOT_CONTROLLER, for over a minute, while every broker named the new one in Metadata.
     */
    private static void electPreferred(Admin admin, TopicPartition tp, int broker) throws InterruptedException {
        Wait.waitUntil("broker " + broker + " leads " + tp + " again", WITHIN, () -> {
            TopicPartitionInfo p = cluster.describe(admin, tp.topic(), tp.partition());
            if (p != null && p.leader() != null && p.leader().id() == broker) {
                return true;
            }
            try (Admin fresh = cluster.admin()) {
                fresh.electLeaders(ElectionType.PREFERRED, Set.of(tp))
                        .partitions()
                        .get();
            }
            return false;
        });
    }

    private static void awaitInIsr(Admin admin, String topic, int broker) throws InterruptedException {
        Wait.waitUntil("broker " + broker + " back in the ISR of " + topic + "-0", WITHIN, () -> {
            TopicPartitionInfo p = cluster.describe(admin, topic, 0);
            return p != null && p.isr().stream().anyMatch(n -> n.id() == broker);
        });
    }
}
