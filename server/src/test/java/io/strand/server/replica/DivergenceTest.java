package io.strand.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import io.strand.wal.PartitionLog;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Logs that diverged are truncated to where they match the leader; stale epochs are fenced. */
@ExtendWith(StrandClusterExtension.class)
class DivergenceTest {
    private static final TopicPartition TP = new TopicPartition("diverge", 0);

    @Test
    void shouldTruncateAnOldLeadersUncommittedTailWhenItRejoinsAsFollower(
            @BrokerCluster(
                            brokers = 2,
                            properties = {
                                "min.insync.replicas=2",
                                "unclean.leader.election.enable=true",
                                "replica.lag.time.max.ms=2000"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        cluster.createTopic("diverge", 1, 2);
        int oldLeader = ReplicationTest.leaderOf(cluster, "diverge", 0);
        int other = oldLeader == 1 ? 2 : 1;
        try (KafkaProducer<byte[], byte[]> all = producer(cluster, "all")) {
            for (int i = 0; i < 10; i++) {
                all.send(new ProducerRecord<>("diverge", 0, null, ReplicationTest.seq(i)))
                        .get();
            }
        }
        // the follower goes away; the old leader takes an uncommitted tail with acks=1
        cluster.stopBroker(other);
        Wait.waitUntil(
                "ISR is the old leader only",
                Duration.ofSeconds(20),
                () -> partition(cluster, oldLeader).isr().equals(List.of(oldLeader)));
        try (KafkaProducer<byte[], byte[]> one = producer(cluster, "1")) {
            for (int i = 100; i < 105; i++) {
                one.send(new ProducerRecord<>("diverge", 0, null, ReplicationTest.seq(i)))
                        .get();
            }
        }
        assertEquals(15, partition(cluster, oldLeader).log().logEndOffset());
        assertEquals(10, partition(cluster, oldLeader).highWatermark(), "the tail is not committed");

        // the old leader dies; the other broker returns and is elected (unclean) without the tail
        cluster.stopBroker(oldLeader);
        cluster.startBroker(other);
        Wait.waitUntil(
                "broker " + other + " leads",
                Duration.ofSeconds(30),
                () -> cluster.broker(other)
                        .replicaManager()
                        .partition(TP)
                        .map(Partition::isLeader)
                        .orElse(false));
        try (KafkaProducer<byte[], byte[]> one = producer(cluster, "1")) {
            for (int i = 200; i < 203; i++) {
                one.send(new ProducerRecord<>("diverge", 0, null, ReplicationTest.seq(i)))
                        .get();
            }
        }

        // the old leader returns as follower: its tail goes, it ends up with the new leader's log
        cluster.startBroker(oldLeader);
        Wait.waitUntil(
                "old leader caught up",
                Duration.ofSeconds(30),
                () -> partition(cluster, oldLeader).log().logEndOffset()
                                == partition(cluster, other).log().logEndOffset()
                        && partition(cluster, oldLeader).isr().size() == 2);
        assertEquals(
                values(partition(cluster, other).log()),
                values(partition(cluster, oldLeader).log()));
        assertEquals(
                List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 200L, 201L, 202L),
                values(partition(cluster, oldLeader).log()));
    }

    @Test
    void shouldFenceRequestsCarryingAStaleOrUnknownLeaderEpochAndRefuseProduceOnAFollower(
            @BrokerCluster(brokers = 2) StrandTestCluster cluster) throws Exception {
        cluster.createTopic("diverge", 1, 2);
        int leader = ReplicationTest.leaderOf(cluster, "diverge", 0);
        int follower = leader == 1 ? 2 : 1;
        cluster.broker(leader).controller(); // elected or not, epoch 0 is the creation epoch
        Uuid id = cluster.broker(leader)
                .metadataCache()
                .topic("diverge")
                .orElseThrow()
                .topicId();
        // bump the leader epoch by moving leadership away and back
        cluster.stopBroker(follower);
        cluster.startBroker(follower);
        Wait.waitUntil(
                "follower back in ISR",
                Duration.ofSeconds(30),
                () -> partition(cluster, leader).isr().size() == 2);
        int epoch = partition(cluster, leader).leaderEpoch();
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(leader))) {
            assertEquals(Errors.NONE, fetchError(c, id, epoch));
            assertEquals(
                    Errors.FENCED_LEADER_EPOCH,
                    fetchError(c, id, epoch - 1 < 0 ? -2 : epoch - 1),
                    "an older epoch is fenced");
            assertEquals(Errors.UNKNOWN_LEADER_EPOCH, fetchError(c, id, epoch + 1));
        }
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(follower))) {
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, c.produce("diverge", 0, (short) -1, 5000, "x"));
        }
    }

    private static Errors fetchError(RawKafkaConnection c, Uuid topicId, int epoch) throws Exception {
        FetchRequestData.FetchTopic ft = new FetchRequestData.FetchTopic().setTopicId(topicId);
        ft.partitions()
                .add(new FetchRequestData.FetchPartition()
                        .setPartition(0)
                        .setFetchOffset(0)
                        .setCurrentLeaderEpoch(epoch)
                        .setPartitionMaxBytes(1024));
        FetchRequestData req = new FetchRequestData()
                .setMaxWaitMs(0)
                .setMinBytes(0)
                .setMaxBytes(1024)
                .setTopics(List.of(ft));
        FetchResponse r = (FetchResponse) c.send(ApiKeys.FETCH, (short) 16, req);
        return Errors.forCode(r.data().responses().get(0).partitions().get(0).errorCode());
    }

    /**
     * A replica that led at an epoch without appending anything has that epoch in its cache at its log
     * end; a later leader that never saw the epoch answers its fetches with a diverging epoch ending at
     * that same offset. The replica must drop the epoch entry though no data is cut (as Kafka's
     * truncateTo does), or it diverges on every fetch and never rejoins the ISR.
     */
    @Test
    void shouldRejoinTheIsrAfterLeadingAnEpochWithoutDataThatTheNewLeaderNeverSaw(
            @BrokerCluster(brokers = 2, properties = "replica.lag.time.max.ms=2000") StrandTestCluster cluster)
            throws Exception {
        cluster.createTopic("diverge", 1, 2);
        int first = ReplicationTest.leaderOf(cluster, "diverge", 0);
        int second = first == 1 ? 2 : 1;
        try (KafkaProducer<byte[], byte[]> all = producer(cluster, "all")) {
            for (int i = 0; i < 10; i++) {
                all.send(new ProducerRecord<>("diverge", 0, null, ReplicationTest.seq(i)))
                        .get();
            }
        }
        // `second` leads epoch 1 without appending; `first` follows it and sees no batch of that epoch
        cluster.stopBroker(first);
        awaitLeader(cluster, second);
        cluster.startBroker(first);
        awaitIsr(cluster, second, List.of(first, second));
        // `first` leads epoch 2; `second` comes back with epoch 1 at its log end
        cluster.stopBroker(second);
        awaitLeader(cluster, first);
        cluster.startBroker(second);
        awaitIsr(cluster, first, List.of(first, second));
        assertEquals(10, partition(cluster, second).log().logEndOffset(), "no data was cut");
    }

    private static void awaitLeader(StrandTestCluster cluster, int broker) throws InterruptedException {
        Wait.waitUntil(
                "broker " + broker + " leads",
                Duration.ofSeconds(30),
                () -> cluster.broker(broker)
                        .replicaManager()
                        .partition(TP)
                        .map(Partition::isLeader)
                        .orElse(false));
    }

    private static void awaitIsr(StrandTestCluster cluster, int leader, List<Integer> members)
            throws InterruptedException {
        Wait.waitUntil(
                "the ISR of " + TP + " on leader " + leader + " holds " + members,
                Duration.ofSeconds(20),
                () -> partition(cluster, leader).isr().containsAll(members));
    }

    private static Partition partition(StrandTestCluster cluster, int broker) {
        return cluster.broker(broker).replicaManager().partition(TP).orElseThrow();
    }

    private static KafkaProducer<byte[], byte[]> producer(StrandTestCluster cluster, String acks) {
        return cluster.producer(Map.of(
                ProducerConfig.ACKS_CONFIG,
                acks,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                "30000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                "10000"));
    }

    private static List<Long> values(PartitionLog log) {
        List<Long> out = new ArrayList<>();
        for (RecordBatch b : log.batchesFrom(log.logStartOffset())) {
            b.forEach(r -> {
                ByteBuffer v = r.value();
                out.add(v.getLong(v.position()));
            });
        }
        return out;
    }
}
