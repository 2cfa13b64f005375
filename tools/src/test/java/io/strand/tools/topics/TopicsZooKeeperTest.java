package io.strand.tools.topics;

import static io.strand.tools.CliHarness.assertOneLineError;
import static io.strand.tools.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.TopicAssignments;
import io.strand.coordinator.TopicCreation;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.PartitionState;
import io.strand.coordinator.proto.TopicAssignment;
import io.strand.coordinator.proto.TopicConfig;
import io.strand.tools.CliHarness;
import io.strand.tools.StrandZk;
import io.strand.tools.ZooKeeperCliTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** topics create/list/describe --zookeeper against a real ZooKeeper with three registered brokers. */
class TopicsZooKeeperTest extends ZooKeeperCliTest {
    TopicsZooKeeperTest() {
        super(0, 1, 2);
    }

    private TopicAssignment assignment(String topic) {
        return cluster.store
                .read(Znodes.topic(topic), TopicAssignment.parser())
                .orElseThrow()
                .value();
    }

    @Test
    void shouldCreateListAndDescribeATopic() {
        CliHarness.Result created = cli(
                "topics",
                "create",
                "--topic",
                "orders",
                "--partitions",
                "3",
                "--replication-factor",
                "2",
                "--config",
                "retention.ms=60000",
                "--config",
                "cleanup.policy=compact,delete");
        assertEquals(0, created.code(), created::toString);
        TopicAssignment written = assignment("orders");
        assertTrue(
                created.out()
                        .startsWith("Created topic orders (topic id " + written.getTopicId()
                                + ", 3 partitions, replication factor 2)."),
                created::toString);
        assertEquals(
                Map.of("retention.ms", "60000", "cleanup.policy", "compact,delete"),
                cluster.store
                        .read(Znodes.topicConfig("orders"), TopicConfig.parser())
                        .orElseThrow()
                        .value()
                        .getOverridesMap());

        CliHarness.Result list = cli("topics", "list");
        assertEquals(0, list.code(), list::toString);
        assertEquals(List.of("orders"), list.outLines());
        assertEquals("[\"orders\"]\n", cli("topics", "list", "--json").out());

        CliHarness.Result describe = cli("topics", "describe", "--topic", "orders");
        assertEquals(0, describe.code(), describe::toString);
        List<String> lines = describe.outLines();
        assertEquals(
                "Topic: orders  TopicId: " + written.getTopicId()
                        + "  PartitionCount: 3  ReplicationFactor: 2  Configs: cleanup.policy=compact,delete, retention.ms=60000",
                lines.get(0));
        // a compacted topic: its policy (here the override; no broker reports dirty ratios)
        assertEquals(
                List.of("PARTITION", "LEADER", "LEADER_EPOCH", "REPLICAS", "ISR", "POLICY"),
                List.of(lines.get(1).trim().split("\\s+")));
        Map<Integer, List<Integer>> replicas = TopicAssignments.replicas(written);
        for (int p = 0; p < 3; p++) {
            String r = TopicBackend.formatIds(replicas.get(p));
            assertEquals(
                    List.of(String.valueOf(p), String.valueOf(replicas.get(p).get(0)), "0", r, r, "compact,delete"),
                    List.of(lines.get(2 + p).trim().split("\\s+")),
                    describe::toString);
        }
        assertEquals(5, lines.size(), describe::toString);
    }

    @Test
    void shouldDescribeAsJsonWithLeaderEpochs() {
        assertEquals(
                0, cli("topics", "create", "-t", "events", "-p", "2", "-r", "3").code());
        TopicAssignment written = assignment("events");
        Map<Integer, List<Integer>> replicas = TopicAssignments.replicas(written);
        // the leader of partition 1 moves on: epoch 1, new leader
        Versioned<PartitionState> state = cluster.store
                .read(Znodes.partitionState("events", 1), PartitionState.parser())
                .orElseThrow();
        int newLeader = replicas.get(1).get(1);
        cluster.store.setIfVersion(
                Znodes.partitionState("events", 1),
                state.value().toBuilder()
                        .setLeader(newLeader)
                        .setLeaderEpoch(1)
                        .setPartitionEpoch(1)
                        .build(),
                state.version());

        CliHarness.Result r = cli("topics", "describe", "--json");
        assertEquals(0, r.code(), r::toString);
        String json = r.out().trim();
        assertTrue(
                json.startsWith("[{\"topic\":\"events\",\"topicId\":\"" + written.getTopicId()
                        + "\",\"partitionCount\":2,\"replicationFactor\":3,\"configs\":{},\"partitions\":["),
                json);
        assertTrue(
                json.contains(
                        "{\"partition\":0,\"leader\":" + replicas.get(0).get(0) + ",\"leaderEpoch\":0,\"replicas\":"
                                + replicas.get(0).toString().replace(" ", "") + ","),
                json);
        assertTrue(
                json.contains("{\"partition\":1,\"leader\":" + newLeader + ",\"leaderEpoch\":1,\"replicas\":"
                        + replicas.get(1).toString().replace(" ", "") + ","),
                json);
    }

