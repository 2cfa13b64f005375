package io.strand.server.replica;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.testing.SystemTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link LeaderKillTest} without the write-ahead journal ({@code strand.wal.journal.enable=false}: every partition
 * log fsyncs its own segments before acknowledging): kill -9 of the leader and its restart lose no acknowledged
 * record, and the restarted broker rejoins the ISR. {@link LeaderKillTest} itself runs with the journal (the default),
 * with small journal files and frequent checkpoints so that files roll and are released under its load.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class UnjournaledLeaderKillTest {
    @Test
    void shouldLoseNoAcknowledgedRecordWhenALeaderWithoutJournalIsKilledAndRestarted(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "default.replication.factor=3",
                                "min.insync.replicas=2",
                                "unclean.leader.election.enable=false",
                                "replica.lag.time.max.ms=5000",
                                "strand.wal.journal.enable=false"
                            })
                    ProcessTestCluster cluster)
            throws Exception {
        LeaderKillTest.survivesLeaderKills(cluster, 2);
    }
}
