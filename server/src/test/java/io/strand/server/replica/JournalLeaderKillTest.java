package io.strand.server.replica;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.testing.SystemTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link LeaderKillTest} with the write-ahead journal on every broker ({@code strand.wal.journal.enable=true}, small
 * journal files and frequent checkpoints so that files roll and are released under the load): kill -9 of the leader
 * and its restart, which replays its journal, lose no acknowledged record, and the restarted broker rejoins the ISR.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class JournalLeaderKillTest {
    @Test
    void shouldLoseNoAcknowledgedRecordWhenAJournaledLeaderIsKilledAndRestarted(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "default.replication.factor=3",
                                "min.insync.replicas=2",
                                "unclean.leader.election.enable=false",
                                "replica.lag.time.max.ms=5000",
                                "strand.wal.journal.enable=true",
                                "strand.wal.journal.file.bytes=1048576",
                                "strand.wal.journal.checkpoint.interval.ms=500",
                                "strand.wal.journal.checkpoint.bytes=2097152"
                            })
                    ProcessTestCluster cluster)
            throws Exception {
        LeaderKillTest.survivesLeaderKills(cluster, 2);
    }
}