    @Test
    void shouldCreateWithAReplicaAssignment() {
        CliHarness.Result r = cli("topics", "create", "-t", "pinned", "--replica-assignment", "2:0,0:1,1:2", "--json");
        assertEquals(0, r.code(), r::toString);
        assertEquals(
                Map.of(0, List.of(2, 0), 1, List.of(0, 1), 2, List.of(1, 2)),
                TopicAssignments.replicas(assignment("pinned")));
        assertTrue(r.out().contains("\"assignment\":{\"0\":[2,0],\"1\":[0,1],\"2\":[1,2]}"), r::toString);
        CliHarness.Result d = cli("topics", "describe", "-t", "pinned");
        assertTrue(d.out().contains("\n  0          2       0             2,0       2,0\n"), d::toString);
    }

    @Test
    void shouldFailWithTheWinningAssignmentWhenTheTopicExists() {
        TopicCreation.Created winner = cluster.createTopic("taken", 3, 2);
        Map<Integer, List<Integer>> won = TopicAssignments.replicas(winner.assignment());

        CliHarness.Result r = cli("topics", "create", "-t", "taken", "-p", "6", "-r", "1");

        assertOneLineError(
                r,
                1,
                "topic 'taken' already exists (TOPIC_ALREADY_EXISTS)",
                "topic id " + winner.assignment().getTopicId(),
                "{" + TopicBackend.formatAssignment(won) + "}");
        assertTrue(r.err().contains("0:[" + TopicBackend.formatIds(won.get(0)) + "]"), r::toString);
        assertEquals(winner.assignment(), assignment("taken"), "the winner's assignment must be unchanged");
    }

    @Test
    void shouldFailNamingTheTopicWhenItIsUnknown() {
        assertOneLineError(
                cli("topics", "describe", "--topic", "nope"),
                1,
                "topic 'nope' does not exist",
                "UNKNOWN_TOPIC_OR_PARTITION");
    }

    @Test
    void shouldFailNamingTheReasonWhenTopicCreatorRejects() {
        assertOneLineError(
                cli("topics", "create", "-t", "big", "-r", "4"),
                1,
                "cannot create topic 'big'",
                "INVALID_REPLICATION_FACTOR");
        assertOneLineError(
                cli("topics", "create", "-t", "bad", "--config", "no.such.config=1"),
                1,
                "cannot create topic 'bad'",
                "INVALID_CONFIG",
                "no.such.config");
        assertOneLineError(cli("topics", "create", "-t", "bad/name"), 1, "INVALID_TOPIC_NAME");
        assertEquals(List.of(), cli("topics", "list").outLines());
    }

    @Test
    void shouldHintAtTheChrootWhenNoBrokerIsRegistered() {
        try (StrandZk empty = StrandZk.withBrokers(server)) {
            CliHarness.Result r = run("topics", "create", "-t", "t", "--zookeeper", empty.connect);
            assertOneLineError(r, 1, "cannot create topic 't'", "no broker is registered under " + empty.connect);
        }
    }

    @Test
    void shouldFailWithoutCreatingAChrootThatDoesNotExist() throws Exception {
        String typo = server.getConnectString() + "/strnad";
        assertOneLineError(
                run("topics", "list", "--zookeeper", typo),
                1,
                "no Strand cluster under " + typo,
                "the chroot /strnad does not exist");
        assertOneLineError(
                run("topics", "create", "-t", "t", "--zookeeper", typo), 1, "the chroot /strnad does not exist");
        assertOneLineError(run("zk", "ls", "/", "--zookeeper", typo), 1, "the chroot /strnad does not exist");
        assertTrue(
                cluster.zk.usingNamespace(null).checkExists().forPath("/strnad") == null,
                "the tools must not create the chroot");
    }

    @Test
    void shouldDescribeEveryTopicWithDefaultsOfOnePartitionAndOneReplica() {
        assertEquals(0, cli("topics", "create", "-t", "b").code());
        assertEquals(0, cli("topics", "create", "-t", "a", "-p", "2").code());
        CliHarness.Result r = cli("topics", "describe");
        assertEquals(0, r.code(), r::toString);
        List<String> lines = r.outLines();
        assertTrue(lines.get(0).startsWith("Topic: a  TopicId: "), r::toString);
        assertTrue(lines.get(0).contains("PartitionCount: 2  ReplicationFactor: 1  Configs: "), r::toString);
        assertEquals("", lines.get(4), r::toString);
        assertTrue(lines.get(5).startsWith("Topic: b  TopicId: "), r::toString);
        assertTrue(lines.get(5).contains("PartitionCount: 1  ReplicationFactor: 1"), r::toString);
        assertEquals(List.of("a", "b"), cli("topics", "list").outLines());
    }
}
