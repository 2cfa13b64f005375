package io.strand.tools;

import static io.strand.tools.CliHarness.assertOneLineError;
import static io.strand.tools.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.ControllerRegistration;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import io.strand.tools.reassign.ReassignmentPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The admin commands against an in-process Strand cluster of four brokers. */
@ExtendWith(StrandClusterExtension.class)
class AdminCommandsTest {
    @BrokerCluster(brokers = 4, properties = "auto.leader.rebalance.enable=false")
    private static StrandTestCluster cluster;

    @RegisterExtension
    static final ClusterMetadata metadata = new ClusterMetadata(() -> cluster.zookeeperConnect());

    @TempDir
    Path dir;

    private static CliHarness.Result cli(String... args) {
        return run(CliHarness.with(args, "--bootstrap-server", cluster.bootstrapServer(1)));
    }

    /** reassign execute of a plan file {@code name} moving the one partition {@code partition} (its JSON object). */
    private CliHarness.Result executePlan(String name, String partition) throws Exception {
        Path plan = Files.writeString(dir.resolve(name), "{\"version\":1,\"partitions\":[" + partition + "]}");
        return cli("reassign", "execute", "--reassignment-json-file", plan.toString());
    }

    private static void ok(CliHarness.Result r) {
        assertEquals(0, r.code(), r::toString);
    }

    @Test
    void shouldAlterAndDeleteTopicsThroughABrokerAndWithZooKeeper() throws Exception {
        cluster.createTopic("altered", 2, 2);
        CliHarness.Result r =
                cli("topics", "alter", "-t", "altered", "--partitions", "4", "--config", "retention.ms=60000");
        ok(r);
        assertEquals("Altered topic altered: partitions 2 -> 4, set retention.ms=60000.\n", r.out());
        r = cli("topics", "describe", "-t", "altered");
        assertTrue(
                r.outLines().get(0).contains("PartitionCount: 4  ReplicationFactor: 2  Configs: retention.ms=60000"),
                r::toString);

        r = run(
                "topics",
                "alter",
                "-t",
                "altered",
                "--delete-config",
                "retention.ms",
                "--partitions",
                "5",
                "--zookeeper",
                cluster.zookeeperConnect(),
                "--json");
        ok(r);
        assertEquals("{\"topic\":\"altered\",\"partitionsBefore\":4,\"partitionCount\":5,\"configs\":{}}\n", r.out());
        assertOneLineError(
                cli("topics", "alter", "-t", "altered", "--partitions", "3"),
                1,
                "cannot alter topic 'altered'",
                "INVALID_PARTITIONS",
                "higher than the requested 3");
        assertOneLineError(
                cli("topics", "alter", "-t", "altered", "--config", "retention.ms=soon"),
                1,
                "cannot alter topic 'altered'",
                "INVALID_CONFIG",
                "retention.ms=soon is not a number");

        String id = cluster.broker(1)
                .metadataCache()
                .topic("altered")
                .orElseThrow()
                .topicId()
                .toString();
        r = cli("topics", "delete", "-t", "altered");
        ok(r);
        assertEquals("Deleted topic altered (topic id " + id + ").\n", r.out());
        assertOneLineError(cli("topics", "describe", "-t", "altered"), 1, "topic 'altered' does not exist");
        assertOneLineError(
                cli("topics", "delete", "-t", "altered"),
                1,
                "topic 'altered' does not exist",
                "UNKNOWN_TOPIC_OR_PARTITION");
        assertOneLineError(
                cli("topics", "alter", "-t", "altered", "--partitions", "9"), 1, "topic 'altered' does not exist");

        cluster.createTopic("zk-deleted", 1, 1);
        r = run("topics", "delete", "-t", "zk-deleted", "--zookeeper", cluster.zookeeperConnect());
        ok(r);
        assertTrue(r.out().startsWith("Topic zk-deleted (topic id "), r::toString);
        assertTrue(r.out().contains("is marked for deletion"), r::toString);
        Wait.waitUntil(
                "the controller deleted zk-deleted",
                Duration.ofSeconds(20),
                () -> !metadata.store().exists(Znodes.topic("zk-deleted")));
        assertOneLineError(
                run("topics", "delete", "-t", "zk-deleted", "--zookeeper", cluster.zookeeperConnect()),
                1,
                "topic 'zk-deleted' does not exist");
    }

