package io.strand.server.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.EveryVersion;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeRequestData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Every advertised version of ShareGroupHeartbeat and ShareGroupDescribe (KIP-932) with raw
 * requests: members join and all read the one partition of a topic (a share group gives a partition
 * to several members), a member that leaves is gone, and the errors a client acts on
 * (INVALID_REQUEST, UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH, GROUP_ID_NOT_FOUND for a group of
 * another type).
 */
@ExtendWith(StrandClusterExtension.class)
class ShareGroupProtocolVersionsTest {
    private static final String TOPIC = "share-versions";

    @BrokerCluster(
            brokers = 1,
            properties = {"offsets.topic.replication.factor=1", "offsets.topic.num.partitions=4"})
    private static StrandTestCluster cluster;

    private static Uuid topicId;

    @BeforeAll
    static void createTopic() throws Exception {
        topicId = cluster.createTopic(TOPIC, 1, 1);
    }

    private static ShareGroupHeartbeatResponseData heartbeat(
            RawKafkaConnection c, short version, ShareGroupHeartbeatRequestData r) throws Exception {
        return (ShareGroupHeartbeatResponseData)
                c.send(ApiKeys.SHARE_GROUP_HEARTBEAT, version, r).data();
    }

    private static ShareGroupHeartbeatRequestData join(String group, String memberId) {
        return new ShareGroupHeartbeatRequestData()
                .setGroupId(group)
                .setMemberId(memberId)
                .setMemberEpoch(0)
                .setSubscribedTopicNames(List.of(TOPIC));
    }

    private static RawKafkaConnection coordinator(String group) throws Exception {
        RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(1));
        Wait.waitUntil("the coordinator of " + group + " is ready", Duration.ofSeconds(20), () -> {
            FindCoordinatorResponseData f = (FindCoordinatorResponseData) c.send(
                            ApiKeys.FIND_COORDINATOR,
                            (short) 4,
                            new FindCoordinatorRequestData().setCoordinatorKeys(List.of(group)))
                    .data();
            ListGroupsResponseData l =
                    (ListGroupsResponseData) c.send(ApiKeys.LIST_GROUPS, (short) 0, new ListGroupsRequestData())
                            .data();
            return f.coordinators().get(0).errorCode() == Errors.NONE.code() && l.errorCode() == Errors.NONE.code();
        });
        return c;
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.SHARE_GROUP_HEARTBEAT)
    void shouldLetEveryMemberReadTheOnePartitionAndLeave(short version) throws Exception {
        String group = "sgh-v" + version;
        try (RawKafkaConnection c = coordinator(group)) {
            String a = Uuid.randomUuid().toString();
            String b = Uuid.randomUuid().toString();
            ShareGroupHeartbeatResponseData ra = heartbeat(c, version, join(group, a));
            assertEquals(Errors.NONE.code(), ra.errorCode(), ra.errorMessage());
            assertEquals(1, ra.memberEpoch());
            assertEquals(topicId, ra.assignment().topicPartitions().get(0).topicId());
            assertEquals(List.of(0), ra.assignment().topicPartitions().get(0).partitions());
            ShareGroupHeartbeatResponseData rb = heartbeat(c, version, join(group, b));
            assertEquals(Errors.NONE.code(), rb.errorCode());
            assertEquals(2, rb.memberEpoch());
            assertEquals(List.of(0), rb.assignment().topicPartitions().get(0).partitions(), "shared, not moved");

            // the first member moves to the new epoch at its next heartbeat, keeping the partition
            ShareGroupHeartbeatResponseData again = heartbeat(
                    c,
                    version,
                    new ShareGroupHeartbeatRequestData()
                            .setGroupId(group)
                            .setMemberId(a)
                            .setMemberEpoch(1));
            assertEquals(Errors.NONE.code(), again.errorCode());
            assertEquals(2, again.memberEpoch());
            assertNull(again.assignment(), "unchanged partitions are not sent again");

            assertEquals(
                    Errors.FENCED_MEMBER_EPOCH.code(),
                    heartbeat(
                                    c,
                                    version,
                                    new ShareGroupHeartbeatRequestData()
                                            .setGroupId(group)
                                            .setMemberId(a)
                                            .setMemberEpoch(9))
                            .errorCode());
            assertEquals(
                    Errors.UNKNOWN_MEMBER_ID.code(),
                    heartbeat(
                                    c,
                                    version,
                                    new ShareGroupHeartbeatRequestData()
                                            .setGroupId(group)
                                            .setMemberId("nobody")
                                            .setMemberEpoch(2))
                            .errorCode());
            assertEquals(
                    Errors.INVALID_REQUEST.code(),
                    heartbeat(c, version, join(group, "")).errorCode(),
                    "members name themselves");
            assertEquals(
                    Errors.INVALID_REQUEST.code(),
                    heartbeat(c, version, join(group, a).setSubscribedTopicNames(null))
                            .errorCode(),
                    "a joining member names its topics");

            // leaving
            ShareGroupHeartbeatResponseData left = heartbeat(
                    c,
                    version,
                    new ShareGroupHeartbeatRequestData()
                            .setGroupId(group)
                            .setMemberId(b)
                            .setMemberEpoch(-1));
            assertEquals(Errors.NONE.code(), left.errorCode());
            assertEquals(-1, left.memberEpoch());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.SHARE_GROUP_DESCRIBE)
    void shouldDescribeTheMembersAndRefuseOtherGroupTypes(short version) throws Exception {
        String group = "sgd-v" + version;
        try (RawKafkaConnection c = coordinator(group)) {
            String a = Uuid.randomUuid().toString();
            assertEquals(
                    Errors.NONE.code(),
                    heartbeat(c, ApiKeys.SHARE_GROUP_HEARTBEAT.latestVersion(), join(group, a))
                            .errorCode());
            ShareGroupDescribeResponseData r = (ShareGroupDescribeResponseData) c.send(
                            ApiKeys.SHARE_GROUP_DESCRIBE,
                            version,
                            new ShareGroupDescribeRequestData().setGroupIds(List.of(group)))
                    .data();
            ShareGroupDescribeResponseData.DescribedGroup d = r.groups().get(0);
            assertEquals(Errors.NONE.code(), d.errorCode());
            assertEquals("Stable", d.groupState());
            assertEquals("simple", d.assignorName());
            assertEquals(a, d.members().get(0).memberId());
            assertEquals(
                    TOPIC,
                    d.members().get(0).assignment().topicPartitions().get(0).topicName());

            // a share heartbeat for a consumer group's id is refused
            String consumerGroup = "sgd-consumer-v" + version;
            try (RawKafkaConnection k = coordinator(consumerGroup)) {
                var joined = k.send(
                                ApiKeys.CONSUMER_GROUP_HEARTBEAT,
                                (short) 1,
                                new org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData()
                                        .setGroupId(consumerGroup)
                                        .setMemberId(Uuid.randomUuid().toString())
                                        .setMemberEpoch(0)
                                        .setRebalanceTimeoutMs(30000)
                                        .setSubscribedTopicNames(List.of(TOPIC))
                                        .setTopicPartitions(List.of()))
                        .data();
                assertEquals(
                        Errors.NONE.code(),
                        ((org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData) joined).errorCode());
                assertEquals(
                        Errors.GROUP_ID_NOT_FOUND.code(),
                        heartbeat(k, ApiKeys.SHARE_GROUP_HEARTBEAT.latestVersion(), join(consumerGroup, "x"))
                                .errorCode());
            }
        }
    }
}
