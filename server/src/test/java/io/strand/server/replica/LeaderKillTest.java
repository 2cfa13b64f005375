package io.strand.server.replica;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.BrokerProcess;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.testing.BackgroundProducer;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invariant 3: with acks=all, RF=3, min.insync.replicas=2 and unclean election off, no acknowledged
 * record is lost through kill -9 of the leader and its restart, round after round; per-partition
 * order holds, the idempotent producer's retries never duplicate, and the restarted broker rejoins
 * the ISR.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class LeaderKillTest {
    private static final Logger log = LoggerFactory.getLogger(LeaderKillTest.class);
    private static final String TOPIC = "survivor";
    private static final int PARTITIONS = 3;
    private static final int ROUNDS = 4;

    @Test
    void shouldLoseNoAcknowledgedRecordWhenTheLeaderIsKilledAndRestarted(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "default.replication.factor=3",
                                "min.insync.replicas=2",
                                "unclean.leader.election.enable=false",
                                "replica.lag.time.max.ms=5000",
                                // the journal (on by default) rolls and releases files under this load
                                "strand.wal.journal.file.bytes=1048576",
                                "strand.wal.journal.checkpoint.interval.ms=500",
                                "strand.wal.journal.checkpoint.bytes=2097152"
                            })
                    ProcessTestCluster cluster)
            throws Exception {
        survivesLeaderKills(cluster, ROUNDS);
    }

    /**
     * Kills the leader of partition 0 with kill -9 and restarts it, {@code rounds} times, under an
     * idempotent acks=all load; asserts nothing acknowledged was lost, duplicated or reordered.
     * Also run over a secured cluster ({@code SecuredLeaderKillTest}).
     */
    static void survivesLeaderKills(ProcessTestCluster cluster, int rounds) throws Exception {
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (Admin admin = cluster.admin()) {
            try (BackgroundProducer load = cluster.startLoad(validator, TOPIC, PARTITIONS)) {
                for (int round = 1; round <= rounds; round++) {
                    load.awaitAcknowledged(200L * round, Duration.ofSeconds(90));
                    TopicPartitionInfo before = cluster.describe(admin, TOPIC, 0);
                    int leader = before.leader().id();
                    BrokerProcess victim = cluster.broker(leader);
                    log.info(
                            "Round {}: kill -9 broker {}, leader of {}-0 (ISR {})", round, leader, TOPIC, before.isr());
                    victim.kill();
                    Wait.waitUntil("a new leader of " + TOPIC + "-0", Duration.ofSeconds(40), () -> {
                        TopicPartitionInfo p = cluster.describe(admin, TOPIC, 0);
                        return p != null && p.leader() != null && p.leader().id() != leader;
                    });
                    load.awaitAcknowledged(validator.acknowledgedCount() + 100, Duration.ofSeconds(90));
                    victim.start();
                    Wait.waitUntil("broker " + leader + " back in every ISR", Duration.ofSeconds(60), () -> {
                        for (int p = 0; p < PARTITIONS; p++) {
                            TopicPartitionInfo info = cluster.describe(admin, TOPIC, p);
                            if (info == null || info.isr().stream().noneMatch(n -> n.id() == leader && n.port() > 0)) {
                                return false;
                            }
                        }
                        return true;
                    });
                }
                load.stop(Duration.ofMinutes(2));
            }
        }
        validator.assertOnlyRetriableSendFailures();

        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            validator.consumeToEnd(consumer, TOPIC, PARTITIONS, Duration.ofSeconds(60));
        }
        log.info("{} kill -9 rounds: {}", rounds, validator.summary());
        validator.assertEveryAcknowledgedRecordOnceInOrder(); // the idempotent producer's retries never duplicate
    }
}
