package io.strand.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.TopicView;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.SlowTest;
import io.strand.testing.Wait;
import io.strand.tools.reassign.ReassignmentPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's own command-line tools, version 4.4 (org.apache.kafka:kafka-tools), run in this JVM
 * against a three-broker Strand cluster: TopicCommand (kafka-topics), ConfigCommand (kafka-configs),
 * ReassignPartitionsCommand (kafka-reassign-partitions), LeaderElectionCommand
 * (kafka-leader-election) and TransactionsCommand (kafka-transactions list / describe /
 * describe-producers / find-hanging / abort), with their
 * output checked line by line.
 */
@ExtendWith(StrandClusterExtension.class)
@SlowTest
class KafkaToolsCompatTest {
    @BrokerCluster(brokers = 3, properties = "auto.leader.rebalance.enable=false")
    private static StrandTestCluster cluster;

    private static String bootstrap;

    @TempDir
    Path dir;

    @BeforeAll
    static void startCluster() throws Exception {
        bootstrap = cluster.bootstrapServers();
    }

    private static KafkaTool.Result topics(String... args) throws Exception {
        return KafkaTool.run(KafkaTool.TOPIC_COMMAND, withBootstrap(args));
    }

    /** kafka-configs on one entity: "topics NAME", "brokers ID", or "brokers default" (--entity-default). */
    private static KafkaTool.Result configs(String entity, String... args) throws Exception {
        String[] typeAndName = entity.split(" ");
        String[] target = typeAndName[1].equals("default")
                ? new String[] {"--entity-type", typeAndName[0], "--entity-default"}
                : new String[] {"--entity-type", typeAndName[0], "--entity-name", typeAndName[1]};
        return KafkaTool.run(KafkaTool.CONFIG_COMMAND, withBootstrap(CliHarness.with(target, args)));
    }

    private static KafkaTool.Result reassign(String... args) throws Exception {
        return KafkaTool.run(KafkaTool.REASSIGN_COMMAND, withBootstrap(args));
    }

    private static KafkaTool.Result elect(String... args) throws Exception {
        return KafkaTool.run(KafkaTool.LEADER_ELECTION_COMMAND, withBootstrap(args));
    }

    private static KafkaTool.Result transactions(String... args) throws Exception {
        return KafkaTool.run(KafkaTool.TRANSACTIONS_COMMAND, withBootstrap(args));
    }

