package io.strand.server.share;

import static io.strand.server.share.ShareWire.acquired;
import static io.strand.server.share.ShareWire.partition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.Broker;
import io.strand.server.share.ShareWire.Ack;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Share-partition state survives the loss of the broker leading the data partition and of the broker
 * that is its share coordinator: the next leader reads what was persisted, so acknowledged records are
 * never delivered again and unacknowledged ones (released, or still acquired when the leader went) are,
 * with their delivery count going on.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class SharePersistenceTest {
    private static int leaderOf(StrandTestCluster cluster, TopicPartition tp) {
        for (Broker b : cluster.brokers()) {
            if (b.replicaManager().partition(tp).map(p -> p.isLeader()).orElse(false)) {
                return b.brokerId();
            }
        }
        return -1;
    }

    private static RawKafkaConnection connect(StrandTestCluster cluster, int broker) throws Exception {
        return new RawKafkaConnection("127.0.0.1", cluster.port(broker));
    }

    /** Fetches (epoch 0, then 1, 2, ...) from {@code broker} until {@code n} records are acquired; the offsets. */
    private static List<Long> acquireAll(RawKafkaConnection c, String group, String member, Uuid topicId, int n)
            throws Exception {
        List<Long> got = new ArrayList<>();
        AtomicReference<ShareFetchResponseData> last = new AtomicReference<>();
        int[] epoch = {0};
        Wait.waitUntil("the member acquires " + n + " records", Duration.ofSeconds(60), () -> {
            ShareFetchResponseData r =
                    ShareWire.fetch(c, (short) 2, group, member, epoch[0], topicId, 0, List.of(), 500);
            if (r.errorCode() != 0) {
                epoch[0] = 0; // start a new session
                return false;
            }
            epoch[0] = epoch[0] == 0 ? 1 : epoch[0] + 1;
            last.set(r);
            got.addAll(acquired(partition(r)));
            return got.size() >= n;
        });
        sessionEpoch = epoch[0];
        lastResponse = last.get();
        return got;
    }

    private static int sessionEpoch;
    private static ShareFetchResponseData lastResponse;

    @Test
    void shouldRedeliverOnlyUnacknowledgedRecordsAfterTheDataLeaderStops(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "share.coordinator.state.topic.num.partitions=3",
                                "share.coordinator.state.topic.replication.factor=3",
                                "share.coordinator.state.topic.min.isr=2",
                                "min.insync.replicas=2"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        Uuid topicId = cluster.createTopic("share-failover", 1, 3);
        TopicPartition tp = new TopicPartition("share-failover", 0);
        int leader = leaderOf(cluster, tp);
        try (RawKafkaConnection c = connect(cluster, leader)) {
            // the group starts at the latest offset (0): open the session first, then produce
            Wait.waitUntil("the share partition initialises", Duration.ofSeconds(60), () -> {
                ShareFetchResponseData r = ShareWire.fetch(c, (short) 2, "g", "m1", 0, topicId, 0, List.of(), 0);
                return r.errorCode() == 0 && partition(r).errorCode() == 0;
            });
            for (int i = 0; i < 10; i++) {
                assertEquals(Errors.NONE, c.produce("share-failover", 0, (short) -1, 10_000, "r" + i));
            }
            ShareFetchResponseData r = ShareWire.fetch(c, (short) 2, "g", "m1", 1, topicId, 0, List.of(), 5_000);
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), acquired(partition(r)));
            // accept 0-4, reject 5, release 6; 7-9 stay acquired by m1 when the leader goes
            ShareFetchResponseData acked = ShareWire.fetch(
                    c,
                    (short) 2,
                    "g",
                    "m1",
                    2,
                    topicId,
                    0,
                    List.of(new Ack(0, 4, (byte) 1), new Ack(5, 5, (byte) 3), new Ack(6, 6, (byte) 2)),
                    0);
            assertEquals(Errors.NONE.code(), partition(acked).acknowledgeErrorCode());
            assertEquals(List.of(6L), acquired(partition(acked))); // released: delivered again at once
            assertEquals(2, partition(acked).acquiredRecords().get(0).deliveryCount());
        }
        cluster.stopBroker(leader);
        Wait.waitUntil("another broker leads " + tp, Duration.ofSeconds(30), () -> {
            int l = leaderOf(cluster, tp);
            return l > 0 && l != leader;
        });
        int next = leaderOf(cluster, tp);
        try (RawKafkaConnection c = connect(cluster, next)) {
            List<Long> again = acquireAll(c, "g", "m2", topicId, 4);
            assertEquals(List.of(6L, 7L, 8L, 9L), again);
            for (ShareFetchResponseData.AcquiredRecords a :
                    partition(lastResponse).acquiredRecords()) {
                assertTrue(a.deliveryCount() >= 2, "delivered again: " + a);
            }
            // acknowledged or rejected records never come back; the start offset is past them
            ShareFetchResponseData done = ShareWire.fetch(
                    c, (short) 2, "g", "m2", sessionEpoch, topicId, 0, List.of(new Ack(6, 9, (byte) 1)), 200);
            assertEquals(Errors.NONE.code(), partition(done).acknowledgeErrorCode());
            assertTrue(acquired(partition(done)).isEmpty());
        }
    }

    @Test
    void shouldKeepAcknowledgementsWhenTheShareCoordinatorStops(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "share.coordinator.state.topic.num.partitions=3",
                                "share.coordinator.state.topic.replication.factor=3",
                                "share.coordinator.state.topic.min.isr=2",
                                "min.insync.replicas=2"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        Uuid topicId = cluster.createTopic("share-coordinator-loss", 1, 3);
        TopicPartition tp = new TopicPartition("share-coordinator-loss", 0);
        int leader = leaderOf(cluster, tp);
        int coordinator;
        try (RawKafkaConnection c = connect(cluster, leader)) {
            Wait.waitUntil("the share partition initialises", Duration.ofSeconds(60), () -> {
                ShareFetchResponseData r = ShareWire.fetch(c, (short) 2, "g2", "m1", 0, topicId, 0, List.of(), 0);
                return r.errorCode() == 0 && partition(r).errorCode() == 0;
            });
            for (int i = 0; i < 6; i++) {
                assertEquals(Errors.NONE, c.produce("share-coordinator-loss", 0, (short) -1, 10_000, "r" + i));
            }
            ShareFetchResponseData r = ShareWire.fetch(c, (short) 2, "g2", "m1", 1, topicId, 0, List.of(), 5_000);
            assertEquals(6, acquired(partition(r)).size());
            ShareFetchResponseData acked =
                    ShareWire.fetch(c, (short) 2, "g2", "m1", 2, topicId, 0, List.of(new Ack(0, 2, (byte) 1)), 0);
            assertEquals(Errors.NONE.code(), partition(acked).acknowledgeErrorCode());
            FindCoordinatorResponseData found = (FindCoordinatorResponseData) c.send(
                            ApiKeys.FIND_COORDINATOR,
                            (short) 6,
                            new FindCoordinatorRequestData()
                                    .setKeyType((byte) 2)
                                    .setCoordinatorKeys(List.of("g2:" + topicId + ":0")))
                    .data();
            coordinator = found.coordinators().get(0).nodeId();
        }
        cluster.stopBroker(coordinator);
        Wait.waitUntil("a broker leads " + tp, Duration.ofSeconds(30), () -> {
            int l = leaderOf(cluster, tp);
            return l > 0 && l != coordinator;
        });
        int dataLeader = leaderOf(cluster, tp);
        // a write after the coordinator moved: the leader's persister finds the new one
        try (RawKafkaConnection c = connect(cluster, dataLeader)) {
            if (dataLeader == leader) { // the same leader: m1 still holds 3-5 and accepts them now
                ShareFetchResponseData acked =
                        ShareWire.fetch(c, (short) 2, "g2", "m1", 3, topicId, 0, List.of(new Ack(3, 5, (byte) 1)), 0);
                assertEquals(Errors.NONE.code(), acked.errorCode());
                assertEquals(Errors.NONE.code(), partition(acked).acknowledgeErrorCode());
            } else {
                assertEquals(List.of(3L, 4L, 5L), acquireAll(c, "g2", "m2", topicId, 3));
            }
        }
        // whichever way: the new coordinator holds the acknowledgements made before it took over
        Wait.waitUntil(
                "the start offset is past the acknowledged records",
                Duration.ofSeconds(60),
                () -> startOffset(cluster, "g2", topicId) >= 3);
    }

    private static long startOffset(StrandTestCluster cluster, String group, Uuid topicId) {
        for (Broker b : cluster.brokers()) {
            try {
                Persister.Summary s = b.sharePartitions()
                        .persister()
                        .readSummary(group, topicId, 0, -1)
                        .get();
                if (s.error() == Errors.NONE) {
                    return s.startOffset();
                }
            } catch (Exception e) {
                return -1;
            }
        }
        return -1;
    }
}
