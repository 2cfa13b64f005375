package io.strand.tools.topics;

import static io.strand.tools.CliHarness.assertOneLineError;
import static io.strand.tools.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.TopicAssignments;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.PartitionState;
import io.strand.coordinator.proto.TopicAssignment;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import io.strand.tools.CliHarness;
import io.strand.tools.ClusterMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The topics commands through a broker (Kafka's Admin client) against an in-process Strand cluster of three brokers. */
@ExtendWith(StrandClusterExtension.class)
class TopicsBootstrapServerTest {
    @BrokerCluster(brokers = 3)
    private static StrandTestCluster cluster;

    @RegisterExtension
    static final ClusterMetadata metadata = new ClusterMetadata(() -> cluster.zookeeperConnect());

    private static CliHarness.Result cli(String... args) {
        return run(CliHarness.with(args, "--bootstrap-server", cluster.bootstrapServer(2)));
    }

    private static TopicAssignment assignment(String topic) {
        return metadata.store()
                .read(Znodes.topic(topic), TopicAssignment.parser())
                .orElseThrow()
                .value();
    }

    @Test
    void shouldCreateListAndDescribeThroughABroker() throws Exception {
        CliHarness.Result created =
                cli("topics", "create", "-t", "orders", "-p", "3", "-r", "2", "--config", "retention.ms=60000");
        assertEquals(0, created.code(), created::toString);
        TopicAssignment written = assignment("orders");
        assertEquals(
                "Created topic orders (topic id " + written.getTopicId() + ", 3 partitions, replication factor 2).\n",
                created.out());

        CliHarness.Result list = cli("topics", "list");
        assertEquals(0, list.code(), list::toString);
        assertTrue(list.outLines().contains("orders"), list::toString);

        Map<Integer, List<Integer>> replicas = TopicAssignments.replicas(written);
        Wait.waitUntil(
                "the broker's metadata shows every leader of orders",
                Duration.ofSeconds(20),
                () -> cli("topics", "describe", "-t", "orders").out().lines().noneMatch(l -> l.contains(" none ")));
        CliHarness.Result describe = cli("topics", "describe", "-t", "orders");
        assertEquals(0, describe.code(), describe::toString);
        assertEquals("", describe.err(), "no warnings");
        List<String> lines = describe.outLines();
        // the broker answers DescribeConfigs: the overrides are shown; the Admin API has no leader epochs
        assertEquals(
                "Topic: orders  TopicId: " + written.getTopicId() + "  PartitionCount: 3  ReplicationFactor: 2"
                        + "  Configs: retention.ms=60000",
                lines.get(0));
        assertEquals(
                List.of("PARTITION", "LEADER", "REPLICAS", "ISR"),
                List.of(lines.get(1).trim().split("\\s+")));
        for (int p = 0; p < 3; p++) {
            PartitionState s = metadata.store()
                    .read(Znodes.partitionState("orders", p), PartitionState.parser())
                    .orElseThrow()
                    .value();
            assertEquals(
                    List.of(
                            String.valueOf(p),
                            String.valueOf(s.getLeader()),
                            TopicBackend.formatIds(replicas.get(p)),
                            TopicBackend.formatIds(s.getIsrList())),
                    List.of(lines.get(2 + p).trim().split("\\s+")),
                    describe::toString);
        }

        CliHarness.Result json = cli("topics", "describe", "-t", "orders", "--json");
        assertEquals(0, json.code(), json::toString);
        assertTrue(
                json.out()
                        .startsWith("[{\"topic\":\"orders\",\"topicId\":\"" + written.getTopicId()
                                + "\",\"partitionCount\":3,\"replicationFactor\":2,\"configs\":{\"retention.ms\":\"60000\"},"
                                + "\"partitions\":[{\"partition\":0,\"leader\":"),
                json::toString);
        assertFalse(json.out().contains("leaderEpoch"), json::toString);
    }

    @Test
    void shouldFailWithTheWinningAssignmentWhenTheTopicExists() throws Exception {
        cluster.createTopic("taken", 2, 3);
        TopicAssignment winner = assignment("taken");

        CliHarness.Result r = cli("topics", "create", "-t", "taken", "-p", "5", "-r", "1");

        assertOneLineError(
                r,
                1,
                "topic 'taken' already exists (TOPIC_ALREADY_EXISTS)",
                "topic id " + winner.getTopicId(),
                "{" + TopicBackend.formatAssignment(TopicAssignments.replicas(winner)) + "}");
        assertEquals(winner, assignment("taken"));
    }

    @Test
    void shouldFailNamingAnUnknownTopic() {
        assertOneLineError(
                cli("topics", "describe", "-t", "nope"),
                1,
                "topic 'nope' does not exist",
                "UNKNOWN_TOPIC_OR_PARTITION");
    }

    @Test
    void shouldFailNamingTheReasonTheBrokerGives() {
        assertOneLineError(
                cli("topics", "create", "-t", "wide", "-r", "4"),
                1,
                "cannot create topic 'wide'",
                "INVALID_REPLICATION_FACTOR");
    }

    @Test
    void shouldWatchTheZnodesOfATopicCreatedThroughABroker() throws Exception {
        try (CliHarness.Running watch = new CliHarness.Running(
                "watch", "/topics/watched", "--since-now", "--zookeeper", cluster.zookeeperConnect())) {
            watch.awaitErr("the watch to start", err -> err.contains("# watching "), Duration.ofSeconds(20));
            assertEquals(
                    0,
                    cli("topics", "create", "-t", "watched", "-p", "2", "-r", "2")
                            .code());
            watch.awaitOut(
                    "both partition states",
                    out -> out.contains(" CREATED /topics/watched/partitions/0/state ")
                            && out.contains(" CREATED /topics/watched/partitions/1/state "),
                    Duration.ofSeconds(20));
            assertTrue(
                    watch.out()
                            .contains(" CREATED /topics/watched version=0 {\"topicId\":\""
                                    + assignment("watched").getTopicId() + "\""),
                    watch::out);
            assertEquals(0, watch.stop());
        }
    }

    @Test
    void shouldShowLeaderEpochsOfABrokerCreatedTopicWithZooKeeper() throws Exception {
        cluster.createTopic("both", 1, 3);
        CliHarness.Result r = run("topics", "describe", "-t", "both", "--zookeeper", cluster.zookeeperConnect());
        assertEquals(0, r.code(), r::toString);
        PartitionState s = metadata.store()
                .read(Znodes.partitionState("both", 0), PartitionState.parser())
                .orElseThrow()
                .value();
        assertEquals(
                List.of(
                        "0",
                        String.valueOf(s.getLeader()),
                        String.valueOf(s.getLeaderEpoch()),
                        TopicBackend.formatIds(
                                TopicAssignments.replicas(assignment("both")).get(0)),
                        TopicBackend.formatIds(s.getIsrList())),
                List.of(r.outLines().get(2).trim().split("\\s+")),
                r::toString);
    }
}
