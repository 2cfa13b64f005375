package io.strand.server.share;

import static io.strand.server.share.ShareWire.acquired;
import static io.strand.server.share.ShareWire.partition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brokers as child JVMs: {@code kill -9} of the data partition's leader, then of the share coordinator.
 * Acknowledged records are never delivered again, every unacknowledged one is delivered again, and
 * acknowledgements answered before a kill are still there after it.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class ShareKillTest {
    private static final Logger log = LoggerFactory.getLogger(ShareKillTest.class);
    private static final String TOPIC = "share-kill";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    private static int leader(ProcessTestCluster cluster, Admin admin) {
        var info = cluster.describe(admin, TOPIC, 0);
        return info == null || info.leader() == null ? -1 : info.leader().id();
    }

    private static RawKafkaConnection connect(ProcessTestCluster cluster, int broker) throws Exception {
        return new RawKafkaConnection("127.0.0.1", cluster.broker(broker).port());
    }

    /** New sessions on {@code broker} until {@code member} has acquired {@code n} records; their offsets. */
    private static List<Long> acquire(ProcessTestCluster cluster, int broker, String member, Uuid topicId, int n)
            throws Exception {
        List<Long> got = new ArrayList<>();
        try (RawKafkaConnection c = connect(cluster, broker)) {
            int[] epoch = {0};
            Wait.waitUntil(member + " acquires " + n + " records on broker " + broker, Duration.ofSeconds(90), () -> {
                ShareFetchResponseData r = ShareWire.fetch(
                        c, (short) 2, "kg", member, epoch[0], topicId, 0, List.of(), 500, n - got.size(), true);
                if (r.errorCode() != 0) {
                    epoch[0] = 0;
                    return false;
                }
                epoch[0]++;
                var p = partition(r);
                got.addAll(acquired(p));
                if (p != null) {
                    p.acquiredRecords().forEach(a -> assertTrue(a.deliveryCount() >= 1));
                }
                return got.size() >= n;
            });
            // accept them all, closing the session
            if (!got.isEmpty()) {
                List<ShareWire.Ack> acks = new ArrayList<>();
                got.forEach(o -> acks.add(new ShareWire.Ack(o, o, (byte) 1)));
                acks.sort((x, y) -> Long.compare(x.first(), y.first()));
                ShareFetchResponseData done = ShareWire.fetch(c, (short) 2, "kg", member, -1, topicId, 0, acks, 0);
                assertEquals(Errors.NONE.code(), done.errorCode());
                assertEquals(Errors.NONE.code(), partition(done).acknowledgeErrorCode());
            }
        }
        return got;
    }

    @Test
    void shouldLoseNoAcknowledgementThroughLeaderAndCoordinatorKills(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "min.insync.replicas=2",
                                "zookeeper.session.timeout.ms=30000",
                                "replica.lag.time.max.ms=5000",
                                "share.coordinator.state.topic.num.partitions=3",
                                "offsets.topic.num.partitions=3"
                            })
                    ProcessTestCluster cluster)
            throws Exception {
        try (Admin admin = cluster.admin()) {
            Uuid topicId = admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3)))
                    .topicId(TOPIC)
                    .get();
            Wait.waitUntil("a leader", Duration.ofSeconds(30), () -> leader(cluster, admin) > 0);
            int first = leader(cluster, admin);
            int coordinator;
            try (RawKafkaConnection c = connect(cluster, first)) {
                Wait.waitUntil("the share partition initialises", Duration.ofSeconds(60), () -> {
                    ShareFetchResponseData r = ShareWire.fetch(c, (short) 2, "kg", "m1", 0, topicId, 0, List.of(), 0);
                    return r.errorCode() == 0 && partition(r).errorCode() == 0;
                });
                for (int i = 0; i < 20; i++) {
                    assertEquals(Errors.NONE, c.produce(TOPIC, 0, (short) -1, 10_000, "r" + i));
                }
                ShareFetchResponseData r = ShareWire.fetch(c, (short) 2, "kg", "m1", 1, topicId, 0, List.of(), 5_000);
                assertEquals(20, acquired(partition(r)).size());
                ShareFetchResponseData acked = ShareWire.fetch(
                        c, (short) 2, "kg", "m1", 2, topicId, 0, List.of(new ShareWire.Ack(0, 9, (byte) 1)), 0);
                assertEquals(Errors.NONE.code(), partition(acked).acknowledgeErrorCode());
                FindCoordinatorResponseData found = (FindCoordinatorResponseData) c.send(
                                ApiKeys.FIND_COORDINATOR,
                                (short) 6,
                                new FindCoordinatorRequestData()
                                        .setKeyType((byte) 2)
                                        .setCoordinatorKeys(List.of("kg:" + topicId + ":0")))
                        .data();
                coordinator = found.coordinators().get(0).nodeId();
            }
            log.info("killing the leader of {}, broker {} (share coordinator: broker {})", TP, first, coordinator);
            cluster.broker(first).kill();
            Wait.waitUntil("a new leader", Duration.ofSeconds(60), () -> {
                int l = leader(cluster, admin);
                return l > 0 && l != first;
            });
            int second = leader(cluster, admin);
            List<Long> again = new ArrayList<>(acquire(cluster, second, "m2", topicId, 5)); // accepts 5 of 10-19
            assertEquals(5, again.size());
            assertTrue(again.stream().allMatch(o -> o >= 10), "acknowledged records delivered again: " + again);
            cluster.broker(first).start();

            int nowCoordinator = coordinator;
            log.info("killing the share coordinator, broker {}", nowCoordinator);
            cluster.broker(nowCoordinator).kill();
            Wait.waitUntil("a live leader", Duration.ofSeconds(60), () -> {
                int l = leader(cluster, admin);
                return l > 0 && l != nowCoordinator;
            });
            int third = leader(cluster, admin);
            again.addAll(acquire(cluster, third, "m3", topicId, 5));
            assertEquals(
                    new TreeSet<>(List.of(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L)), new TreeSet<>(again));
            assertEquals(10, again.size(), "each unacknowledged record accepted once: " + again);
            cluster.broker(nowCoordinator).start();
            Wait.waitUntil("the start offset is 20", Duration.ofSeconds(60), () -> {
                try {
                    return admin.listShareGroupOffsets(
                                            Map.of("kg", new ListShareGroupOffsetsSpec().topicPartitions(List.of(TP))))
                                    .partitionsToOffsetInfo("kg")
                                    .get()
                                    .get(TP)
                                    .startOffset()
                            == 20;
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }
}
