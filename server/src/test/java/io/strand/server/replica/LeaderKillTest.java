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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
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
    private static final int ROUNDS = 5;

    @Test
    void shouldLoseNoAcknowledgedRecordWhenTheLeaderIsKilledAndRestarted(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "default.replication.factor=3",
                                "min.insync.replicas=2",
                                "unclean.leader.election.enable=false",
                                "replica.lag.time.max.ms=5000"
                            })
                    ProcessTestCluster cluster)
            throws Exception {
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3)))
                    .all()
                    .get();
            // key "p<n>" goes to partition n: per-key order is per-partition order
            try (BackgroundProducer load = BackgroundProducer.start(
                    "test-producer",
                    idempotentProducer(cluster),
                    validator,
                    i -> {
                        int partition = (int) (i % PARTITIONS);
                        return new BackgroundProducer.Send(
                                TOPIC, partition, "p" + partition, Long.toString(i / PARTITIONS));
                    },
                    PARTITIONS,
                    Duration.ofMillis(2))) {
                for (int round = 1; round <= ROUNDS; round++) {
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

        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new TopicPartition(TOPIC, p));
        }
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            validator.consumeToEnd(consumer, partitions, Duration.ofSeconds(60));
        }
        log.info("{} kill -9 rounds: {}", ROUNDS, validator.summary());
        validator.assertNoneLost();
        validator.assertInOrderPerKey();
        validator.assertNoDuplicates(); // the idempotent producer's retries never duplicate
        validator.assertNothingUnexpected();
    }

    private static KafkaProducer<byte[], byte[]> idempotentProducer(ProcessTestCluster cluster) {
        return cluster.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000",
                ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "100",
                ProducerConfig.LINGER_MS_CONFIG, "2"));
    }
}
