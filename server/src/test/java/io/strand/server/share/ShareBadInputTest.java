package io.strand.server.share;

import static io.strand.server.share.ShareWire.acquired;
import static io.strand.server.share.ShareWire.partition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.share.ShareWire.Ack;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad share requests get Kafka's error codes and the broker goes on serving: an unknown topic id, a
 * partition another broker leads (with the current leader and its endpoint), records acknowledged by a
 * member that does not hold them, malformed acknowledgements and a missing member id.
 */
@ExtendWith(StrandClusterExtension.class)
class ShareBadInputTest {
    private static final String TOPIC = "share-bad";
    private static Uuid topicId;
    private static int mine; // the partition broker 1 leads
    private static int theirs; // the partition broker 2 leads

    @BrokerCluster(
            brokers = 2,
            properties = {
                "share.coordinator.state.topic.num.partitions=2",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "min.insync.replicas=1"
            })
    private static StrandTestCluster cluster;

    @BeforeAll
    static void createTopic() throws Exception {
        topicId = cluster.createTopic(TOPIC, 2, 1);
        boolean firstIsMine = cluster.broker(1)
                .replicaManager()
                .partition(new TopicPartition(TOPIC, 0))
                .map(p -> p.isLeader())
                .orElse(false);
        mine = firstIsMine ? 0 : 1;
        theirs = 1 - mine;
    }

    private static RawKafkaConnection connect() throws Exception {
        return new RawKafkaConnection("127.0.0.1", cluster.port(1));
    }

