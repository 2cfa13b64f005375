package io.strand.tools.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.SlowTest;
import io.strand.tools.CliHarness;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code strand check} against a healthy in-process cluster passes (plainly and with transactions),
 * and a check whose acknowledged records are deleted behind its back (DeleteRecords between its
 * produce and consume phases) reports exactly those as lost and exits 1.
 */
@ExtendWith(StrandClusterExtension.class)
@SlowTest
class CheckCommandTest {
    @BrokerCluster(
            brokers = 3,
            properties = {
                "transaction.state.log.num.partitions=2",
                "offsets.topic.num.partitions=2",
            })
    private static StrandTestCluster cluster;

    @TempDir
    Path tmp;

    private static CliHarness.Result check(String... args) {
        return CliHarness.run(CliHarness.with(
                CliHarness.with(new String[] {"check"}, args), "--bootstrap-server", cluster.bootstrapServers()));
    }

    private static JsonObject json(CliHarness.Result r) {
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    @Test
    void shouldPassAgainstAHealthyClusterPlainAndTransactional() {
        CliHarness.Result plain = check("--topic", "healthy", "--duration", "3s", "--rate", "400", "--json");
        assertEquals(0, plain.code(), plain::toString);
        JsonObject p = json(plain);
        assertTrue(p.get("ok").getAsBoolean(), plain::toString);
        long acked = p.get("acknowledged").getAsLong();
        assertTrue(acked >= 800, "about 1,200 records acknowledged in 3 s at 400/s: " + plain);
        assertEquals(p.get("sent").getAsLong(), acked, plain::toString);
        assertEquals(0, p.get("lost").getAsLong(), plain::toString);
        assertEquals(0, p.get("duplicated").getAsLong(), plain::toString);
        assertEquals(0, p.get("outOfOrder").getAsLong(), plain::toString);
        assertEquals(acked, p.get("readDistinct").getAsLong(), plain::toString);
        assertTrue(p.get("readComplete").getAsBoolean(), plain::toString);
        assertNotNull(p.getAsJsonObject("latencyMs").get("p99"), plain::toString);
        assertEquals(6, p.get("partitions").getAsInt(), "a new topic gets 6 partitions");

        // the same topic again, used as it is: the first run's records are skipped, not counted
        CliHarness.Result txn = check("--topic", "healthy", "--duration", "2s", "--rate", "400", "--transactional");
        assertEquals(0, txn.code(), txn::toString);
        assertTrue(txn.out().contains("acks=all, transactional"), txn::toString);
        assertTrue(txn.out().contains("(in committed transactions)"), txn::toString);
        assertTrue(txn.out().lines().anyMatch(l -> l.matches("\\s+lost\\s+0")), txn::toString);
        assertTrue(txn.out().lines().anyMatch(l -> l.matches("\\s+aborted but read\\s+0")), txn::toString);
        assertTrue(txn.out().contains("result: OK"), txn::toString);
    }

    @Test
    void shouldReportExactlyTheDeletedAcknowledgedRecordsAsLost() throws Exception {
        Path state = tmp.resolve("check-state.json");
        CliHarness.Result produced = check(
                "--topic",
                "deleted",
                "--partitions",
                "2",
                "--duration",
                "2s",
                "--rate",
                "300",
                "--phase",
                "produce",
                "--state-file",
                state.toString(),
                "--json");
        assertEquals(0, produced.code(), produced::toString);
        JsonObject p = json(produced);
        assertEquals(p.get("sent").getAsLong(), p.get("acknowledged").getAsLong(), produced::toString);

        // behind the check's back: the first records of partition 0 go
        TopicPartition p0 = new TopicPartition("deleted", 0);
        long deleted;
        try (Admin admin = cluster.admin()) {
            long end = admin.listOffsets(Map.of(p0, OffsetSpec.latest()))
                    .partitionResult(p0)
                    .get()
                    .offset();
            assertTrue(end >= 20, "partition 0 holds records: " + end);
            deleted = end / 2;
            admin.deleteRecords(Map.of(p0, RecordsToDelete.beforeOffset(deleted)))
                    .all()
                    .get();
        }

        CliHarness.Result consumed =
                check("--phase", "consume", "--state-file", state.toString(), "--drain-timeout", "20s", "--json");
        assertEquals(1, consumed.code(), consumed::toString);
        JsonObject c = json(consumed);
        assertEquals(deleted, c.get("lost").getAsLong(), consumed::toString);
        assertEquals(
                Map.of("0", deleted),
                Map.of("0", c.getAsJsonObject("lostByPartition").get("0").getAsLong()),
                consumed::toString);
        assertEquals(1, c.getAsJsonObject("lostByPartition").size(), consumed::toString);
        assertEquals(
                p.get("acknowledged").getAsLong() - deleted,
                c.get("readDistinct").getAsLong());
        assertEquals(0, c.get("duplicated").getAsLong(), consumed::toString);
        assertEquals(0, c.get("outOfOrder").getAsLong(), consumed::toString);
        assertTrue(c.get("readComplete").getAsBoolean(), consumed::toString);
        assertTrue(
                consumed.err().contains("error: check failed: " + deleted + " acknowledged records lost"),
                consumed::toString);
    }

    @Test
    void shouldRefuseFlagsThatDoNotGoTogether() {
        CliHarness.assertOneLineError(check("--phase", "produce"), 2, "--phase produce needs --state-file");
        CliHarness.assertOneLineError(check("--transactional", "--acks", "1"), 2, "--transactional", "--acks 1");
        CliHarness.assertOneLineError(check("--duration", "soon"), 2, "--duration soon");
        CliHarness.assertOneLineError(
                check("--kill-leaders", "1", "--dir", tmp.resolve("none").toString(), "--duration", "1s"),
                1,
                "--kill-leaders: no local cluster in");
    }
}
