package io.strand.server.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Java consumers (classic protocol, each in its own JVM) in one group over a 6-partition topic on
 * three brokers with replication factor 3, through a join, a clean leave and a {@code kill -9}:
 * every record is consumed, and with commits after processing no record is consumed twice except
 * those the killed consumer had processed but not committed.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class ConsumerGroupTest {
    private static final int PARTITIONS = 6;
    private static final int PER_PHASE = 600;
    private static final int SESSION_TIMEOUT_MS = 3000;
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @BrokerCluster(
            brokers = 3,
            properties = { // GroupTesting.overrides(3)
                "offsets.topic.replication.factor=3",
                "offsets.topic.num.partitions=10",
                "group.initial.rebalance.delay.ms=0",
                "group.min.session.timeout.ms=1000",
                "group.consumer.min.session.timeout.ms=2000",
                "group.consumer.session.timeout.ms=3000",
                "group.consumer.heartbeat.interval.ms=300"
            })
    private static StrandTestCluster cluster;

    @ParameterizedTest
    @ValueSource(strings = {"range", "cooperative-sticky"})
    void shouldConsumeEveryRecordOnceThroughAJoinALeaveAndAKill(String assignor) throws Exception {
        String topic = "orders-" + assignor;
        String group = "workers-" + assignor;
        String assignorClass =
                assignor.equals("range") ? RangeAssignor.class.getName() : CooperativeStickyAssignor.class.getName();
        cluster.createTopic(topic, PARTITIONS, 3);
        List<ChildConsumer> all = new ArrayList<>();
        try {
            // given three consumers sharing the six partitions
            for (String name : List.of("a", "b", "c")) {
                all.add(ChildConsumer.java(
                        name, cluster.bootstrapServers(), group, topic, assignorClass, SESSION_TIMEOUT_MS));
            }
            ChildConsumer a = all.get(0);
            ChildConsumer b = all.get(1);
            ChildConsumer c = all.get(2);
            awaitAssignment(List.of(a, b, c));
            int produced = 0;
            GroupTesting.produce(cluster, topic, PARTITIONS, produced, PER_PHASE);
            produced += PER_PHASE;
            awaitConsumed(all, produced);

            // when a fourth joins
            ChildConsumer d = ChildConsumer.java(
                    "d", cluster.bootstrapServers(), group, topic, assignorClass, SESSION_TIMEOUT_MS);
            all.add(d);
            awaitAssignment(List.of(a, b, c, d));
            GroupTesting.produce(cluster, topic, PARTITIONS, produced, PER_PHASE);
            produced += PER_PHASE;
            awaitConsumed(all, produced);

            // when one leaves cleanly
            b.stop();
            assertTrue(b.closedCleanly());
            awaitAssignment(List.of(a, c, d));
            GroupTesting.produce(cluster, topic, PARTITIONS, produced, PER_PHASE);
            produced += PER_PHASE;
            awaitConsumed(all, produced);

            // when one is killed while records keep coming
            GroupTesting.produce(cluster, topic, PARTITIONS, produced, PER_PHASE / 2);
            produced += PER_PHASE / 2;
            c.kill();
            GroupTesting.produce(cluster, topic, PARTITIONS, produced, PER_PHASE / 2);
            produced += PER_PHASE / 2;
            awaitAssignment(List.of(a, d));
            awaitConsumed(all, produced);
            a.stop();
            d.stop();

            // then every record was consumed, and only the killed consumer's uncommitted ones twice
            ProduceConsumeValidator validator = ChildConsumer.consumedAgainst(all, produced);
            validator.assertNoneLost();
            Set<String> byKilled = new HashSet<>(c.values());
            validator.assertNoDuplicatesExcept(
                    "records the killed consumer had read", e -> byKilled.contains(e.value()));
            validator.assertNothingUnexpected();
            for (ChildConsumer x : all) {
                assertEquals(List.of(), x.problems(), "commit failures in " + x.name);
            }
        } finally {
            for (ChildConsumer x : all) {
                x.close();
            }
        }
    }

    /**
     * The same with {@code group.protocol=consumer} (KIP-848): three members join one by one, one
     * leaves, one is killed; the broker's assignor spreads the partitions evenly each time and never
     * gives a partition to a member while another still owns it.
     */
    @ParameterizedTest
    // the server-side assignors themselves are covered in-process; one of them here keeps the CI run short
    @ValueSource(strings = {"uniform"})
    void shouldConsumeEveryRecordOnceWithTheConsumerProtocolThroughJoinsALeaveAndAKill(String assignor)
            throws Exception {
        String topic = "kip848-" + assignor;
        String group = "kip848-workers-" + assignor;
        cluster.createTopic(topic, PARTITIONS, 3);
        List<ChildConsumer> all = new ArrayList<>();
        try {
            int produced = 0;
            // given members joining one by one while records come
            for (String name : List.of("a", "b", "c")) {
                all.add(ChildConsumer.javaConsumerProtocol(name, cluster.bootstrapServers(), group, topic, assignor));
                awaitBalancedAssignment(all);
                GroupTesting.produce(cluster, topic, PARTITIONS, produced, PER_PHASE);
                produced += PER_PHASE;
                awaitConsumed(all, produced);
            }
            ChildConsumer a = all.get(0);
            ChildConsumer b = all.get(1);
            ChildConsumer c = all.get(2);

            // when one leaves cleanly
            b.stop();
            assertTrue(b.closedCleanly());
            awaitBalancedAssignment(List.of(a, c));
            GroupTesting.produce(cluster, topic, PARTITIONS, produced, PER_PHASE);
            produced += PER_PHASE;
            awaitConsumed(all, produced);

            // when one is killed while records keep coming
            GroupTesting.produce(cluster, topic, PARTITIONS, produced, PER_PHASE / 2);
            produced += PER_PHASE / 2;
            c.kill();
            GroupTesting.produce(cluster, topic, PARTITIONS, produced, PER_PHASE / 2);
            produced += PER_PHASE / 2;
            awaitBalancedAssignment(List.of(a));
            awaitConsumed(all, produced);
            a.stop();

            // then every record was consumed, only the killed member's uncommitted ones twice, and no
            // partition had two owners at any moment
            ProduceConsumeValidator validator = ChildConsumer.consumedAgainst(all, produced);
            validator.assertNoneLost();
            Set<String> byKilled = new HashSet<>(c.values());
            validator.assertNoDuplicatesExcept(
                    "records the killed consumer had read", e -> byKilled.contains(e.value()));
            validator.assertNothingUnexpected();
            ChildConsumer.assertNeverOwnedTwice(all);
            for (ChildConsumer x : all) {
                assertEquals(List.of(), x.problems(), "commit failures in " + x.name);
            }
        } finally {
            for (ChildConsumer x : all) {
                x.close();
            }
        }
    }

    /** Waits until the consumers own every partition once, each as many as the others or one fewer. */
    private static void awaitAssignment(List<ChildConsumer> consumers) throws InterruptedException {
        ChildConsumer.awaitAssignment(consumers, PARTITIONS, WITHIN);
    }

    private static void awaitConsumed(List<ChildConsumer> consumers, int count) throws InterruptedException {
        ChildConsumer.awaitConsumed(consumers, count, WITHIN);
    }

    private static void awaitBalancedAssignment(List<ChildConsumer> consumers) throws InterruptedException {
        awaitAssignment(consumers);
        Wait.waitUntil(
                "the partitions are spread evenly over " + consumers.size() + " consumers",
                Duration.ofSeconds(60),
                () -> {
                    int min = Integer.MAX_VALUE;
                    int max = 0;
                    for (ChildConsumer x : consumers) {
                        min = Math.min(min, x.owned().size());
                        max = Math.max(max, x.owned().size());
                    }
                    return max - min <= 1;
                },
                () -> ChildConsumer.ownership(consumers));
    }

    @org.junit.jupiter.api.Test
    void shouldShareATopicBetweenKcatAndAJavaConsumerInOneGroup() throws Exception {
        assertTrue(onPath("kcat"), "kcat must be on PATH for this test (apt-get install kcat)");
        String topic = "mixed";
        String group = "mixed-clients";
        int partitions = 4;
        cluster.createTopic(topic, partitions, 3);
        try (ChildConsumer java = ChildConsumer.java(
                        "java",
                        cluster.bootstrapServers(),
                        group,
                        topic,
                        RangeAssignor.class.getName(),
                        SESSION_TIMEOUT_MS);
                ChildConsumer kcat = ChildConsumer.kcat("kcat", cluster.bootstrapServers(), group, topic)) {
            // given both clients in one group, each owning part of the topic
            try (org.apache.kafka.clients.admin.Admin admin = cluster.admin()) {
                Wait.waitUntil("two members share the partitions", Duration.ofSeconds(60), () -> {
                    var d = admin.describeConsumerGroups(List.of(group))
                            .all()
                            .get()
                            .get(group);
                    return d.members().size() == 2
                            && d.members().stream()
                                    .allMatch(m ->
                                            !m.assignment().topicPartitions().isEmpty());
                });
                var d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                assertEquals("range", d.partitionAssignor());
                assertTrue(
                        d.members().stream().anyMatch(m -> m.clientId().startsWith("rdkafka")),
                        "one member is librdkafka: " + d.members());
            }
            GroupTesting.produce(cluster, topic, partitions, 0, 400);
            awaitConsumed(List.of(java, kcat), 400);
            assertTrue(!java.values().isEmpty() && !kcat.values().isEmpty(), "both consumed");
            // when kcat leaves, the Java consumer takes over every partition from the committed offsets
            kcat.terminate();
            Wait.waitUntil(
                    "the Java consumer owns every partition",
                    Duration.ofSeconds(60),
                    () -> java.owned().size() == partitions);
            GroupTesting.produce(cluster, topic, partitions, 400, 200);
            awaitConsumed(List.of(java, kcat), 600);
            java.stop();
            assertEquals(List.of(), java.problems());
        }
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
