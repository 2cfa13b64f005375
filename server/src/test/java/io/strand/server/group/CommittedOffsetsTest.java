package io.strand.server.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.StrandTestCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Committed offsets with real clients on one broker: group commits survive a restart of the coordinator; standalone commits. */
class CommittedOffsetsTest {
    private static StrandTestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = StrandTestCluster.start(1, GroupTesting.overrides(1));
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
    }

    @Test
    void shouldResumeFromCommittedOffsetsAfterTheCoordinatorRestarts() throws Exception {
        // given a topic with 30 records and a default-config consumer that reads and commits them
        cluster.createTopic("resume", 3, 1);
        GroupTesting.produce(cluster, "resume", 3, 0, 30);
        try (KafkaConsumer<byte[], byte[]> c = cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "resumers"))) {
            c.subscribe(List.of("resume"));
            assertEquals(
                    30, GroupTesting.pollUntil(c, 30, Duration.ofSeconds(30)).size());
            c.commitSync();
        }
        // when the broker (the coordinator) restarts and 10 more records arrive
        cluster.restartBroker(1);
        GroupTesting.produce(cluster, "resume", 3, 30, 10);
        // then a new consumer of the group reads exactly the 10 new ones
        try (KafkaConsumer<byte[], byte[]> c = cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "resumers"))) {
            c.subscribe(List.of("resume"));
            List<String> got = GroupTesting.values(GroupTesting.pollUntil(c, 10, Duration.ofSeconds(30)));
            assertEquals(10, got.size(), "records after the committed offsets: " + got);
            got.forEach(v -> assertTrue(Integer.parseInt(v) >= 30, "re-read " + v));
            ConsumerRecords<byte[], byte[]> more = c.poll(Duration.ofMillis(500));
            assertEquals(0, more.count());
        }
        try (Admin admin = cluster.admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("resumers")
                    .partitionsToOffsetAndMetadata()
                    .get();
            assertEquals(3, committed.size());
            assertEquals(
                    30,
                    committed.values().stream()
                            .mapToLong(OffsetAndMetadata::offset)
                            .sum());
        }
    }

    @Test
    void shouldKeepStandaloneCommitsOfAnAssignModeConsumer() throws Exception {
        cluster.createTopic("standalone", 2, 1);
        GroupTesting.produce(cluster, "standalone", 2, 0, 20);
        TopicPartition p0 = new TopicPartition("standalone", 0);
        TopicPartition p1 = new TopicPartition("standalone", 1);
        try (KafkaConsumer<byte[], byte[]> c = cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "assigners"))) {
            c.assign(List.of(p0, p1));
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            commit.put(p0, new OffsetAndMetadata(3, "meta-0"));
            commit.put(p1, new OffsetAndMetadata(7));
            c.commitSync(commit);
        }
        try (KafkaConsumer<byte[], byte[]> c = cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "assigners"))) {
            Map<TopicPartition, OffsetAndMetadata> got = c.committed(java.util.Set.of(p0, p1));
            assertEquals(3, got.get(p0).offset());
            assertEquals("meta-0", got.get(p0).metadata());
            assertEquals(7, got.get(p1).offset());
            c.assign(List.of(p0));
            long first =
                    GroupTesting.pollUntil(c, 1, Duration.ofSeconds(10)).get(0).offset();
            assertEquals(3, first);
        }
        try (Admin admin = cluster.admin()) {
            assertTrue(admin.listOffsets(Map.of(p0, OffsetSpec.latest()))
                            .all()
                            .get()
                            .get(p0)
                            .offset()
                    > 0);
        }
    }
}
