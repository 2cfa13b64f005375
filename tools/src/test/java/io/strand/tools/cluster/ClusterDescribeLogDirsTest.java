package io.strand.tools.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.LogDirStatus;
import io.strand.coordinator.proto.PartitionRef;
import io.strand.coordinator.proto.UnavailableLogDir;
import io.strand.tools.CliHarness;
import io.strand.tools.ZooKeeperCliTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** cluster describe --zookeeper lists the log directories brokers report offline or below their floor. */
class ClusterDescribeLogDirsTest extends ZooKeeperCliTest {
    ClusterDescribeLogDirsTest() {
        super(1, 2);
    }

    @Test
    void shouldListTheUnavailableLogDirectoriesWithTheirPartitions() {
        cluster.createTopic("orders", 2, 2);
        String path = Znodes.broker(2);
        Versioned<BrokerRegistration> reg =
                cluster.store.read(path, BrokerRegistration.parser()).orElseThrow();
        cluster.store.setIfVersion(
                path,
                reg.value().toBuilder()
                        .addUnavailableLogDirs(UnavailableLogDir.newBuilder()
                                .setPath("/data/d1")
                                .setStatus(LogDirStatus.OFFLINE)
                                .setReason("Input/output error")
                                .addPartitions(PartitionRef.newBuilder()
                                        .setTopic("orders")
                                        .setPartition(1))
                                .addPartitions(PartitionRef.newBuilder()
                                        .setTopic("orders")
                                        .setPartition(0)))
                        .addUnavailableLogDirs(UnavailableLogDir.newBuilder()
                                .setPath("/data/d2")
                                .setStatus(LogDirStatus.BELOW_FREE_SPACE_FLOOR)
                                .setReason("1000 bytes free, floor 134217728 bytes"))
                        .build(),
                reg.version());

        CliHarness.Result r = cli("cluster", "describe");

        assertEquals(0, r.code(), r::toString);
        List<String> lines = r.outLines();
        int at = lines.indexOf("Unavailable log directories: 2");
        assertTrue(at > 0, r::toString);
        assertEquals(
                List.of("BROKER", "DIRECTORY", "STATUS", "PARTITIONS", "REASON"),
                List.of(lines.get(at + 1).trim().split("\\s+")));
        assertEquals(
                List.of("2", "/data/d1", "OFFLINE", "orders-0,orders-1", "Input/output", "error"),
                List.of(lines.get(at + 2).trim().split("\\s+")));
        assertTrue(lines.get(at + 3).trim().startsWith("2"), r::toString);
        assertTrue(lines.get(at + 3).contains("BELOW_FREE_SPACE_FLOOR"), r::toString);

        CliHarness.Result json = cli("cluster", "describe", "--json");
        assertTrue(
                json.out()
                        .contains("\"unavailableLogDirs\":[{\"broker\":2,\"dir\":\"/data/d1\",\"status\":\"OFFLINE\""),
                json::toString);
    }
}
