package io.strand.server.storage;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.BrokerProcess;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.testing.BackgroundProducer;
import io.strand.testing.PowerCut;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Power cuts (simulated: {@link PowerCut}, after Jepsen's LazyFS): a broker, or every broker at once, is
 * killed with kill -9 and its log directories lose every write it had not fsynced, as a machine that
 * loses power loses its page cache. The brokers' disks are slow and uneven ({@link
 * ProcessTestCluster#SLOW_FSYNC}: each fsync up to 40 ms late), so that what is not durable yet stays so
 * long enough for a cut to find it.
 *
 * <p>Under an idempotent acks=all load (RF=3, {@code min.insync.replicas=2}) the leader of a partition
 * loses power and comes back; then every broker loses power, and that partition's last leader comes back
 * last, so that a former follower leads it. With Strand's default, fsync before acknowledging, every
 * acknowledged record is read back, in order, once. In a second topic with Kafka's page-cache
 * acknowledgement ({@code flush.messages}, the topic's {@code log.flush.interval.messages}, never
 * reached) a burst acknowledged before the cut of every broker is lost, and the validator reports it: the
 * test can fail. (It does, too, with a leader that counts its log end before its fsync or a follower that
 * fetches again before its fsync.)
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class PowerCutTest {
    private static final Logger log = LoggerFactory.getLogger(PowerCutTest.class);
    private static final int PARTITIONS = 3;
    private static final String DURABLE = "durable";
    private static final String RELAXED = "relaxed";

    @Test
    void shouldLoseAcknowledgedRecordsInPowerCutsOnlyWhereFsyncBeforeAckIsRelaxed(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "default.replication.factor=3",
                                "min.insync.replicas=2",
                                "unclean.leader.election.enable=false",
                                "replica.lag.time.max.ms=5000",
                                ProcessTestCluster.POWER_CUT_JOURNAL,
                                ProcessTestCluster.SLOW_FSYNC
                            })
                    ProcessTestCluster cluster)
            throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(
                            new NewTopic(DURABLE, PARTITIONS, (short) 3),
                            new NewTopic(RELAXED, PARTITIONS, (short) 3)
                                    .configs(Map.of(
                                            TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG,
                                            Long.toString(Long.MAX_VALUE)))))
                    .all()
                    .get();
        }
        ProduceConsumeValidator durable = new ProduceConsumeValidator();
        ProduceConsumeValidator relaxed = new ProduceConsumeValidator();
        // a steady load (3 sends, then 2 ms); the slow fsync keeps appends on their way to the disk for 0-40 ms
        try (Admin admin = cluster.admin();
                BackgroundProducer load = BackgroundProducer.start(
                        "power-cut-load",
                        cluster.idempotentProducer(),
                        durable,
                        BackgroundProducer.Send.roundRobin(DURABLE, PARTITIONS),
                        3,
                        Duration.ofMillis(2))) {
            load.awaitAcknowledged(1000, Duration.ofSeconds(60));

            // the leader of a partition loses power, and comes back
            int leader = cluster.describe(admin, DURABLE, 0).leader().id();
            BrokerProcess victim = cluster.broker(leader);
            PowerCut.Report one = victim.powerCut();
            log.info("Power cut of broker {}, leader of {}-0: {}; {}", leader, DURABLE, one, logCuts(one));
            Wait.waitUntil("a new leader of " + DURABLE + "-0", Duration.ofSeconds(30), () -> {
                TopicPartitionInfo p = cluster.describe(admin, DURABLE, 0);
                return p != null && p.leader() != null && p.leader().id() != leader;
            });
            load.awaitAcknowledged(durable.acknowledgedCount() + 500, Duration.ofSeconds(60));
            victim.start();
            awaitInEveryIsr(cluster, admin, leader);
            load.awaitAcknowledged(durable.acknowledgedCount() + 1000, Duration.ofSeconds(60));

            // a burst acknowledged from the page cache of all three, then every broker loses power
            produceAndFlush(cluster, relaxed, 3000);
            int lastLeader = cluster.describe(admin, DURABLE, 0).leader().id();
            Map<Integer, PowerCut.Report> cut = cluster.powerCutAll();
            log.info(
                    "Power cut of every broker after {} acknowledged records: {}; {}",
                    durable.acknowledgedCount() + relaxed.acknowledgedCount(),
                    cut,
                    cut.values().stream().map(PowerCutTest::logCuts).toList());
            // the others come back first, so that a former follower leads what the last leader led: what it
            // acknowledged as a follower must have been on its disk
            for (int id = 1; id <= 3; id++) {
                if (id != lastLeader) {
                    cluster.broker(id).start();
                }
            }
            Wait.waitUntil("a leader of " + DURABLE + "-0 other than " + lastLeader, Duration.ofSeconds(60), () -> {
                TopicPartitionInfo p = cluster.describe(admin, DURABLE, 0);
                return p != null && p.leader() != null && p.leader().id() != lastLeader;
            });
            cluster.broker(lastLeader).start();
            cluster.awaitBrokers(3, Duration.ofSeconds(60));
            load.awaitAcknowledged(durable.acknowledgedCount() + 500, Duration.ofSeconds(60));
            load.stop(Duration.ofMinutes(2));
        }
        durable.assertOnlyRetriableSendFailures();
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            durable.consumeToEnd(consumer, DURABLE, PARTITIONS, Duration.ofSeconds(60));
        }
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            relaxed.consumeToEnd(consumer, RELAXED, PARTITIONS, Duration.ofSeconds(60));
        }
        log.info("Power cuts with fsync before acknowledging: {}", durable.summary());
        durable.assertEveryAcknowledgedRecordOnceInOrder();

        int lost = relaxed.lost().size();
        log.info(
                "Power cut of every broker with flush.messages never reached: {} of {} acknowledged records lost ({})",
                lost,
                relaxed.acknowledgedCount(),
                relaxed.summary());
        assertTrue(lost > 0, "a power cut of every broker lost nothing acknowledged from the page cache");
        assertThrows(AssertionError.class, relaxed::assertNoneLost);
    }

    /** Sends {@code records} to {@link #RELAXED} with an idempotent acks=all producer; every send has its outcome. */
    private static void produceAndFlush(ProcessTestCluster cluster, ProduceConsumeValidator validator, int records) {
        try (KafkaProducer<byte[], byte[]> producer = cluster.idempotentProducer()) {
            for (int i = 0; i < records; i++) {
                int p = i % PARTITIONS;
                validator.send(producer, RELAXED, p, "p" + p, Integer.toString(i / PARTITIONS));
            }
            producer.flush();
        }
        validator.assertNoSendFailures();
    }

    /** What the cut took off the partition logs' segment files: the writes not yet fsynced. */
    private static List<String> logCuts(PowerCut.Report r) {
        return r.actions().stream().filter(a -> a.contains(".log ")).toList();
    }

    private static void awaitInEveryIsr(ProcessTestCluster cluster, Admin admin, int broker)
            throws InterruptedException {
        Wait.waitUntil("broker " + broker + " back in every ISR of " + DURABLE, Duration.ofSeconds(60), () -> {
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartitionInfo info = cluster.describe(admin, DURABLE, p);
                if (info == null || info.isr().stream().noneMatch(n -> n.id() == broker && n.port() > 0)) {
                    return false;
                }
            }
            return true;
        });
    }
}
