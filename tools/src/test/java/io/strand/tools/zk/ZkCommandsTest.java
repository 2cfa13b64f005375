package io.strand.tools.zk;

import static io.strand.tools.CliHarness.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.TopicCreation;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.PartitionState;
import io.strand.tools.CliHarness;
import io.strand.tools.ZooKeeperCliTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** zk ls / zk get: children with versions, payloads decoded. */
class ZkCommandsTest extends ZooKeeperCliTest {
    ZkCommandsTest() {
        super(1, 2);
    }

    @Test
    void shouldDecodeAPartitionStateWithItsVersion() {
        cluster.createTopic("orders", 1, 2);
        String path = Znodes.partitionState("orders", 0);
        Versioned<PartitionState> state =
                cluster.store.read(path, PartitionState.parser()).orElseThrow();
        PartitionState next = state.value().toBuilder()
                .setLeaderEpoch(7)
                .clearIsr()
                .addIsr(state.value().getLeader())
                .setPartitionEpoch(1)
                .build();
        cluster.store.setIfVersion(path, next, state.version());

        CliHarness.Result r = cli("zk", "get", path);

        assertEquals(0, r.code(), r::toString);
        List<String> lines = r.outLines();
        assertEquals("path:           " + path, lines.get(0));
        assertEquals("version:        1", lines.get(1));
        assertEquals(
                "data:           {\"leader\":" + next.getLeader() + ",\"leaderEpoch\":7,\"isr\":[" + next.getLeader()
                        + "],\"controllerEpoch\":0,\"partitionEpoch\":1}",
                lines.get(lines.size() - 1));

        CliHarness.Result json = cli("zk", "get", path, "--json");
        assertEquals(0, json.code(), json::toString);
        assertTrue(json.out().startsWith("{\"path\":\"" + path + "\",\"version\":1,"), json::toString);
        assertTrue(
                json.out()
                        .trim()
                        .endsWith(",\"data\":{\"leader\":" + next.getLeader() + ",\"leaderEpoch\":7,\"isr\":["
                                + next.getLeader() + "],\"controllerEpoch\":0,\"partitionEpoch\":1}}"),
                json::toString);
    }

    @Test
    void shouldShowEphemeralOwnersAndUndefinedPayloads() {
        CliHarness.Result broker = cli("zk", "get", "/brokers/ids/2");
        assertEquals(0, broker.code(), broker::toString);
        assertTrue(broker.out().contains("ephemeralOwner: 0x"), broker::toString);
        assertTrue(broker.out().contains("\"brokerId\":2"), broker::toString);

        cluster.createTopic("t", 1, 1);
        CliHarness.Result plain = cli("zk", "get", "/topics/t/partitions");
        assertTrue(plain.out().contains("data:           (empty)"), plain::toString);
    }

    @Test
    void shouldListChildrenWithVersions() {
        TopicCreation.Created a = cluster.createTopic("a", 2, 1);
        cluster.createTopic("b", 1, 1);

        CliHarness.Result r = cli("zk", "ls", "/topics");

        assertEquals(0, r.code(), r::toString);
        assertEquals(
                List.of(
                        "Path: /topics  Version: 0  Children: 2",
                        "  NAME  VERSION  CHILDREN  BYTES",
                        "  a     0        1         " + a.assignment().getSerializedSize(),
                        "  b     0        1         " + r.outLines().get(3).replaceAll(".*\\s", "")),
                r.outLines());

        CliHarness.Result json = cli("zk", "ls", "/topics/a/partitions/", "--json");
        assertEquals(
                "{\"path\":\"/topics/a/partitions\",\"version\":0,\"children\":["
                        + "{\"name\":\"0\",\"version\":0,\"children\":1,\"bytes\":0},"
                        + "{\"name\":\"1\",\"version\":0,\"children\":1,\"bytes\":0}]}\n",
                json.out());
    }

    @Test
    void shouldFailNamingAMissingZnode() {
        assertOneLineError(cli("zk", "get", "/topics/nope"), 1, "znode /topics/nope does not exist", cluster.connect);
        assertOneLineError(cli("zk", "ls", "/nope"), 1, "znode /nope does not exist");
    }
}