    @Test
    void shouldAnswerPerPartitionErrorsAndStillServeTheGoodPartition() throws Exception {
        Uuid unknown = Uuid.randomUuid();
        try (RawKafkaConnection c = connect()) {
            ShareFetchRequestData req = new ShareFetchRequestData()
                    .setGroupId("bad-g")
                    .setMemberId("m1")
                    .setShareSessionEpoch(0)
                    .setMaxWaitMs(0)
                    .setMaxBytes(1 << 20)
                    .setMaxRecords(100);
            ShareFetchRequestData.FetchTopic t = new ShareFetchRequestData.FetchTopic().setTopicId(topicId);
            t.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(mine));
            t.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(theirs));
            req.topics().add(t);
            ShareFetchRequestData.FetchTopic u = new ShareFetchRequestData.FetchTopic().setTopicId(unknown);
            u.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
            req.topics().add(u);
            ShareFetchResponseData r = (ShareFetchResponseData)
                    c.send(ApiKeys.SHARE_FETCH, (short) 1, req).data();
            assertEquals(Errors.NONE.code(), r.errorCode());
            var topic = r.responses().find(topicId);
            ShareFetchResponseData.PartitionData good = topic.partitions().stream()
                    .filter(p -> p.partitionIndex() == mine)
                    .findFirst()
                    .orElseThrow();
            ShareFetchResponseData.PartitionData moved = topic.partitions().stream()
                    .filter(p -> p.partitionIndex() == theirs)
                    .findFirst()
                    .orElseThrow();
            assertEquals(Errors.NONE.code(), good.errorCode());
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), moved.errorCode());
            assertEquals(2, moved.currentLeader().leaderId());
            assertNotNull(r.nodeEndpoints().find(2));
            assertEquals(cluster.port(2), r.nodeEndpoints().find(2).port());
            assertEquals(
                    Errors.UNKNOWN_TOPIC_ID.code(),
                    r.responses().find(unknown).partitions().get(0).errorCode());

            // the good partition works in the same session
            for (int i = 0; i < 3; i++) {
                assertEquals(Errors.NONE, c.produce(TOPIC, mine, (short) -1, 10_000, "v" + i));
            }
            ShareFetchResponseData got = fetchMine(c, "m1", 1, List.of());
            assertEquals(3, acquired(partition(got)).size());
        }
    }

    /** A fetch of only {@code mine} in an existing session (other partitions forgotten first by a new session). */
    private static ShareFetchResponseData fetchMine(RawKafkaConnection c, String member, int epoch, List<Ack> acks)
            throws Exception {
        ShareFetchResponseData r = ShareWire.fetch(c, (short) 1, "bad-g", member, epoch, topicId, mine, acks, 2_000);
        var t = r.responses().find(topicId);
        ShareFetchResponseData only = new ShareFetchResponseData().setErrorCode(r.errorCode());
        if (t != null) {
            var copy = new ShareFetchResponseData.ShareFetchableTopicResponse().setTopicId(topicId);
            t.partitions().stream().filter(p -> p.partitionIndex() == mine).forEach(copy.partitions()::add);
            only.responses().add(copy);
        }
        return only;
    }

    @Test
    void shouldRefuseAcknowledgementsOfRecordsAnotherMemberHolds() throws Exception {
        String group = "bad-acks";
        try (RawKafkaConnection c = connect()) {
            ShareWire.fetch(c, (short) 2, group, "holder", 0, topicId, mine, List.of(), 0);
            ShareWire.fetch(c, (short) 2, group, "other", 0, topicId, mine, List.of(), 0);
            for (int i = 0; i < 2; i++) {
                assertEquals(Errors.NONE, c.produce(TOPIC, mine, (short) -1, 10_000, "w" + i));
            }
            ShareFetchResponseData held =
                    ShareWire.fetch(c, (short) 2, group, "holder", 1, topicId, mine, List.of(), 2_000);
            List<Long> offsets = acquired(partition(held));
            assertEquals(2, offsets.size());
            long first = offsets.get(0);
            long last = offsets.get(1);

            ShareAcknowledgeResponseData stolen = ShareWire.acknowledge(
                    c, (short) 2, group, "other", 1, Map.of(topicId, Map.of(mine, List.of(new Ack(first, last, (byte)
                            1)))));
            assertEquals(Errors.NONE.code(), stolen.errorCode());
            assertEquals(
                    Errors.INVALID_RECORD_STATE.code(),
                    stolen.responses().find(topicId).partitions().get(0).errorCode());
            ShareAcknowledgeResponseData badType = ShareWire.acknowledge(
                    c, (short) 2, group, "holder", 2, Map.of(topicId, Map.of(mine, List.of(new Ack(first, first, (byte)
                            7)))));
            assertEquals(
                    Errors.INVALID_REQUEST.code(),
                    badType.responses().find(topicId).partitions().get(0).errorCode());
            ShareAcknowledgeResponseData other = ShareWire.acknowledge(
                    c, (short) 2, group, "holder", 3, Map.of(topicId, Map.of(theirs, List.of(new Ack(0, 0, (byte)
                            1)))));
            assertEquals(
                    Errors.NOT_LEADER_OR_FOLLOWER.code(),
                    other.responses().find(topicId).partitions().get(0).errorCode());
            // the holder's own acknowledgement still works, and the start offset moves
            ShareAcknowledgeResponseData mineAck = ShareWire.acknowledge(
                    c, (short) 2, group, "holder", 4, Map.of(topicId, Map.of(mine, List.of(new Ack(first, last, (byte)
                            1)))));
            assertEquals(
                    Errors.NONE.code(),
                    mineAck.responses().find(topicId).partitions().get(0).errorCode());
            Wait.waitUntil(
                    "the start offset passes the acknowledged records",
                    Duration.ofSeconds(10),
                    () -> cluster.broker(1)
                                    .sharePartitions()
                                    .loaded(group, new TopicPartition(TOPIC, mine))
                                    .startOffset()
                            == last + 1);
            assertTrue(cluster.broker(1).sharePartitions().metrics().acknowledged() >= 2);
        }
    }

    @Test
    void shouldRefuseRequestsWithoutAMemberOrWithAcknowledgementsInANewSession() throws Exception {
        try (RawKafkaConnection c = connect()) {
            assertEquals(
                    Errors.INVALID_REQUEST.code(),
                    ShareWire.fetch(c, (short) 1, "bad-g2", "", 0, topicId, mine, List.of(), 0)
                            .errorCode());
            assertEquals(
                    Errors.INVALID_REQUEST.code(),
                    ShareWire.fetch(c, (short) 1, "bad-g2", "m", 0, topicId, mine, List.of(new Ack(0, 0, (byte) 1)), 0)
                            .errorCode());
            assertEquals(
                    Errors.INVALID_REQUEST.code(),
                    ShareWire.acknowledge(c, (short) 1, "", "m", 1, Map.of()).errorCode());
            // and the broker still answers a good request on the same connection
            assertEquals(
                    Errors.NONE.code(),
                    ShareWire.fetch(c, (short) 1, "bad-g2", "m", 0, topicId, mine, List.of(), 0)
                            .errorCode());
        }
    }
}