    @Test
    void kafkaTransactionsListsAndDescribesAnOngoingTransaction() throws Exception {
        cluster.createTopic("kt", 1, 3);
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of("transactional.id", "kt-producer"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("kt", 0, null, "v".getBytes())).get();

            KafkaTool.Result list = transactions("list");
            ok(list);
            assertTrue(
                    list.outLines().stream().anyMatch(l -> l.contains("kt-producer") && l.contains("Ongoing")),
                    list::toString);

            KafkaTool.Result describe = transactions("describe", "--transactional-id", "kt-producer");
            ok(describe);
            assertTrue(describe.outLines().get(0).contains("TransactionState"), describe::toString);
            String row = describe.outLines().get(1);
            assertTrue(row.contains("Ongoing") && row.contains("kt-0"), describe::toString);
            producer.commitTransaction();
        }
    }

    @Test
    void kafkaTransactionsDescribesAndAbortsAHangingTransaction() throws Exception {
        cluster.createTopic("kt-hang", 1, 3);
        long producerId = 777_777;
        int leader = cluster.broker(1)
                .metadataCache()
                .partition(new org.apache.kafka.common.TopicPartition("kt-hang", 0))
                .orElseThrow()
                .leader();
        // a transactional batch no coordinator knows of: the transaction hangs
        try (io.strand.server.testing.RawKafkaConnection c =
                new io.strand.server.testing.RawKafkaConnection("127.0.0.1", cluster.port(leader))) {
            var produced = c.produce(
                    "kt-hang",
                    0,
                    (short) -1,
                    10_000,
                    org.apache.kafka.common.record.internal.MemoryRecords.withTransactionalRecords(
                            org.apache.kafka.common.compress.Compression.NONE,
                            producerId,
                            (short) 0,
                            0,
                            new org.apache.kafka.common.record.internal.SimpleRecord("hanging".getBytes())));
            assertEquals(0, produced.errorCode());
        }
        KafkaTool.Result producers = transactions("describe-producers", "--topic", "kt-hang", "--partition", "0");
        ok(producers);
        String row = producers.outLines().stream()
                .filter(l -> l.startsWith(Long.toString(producerId)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(producers.toString()));
        assertTrue(row.trim().endsWith(" 0") || row.contains("\t0"), "open transaction from offset 0: " + row);

        KafkaTool.Result hanging = transactions("find-hanging", "--topic", "kt-hang", "--max-transaction-timeout", "0");
        ok(hanging);
        assertTrue(
                hanging.outLines().stream().anyMatch(l -> l.contains(Long.toString(producerId))),
                "find-hanging lists the producer no coordinator knows of: " + hanging);

        ok(transactions("abort", "--topic", "kt-hang", "--partition", "0", "--start-offset", "0"));
        KafkaTool.Result after = transactions("describe-producers", "--topic", "kt-hang", "--partition", "0");
        ok(after);
        String afterRow = after.outLines().stream()
                .filter(l -> l.startsWith(Long.toString(producerId)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(after.toString()));
        assertTrue(afterRow.trim().endsWith("None"), "no open transaction after the abort: " + afterRow);
    }

    private static String[] withBootstrap(String... args) {
        return CliHarness.with(new String[] {"--bootstrap-server", bootstrap}, args);
    }

    private static void ok(KafkaTool.Result r) {
        assertEquals(0, r.code(), r::toString);
    }

    private static TopicView topic(String name) {
        return cluster.broker(1).metadataCache().topic(name).orElseThrow();
    }

    private static String ids(List<Integer> ids) {
        return String.join(",", ids.stream().map(String::valueOf).toList());
    }

    @Test
    void kafkaTopicsCreatesDescribesAltersListsAndDeletes() throws Exception {
        KafkaTool.Result r = topics(
                "--create",
                "--topic",
                "kt",
                "--partitions",
                "2",
                "--replication-factor",
                "2",
                "--config",
                "retention.ms=86400000");
        ok(r);
        assertEquals("Created topic kt.\n", r.out());
        r = topics("--create", "--topic", "kt", "--partitions", "1", "--replication-factor", "1");
        assertEquals(1, r.code(), r::toString);
        assertEquals(
                "Error while executing topic command : Topic 'kt' already exists with 2 partitions and "
                        + "replication factor 2.\n",
                r.out());
        Wait.waitUntil(
                "kt has leaders", Duration.ofSeconds(20), () -> topic("kt").complete());

        r = topics("--alter", "--topic", "kt", "--partitions", "3");
        ok(r);
        r = topics("--describe", "--topic", "kt");
        ok(r);
        TopicView kt = topic("kt");
        List<String> lines = r.outLines();
        assertEquals(
                "Topic: kt\tTopicId: " + kt.topicId() + "\tPartitionCount: 3\tReplicationFactor: 2\t"
                        + "Configs: retention.ms=86400000",
                lines.get(0));
        for (int p = 0; p < 3; p++) {
            PartitionInfo info = kt.partition(p).orElseThrow();
            assertEquals(
                    "\tTopic: kt\tPartition: " + p + "\tLeader: " + info.leader() + "\tReplicas: "
                            + ids(info.replicas()) + "\tIsr: " + ids(info.isr()) + "\tElr: \tLastKnownElr: ",
                    lines.get(1 + p));
        }
        r = topics("--describe", "--topic", "nope");
        assertEquals(1, r.code(), r::toString);
        assertEquals("Error while executing topic command : Topic 'nope' does not exist as expected\n", r.out());
        r = topics("--list");
        ok(r);
        assertTrue(r.outLines().contains("kt"), r::toString);
        r = topics("--delete", "--topic", "kt");
        ok(r);
        r = topics("--list");
        assertFalse(r.outLines().contains("kt"), r::toString);
    }

    @Test
    void kafkaConfigsChangesTopicAndBrokerConfigs() throws Exception {
        cluster.createTopic("kc", 1, 1);
        KafkaTool.Result r =
                configs("topics kc", "--alter", "--add-config", "retention.ms=1000,cleanup.policy=[delete,compact]");
        ok(r);
        assertEquals("Completed updating config for topic kc.\n", r.out());
        r = configs("topics kc", "--describe");
        ok(r);
        assertEquals(
                List.of(
                        "Dynamic configs for topic kc are:",
                        "  cleanup.policy=delete,compact sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=delete,compact, "
                                + "DEFAULT_CONFIG:log.cleanup.policy=delete}",
                        "  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000, "
                                + "DEFAULT_CONFIG:log.retention.hours=168}"),
                r.outLines());
        ok(configs("topics kc", "--alter", "--delete-config", "retention.ms"));
        Wait.waitUntil(
                "retention.ms removed",
                Duration.ofSeconds(10),
                () -> topic("kc").configs().equals(Map.of("cleanup.policy", "delete,compact")));
        r = configs("topics kc", "--alter", "--add-config", "retention.ms=soon");
        assertEquals(1, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains(
                                "InvalidConfigurationException: Invalid config for topic kc: config retention.ms=soon "
                                        + "is not a number"),
                r::toString);
        r = configs("topics nope", "--describe");
        ok(r);
        assertEquals("The topic 'nope' doesn't exist and doesn't have dynamic config.\n", r.out());

        r = configs("brokers 2", "--alter", "--add-config", "leader.replication.throttled.rate=1000000");
        ok(r);
        assertEquals("Completed updating config for broker 2.\n", r.out());
        r = configs("brokers 2", "--describe");
        ok(r);
        assertEquals(
                List.of(
                        "Dynamic configs for broker 2 are:",
                        "  leader.replication.throttled.rate=1000000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:"
                                + "leader.replication.throttled.rate=1000000, DEFAULT_CONFIG:leader.replication.throttled.rate="
                                + Long.MAX_VALUE + "}"),
                r.outLines());
        ok(configs("brokers default", "--alter", "--add-config", "leader.replication.throttled.rate=2000000"));
        r = configs("brokers default", "--describe");
        ok(r);
        assertEquals(
                List.of(
                        "Default configs for brokers in the cluster are:",
                        "  leader.replication.throttled.rate=2000000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:"
                                + "leader.replication.throttled.rate=2000000}"),
                r.outLines());
        ok(configs("brokers default", "--alter", "--delete-config", "leader.replication.throttled.rate"));
        ok(configs("brokers 2", "--alter", "--delete-config", "leader.replication.throttled.rate"));

        r = configs("brokers 2", "--alter", "--add-config", "log.dirs=/tmp/x");
        assertEquals(1, r.code(), r::toString);
        assertTrue(
                r.err().contains("InvalidRequestException: Cannot update these configs dynamically: log.dirs"),
                r::toString);
    }

    @Test
    void kafkaReassignPartitionsGeneratesExecutesVerifiesAndCancels() throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic("kr", Map.of(0, List.of(1, 2), 1, List.of(2, 1)))))
                    .all()
                    .get();
        }
        Wait.waitUntil(
                "kr has leaders",
                Duration.ofSeconds(20),
                () -> cluster.brokers().stream()
                        .anyMatch(b -> b.replicaManager()
                                .partition(new TopicPartition("kr", 1))
                                .map(p -> p.isLeader())
                                .orElse(false)));
        Path topics = Files.writeString(dir.resolve("topics.json"), "{\"topics\":[{\"topic\":\"kr\"}],\"version\":1}");
        KafkaTool.Result r =
                reassign("--generate", "--topics-to-move-json-file", topics.toString(), "--broker-list", "2,3");
        ok(r);
        assertEquals("Current partition replica assignment", r.outLines().get(0));
        assertEquals(
                "Proposed partition reassignment configuration", r.outLines().get(3));
        var proposed = ReassignmentPlan.parse(r.outLines().get(4));
        assertEquals(2, proposed.size());
        proposed.values().forEach(replicas -> assertEquals(java.util.Set.of(2, 3), new java.util.HashSet<>(replicas)));

        Path plan = Files.writeString(dir.resolve("plan.json"), r.outLines().get(4));
        r = reassign("--execute", "--reassignment-json-file", plan.toString(), "--throttle", "50000000");
        ok(r);
        assertTrue(r.out().contains("Successfully started partition reassignments for kr-0,kr-1"), r::toString);
        assertTrue(r.out().contains("The inter-broker throttle limit was set to 50000000 B/s"), r::toString);
        Wait.waitUntil("--verify reports both moves complete", Duration.ofSeconds(30), () -> {
            try {
                KafkaTool.Result v = reassign("--verify", "--reassignment-json-file", plan.toString());
                return v.out().contains("Reassignment of partition kr-0 is completed.")
                        && v.out().contains("Reassignment of partition kr-1 is completed.");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        proposed.forEach(
                (tp, replicas) -> assertEquals(replicas, topic("kr").replicas().get(tp.partition())));
        // the plan moves between the tools: Strand's status reads Kafka's plan, and Kafka's rollback plan (with log
        // dirs)
        CliHarness.Result status = CliHarness.run(
                "reassign", "status", "--reassignment-json-file", plan.toString(), "--bootstrap-server", bootstrap);
        assertEquals(0, status.code(), status::toString);
        assertEquals(
                2,
                status.outLines().stream()
                        .filter(l -> l.matches("kr-[01] +complete .*"))
                        .count(),
                status::toString);
        Wait.waitUntil(
                "--verify cleared the throttles",
                Duration.ofSeconds(10),
                () -> cluster.broker(1).metadataCache().brokerConfig("2").isEmpty()
                        && topic("kr").configs().isEmpty());

        // a move held back by a tiny throttle, then cancelled back to where it started
        try (KafkaProducer<byte[], byte[]> producer =
                cluster.producer(Map.of("acks", "all", "enable.idempotence", "false", "linger.ms", "5"))) {
            for (int i = 0; i < 300; i++) {
                producer.send(new ProducerRecord<>("kr", 0, null, new byte[1000]));
            }
            producer.flush();
        }
        List<Integer> before = topic("kr").replicas().get(0);
        int newcomer = 1;
        List<Integer> target = List.of(before.get(0), newcomer);
        Path slow = Files.writeString(
                dir.resolve("slow.json"),
                "{\"version\":1,\"partitions\":[{\"topic\":\"kr\"," + "\"partition\":0,\"replicas\":[" + ids(target)
                        + "],\"log_dirs\":[\"any\",\"any\"]}]}");
        KafkaTool.Result executed =
                reassign("--execute", "--reassignment-json-file", slow.toString(), "--throttle", "10000");
        ok(executed);
        Path rollback = Files.writeString(
                dir.resolve("rollback.json"), executed.outLines().get(2));
        CliHarness.Result strandStatus = CliHarness.run(
                "reassign", "status", "--reassignment-json-file", rollback.toString(), "--bootstrap-server", bootstrap);
        assertEquals(0, strandStatus.code(), strandStatus::toString);
        assertTrue(strandStatus.out().contains("kr-0       in progress"), strandStatus::toString);
        assertTrue(
                strandStatus
                        .err()
                        .startsWith("warning: --reassignment-json-file " + rollback + " names log directories"),
                strandStatus::toString);
        r = reassign("--verify", "--reassignment-json-file", slow.toString(), "--preserve-throttles");
        assertTrue(r.out().contains("Reassignment of partition kr-0 is still in progress."), r::toString);
        r = reassign("--cancel", "--reassignment-json-file", slow.toString());
        ok(r);
        assertTrue(r.out().startsWith("Successfully cancelled partition reassignment for: kr-0\n"), r::toString);
        Wait.waitUntil(
                "kr-0 back on " + before,
                Duration.ofSeconds(20),
                () -> topic("kr").replicas().get(0).equals(before)
                        && cluster.broker(1).metadataCache().reassignments().isEmpty());
    }

    @Test
    void kafkaLeaderElectionMovesLeadershipToThePreferredReplica() throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic("ke", Map.of(0, List.of(1, 3)))))
                    .all()
                    .get();
            Wait.waitUntil(
                    "broker 1 leads ke-0",
                    Duration.ofSeconds(20),
                    () -> topic("ke")
                            .partition(0)
                            .map(p -> p.leader() == 1 && p.isr().size() == 2)
                            .orElse(false));
            // swap the replica order: broker 3 becomes the preferred leader while broker 1 keeps leading
            admin.alterPartitionReassignments(Map.of(
                            new TopicPartition("ke", 0), Optional.of(new NewPartitionReassignment(List.of(3, 1)))))
                    .all()
                    .get();
            Wait.waitUntil(
                    "replicas [3, 1]",
                    Duration.ofSeconds(20),
                    () -> topic("ke").replicas().get(0).equals(List.of(3, 1)));
        }
        assertEquals(1, topic("ke").partition(0).orElseThrow().leader());

        KafkaTool.Result r = elect("--election-type", "preferred", "--topic", "ke", "--partition", "0");
        ok(r);
        assertEquals("Successfully completed leader election (PREFERRED) for partitions ke-0\n", r.out());
        Wait.waitUntil(
                "broker 3 leads ke-0",
                Duration.ofSeconds(10),
                () -> topic("ke").partition(0).orElseThrow().leader() == 3);
        r = elect("--election-type", "preferred", "--topic", "ke", "--partition", "0");
        ok(r);
        assertEquals("Valid replica already elected for partitions ke-0\n", r.out());
        r = elect("--election-type", "preferred", "--all-topic-partitions");
        ok(r);
        assertFalse(r.out().contains("Error"), r::toString);
        assertTrue(
                r.out().isEmpty() || r.out().startsWith("Successfully completed leader election (PREFERRED)"),
                r::toString);
        r = elect("--election-type", "preferred", "--topic", "nope", "--partition", "0");
        assertEquals(1, r.code(), r::toString);
        assertEquals(
                "Error completing leader election (PREFERRED) for partition: nope-0: "
                        + "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: The partition nope-0 does not exist.\n",
                r.out());
    }
}