    @Test
    void shouldGetSetAndDeleteConfigs() {
        try {
            cluster.createTopic("configured", 1, 1);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        ok(cli(
                "configs",
                "set",
                "--topic",
                "configured",
                "--config",
                "retention.ms=1000",
                "--config",
                "cleanup.policy=compact"));
        CliHarness.Result r = cli("configs", "get", "--topic", "configured");
        ok(r);
        assertEquals(
                List.of(
                        "NAME            VALUE    SOURCE",
                        "cleanup.policy  compact  DYNAMIC_TOPIC_CONFIG",
                        "retention.ms    1000     DYNAMIC_TOPIC_CONFIG"),
                r.outLines());
        r = cli("configs", "get", "--topic", "configured", "--all", "--json");
        ok(r);
        assertTrue(
                r.out()
                        .contains(
                                "{\"name\":\"segment.bytes\",\"value\":\"1073741824\",\"source\":\"DEFAULT_CONFIG\",\"readOnly\":false}"),
                r::toString);
        r = cli("configs", "delete", "--topic", "configured", "--config", "retention.ms");
        ok(r);
        assertEquals("Removed retention.ms from topic 'configured'.\n", r.out());

        r = cli("configs", "set", "--broker", "2", "--config", "leader.replication.throttled.rate=5000000");
        ok(r);
        assertEquals("Set leader.replication.throttled.rate=5000000 on broker 2.\n", r.out());
        r = cli("configs", "get", "--broker", "2");
        ok(r);
        assertEquals(
                List.of(
                        "NAME                               VALUE    SOURCE",
                        "leader.replication.throttled.rate  5000000  DYNAMIC_BROKER_CONFIG"),
                r.outLines());
        ok(cli("configs", "set", "--broker-default", "--config", "leader.replication.throttled.rate=7000000"));
        r = cli("configs", "get", "--broker-default", "--json");
        assertEquals(
                "[{\"name\":\"leader.replication.throttled.rate\",\"value\":\"7000000\","
                        + "\"source\":\"DYNAMIC_DEFAULT_BROKER_CONFIG\",\"readOnly\":false}]\n",
                r.out());
        ok(cli("configs", "delete", "--broker-default", "--config", "leader.replication.throttled.rate"));
        ok(cli("configs", "delete", "--broker", "2", "--config", "leader.replication.throttled.rate"));
        r = cli("configs", "get", "--broker", "2");
        assertEquals("No config overrides for broker 2 (--all shows every config).\n", r.out());

        assertOneLineError(
                cli("configs", "set", "--broker", "2", "--config", "log.dirs=/tmp/x"),
                1,
                "cannot change the configs of broker 2",
                "INVALID_REQUEST",
                "Cannot update these configs dynamically: log.dirs");
        assertOneLineError(
                cli("configs", "set", "--topic", "configured", "--config", "retention.ms=-7"),
                1,
                "cannot change the configs of topic 'configured'",
                "INVALID_CONFIG",
                "must be -1 or more");
        assertOneLineError(cli("configs", "get", "--topic", "nope"), 1, "topic 'nope' does not exist");
        assertOneLineError(
                cli("configs", "set", "--topic", "nope", "--config", "retention.ms=1"),
                1,
                "topic 'nope' does not exist");
    }

    @Test
    void shouldGenerateExecuteFollowAndCancelReassignments() throws Exception {
        try (var admin = cluster.admin()) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(
                            "shuffled", Map.of(0, List.of(1, 2), 1, List.of(2, 3)))))
                    .all()
                    .get();
        }
        CliHarness.Result generated =
                cli("reassign", "generate", "--topics", "shuffled", "--broker-list", "3,4", "--json");
        ok(generated);
        assertTrue(
                generated
                        .out()
                        .startsWith("{\"current\":{\"version\":1,\"partitions\":[{\"topic\":\"shuffled\","
                                + "\"partition\":0,\"replicas\":[1,2],\"log_dirs\":[\"any\",\"any\"]},{\"topic\":\"shuffled\",\"partition\":1,"
                                + "\"replicas\":[2,3],\"log_dirs\":[\"any\",\"any\"]}]},\"proposed\":{\"version\":1,"),
                generated::toString);
        Map<TopicPartition, List<Integer>> proposed = ReassignmentPlan.parse(generated
                .out()
                .substring(
                        generated.out().indexOf("\"proposed\":") + "\"proposed\":".length(),
                        generated.out().length() - 2));
        proposed.values().forEach(r -> assertEquals(java.util.Set.of(3, 4), new java.util.HashSet<>(r)));

        Path plan = Files.writeString(
                dir.resolve("plan.json"),
                "{\"version\":1,\"partitions\":["
                        + "{\"topic\":\"shuffled\",\"partition\":0,\"replicas\":[3,4],\"log_dirs\":[\"any\",\"any\"]},"
                        + "{\"topic\":\"shuffled\",\"partition\":1,\"replicas\":[4,3]}]}");
        CliHarness.Result executed = cli("reassign", "execute", "--reassignment-json-file", plan.toString());
        ok(executed);
        assertEquals(
                List.of(
                        "Current partition replica assignment",
                        "",
                        "{\"version\":1,\"partitions\":[{\"topic\":\"shuffled\",\"partition\":0,\"replicas\":[1,2],\"log_dirs\":[\"any\",\"any\"]},"
                                + "{\"topic\":\"shuffled\",\"partition\":1,\"replicas\":[2,3],\"log_dirs\":[\"any\",\"any\"]}]}",
                        "",
                        "Save this to use as the --reassignment-json-file option during rollback",
                        "Successfully started partition reassignments for shuffled-0,shuffled-1"),
                executed.outLines());
        Wait.waitUntil(
                "both moves complete",
                Duration.ofSeconds(30),
                () -> cli("reassign", "status", "--reassignment-json-file", plan.toString()).outLines().stream()
                                .filter(l -> l.contains(" complete "))
                                .count()
                        == 2);
        CliHarness.Result status = cli("reassign", "status", "--reassignment-json-file", plan.toString());
        assertEquals(
                List.of(
                        "PARTITION   STATUS    REPLICAS  TARGET  ADDING  REMOVING",
                        "shuffled-0  complete  3,4       3,4     -       -",
                        "shuffled-1  complete  4,3       4,3     -       -"),
                status.outLines());
        assertEquals(
                "No partition reassignment is in progress.\n",
                cli("reassign", "status").out());

        assertOneLineError(
                cli("reassign", "cancel", "--topic", "shuffled", "--partition", "0"),
                1,
                "no reassignment of shuffled-0 is in progress (NO_REASSIGNMENT_IN_PROGRESS)");
        assertOneLineError(
                executePlan("unknown.json", "{\"topic\":\"nope\",\"partition\":0,\"replicas\":[1]}"),
                1,
                "topic 'nope' does not exist");
        assertOneLineError(
                executePlan("unknown-partition.json", "{\"topic\":\"shuffled\",\"partition\":7,\"replicas\":[1]}"),
                1,
                "partition shuffled-7 does not exist");
        CliHarness.Result dead =
                executePlan("dead.json", "{\"topic\":\"shuffled\",\"partition\":0,\"replicas\":[3,9]}");
        assertOneLineError(
                dead, 1, "cannot reassign shuffled-0 to [3, 9]", "INVALID_REPLICA_ASSIGNMENT", "not alive: [9]");
        assertOneLineError(
                cli("reassign", "generate", "--topics", "shuffled", "--broker-list", "3,9"),
                1,
                "--broker-list names brokers that are not in the cluster: [9]");
    }

    @Test
    void shouldElectPreferredLeaders() throws Exception {
        cluster.createTopic("elected", 2, 2);
        CliHarness.Result r = cli("elect-leaders", "--topic", "elected");
        ok(r);
        assertEquals(
                List.of(
                        "PARTITION  RESULT",
                        "elected-0  the preferred leader already leads",
                        "elected-1  the preferred leader already leads"),
                r.outLines());
        r = cli("elect-leaders", "--topic", "elected", "--partition", "1", "--json");
        ok(r);
        assertEquals(
                "[{\"topic\":\"elected\",\"partition\":1,\"result\":\"the preferred leader already leads\"}]\n",
                r.out());
        ok(cli("elect-leaders", "--all"));
        assertOneLineError(cli("elect-leaders", "--topic", "nope"), 1, "topic 'nope' does not exist");
        assertOneLineError(
                cli("elect-leaders", "--topic", "elected", "--partition", "5"),
                1,
                "partition elected-5 does not exist");
    }

    @Test
    void shouldDescribeTheCluster() throws Exception {
        ControllerRegistration controller = metadata.store()
                .read(Znodes.CONTROLLER, ControllerRegistration.parser())
                .orElseThrow()
                .value();
        CliHarness.Result r = run("cluster", "describe", "--zookeeper", cluster.zookeeperConnect());
        ok(r);
        List<String> lines = r.outLines();
        assertEquals("Cluster: " + cluster.broker(1).clusterId(), lines.get(0));
        assertEquals(
                "Controller: broker " + controller.getBrokerId() + " (epoch " + controller.getEpoch() + ")",
                lines.get(1));
        assertEquals("Brokers: 4", lines.get(2));
        assertEquals(
                List.of("ID", "HOST", "PORT", "RACK", "CONTROLLER"),
                List.of(lines.get(3).trim().split("\\s+")));
        assertTrue(r.out().contains("Offline partitions: 0\n"), r::toString);
        assertTrue(r.out().contains("Under-replicated partitions: 0\n"), r::toString);

        r = cli("cluster", "describe", "--json");
        ok(r);
        assertTrue(
                r.out()
                        .startsWith("{\"clusterId\":\"" + cluster.broker(1).clusterId() + "\",\"controller\":"
                                + controller.getBrokerId() + ",\"brokers\":[{\"id\":1,\"host\":\"127.0.0.1\",\"port\":"
                                + cluster.port(1)),
                r::toString);
    }
}
