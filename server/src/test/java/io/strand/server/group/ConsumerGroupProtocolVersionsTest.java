package io.strand.server.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.EveryVersion;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Every advertised version of ConsumerGroupHeartbeat and ConsumerGroupDescribe (KIP-848), with raw
 * requests: joining (a v0 member gets its id from the coordinator, a v1 member names itself), the
 * assignment, leaving, and the errors a client acts on (INVALID_REQUEST, UNKNOWN_MEMBER_ID,
 * FENCED_MEMBER_EPOCH, UNSUPPORTED_ASSIGNOR, INVALID_REGULAR_EXPRESSION, UNRELEASED_INSTANCE_ID,
 * NOT_COORDINATOR, GROUP_ID_NOT_FOUND), and OffsetCommit's member-epoch check (STALE_MEMBER_EPOCH).
 */
@ExtendWith(StrandClusterExtension.class)
class ConsumerGroupProtocolVersionsTest {
    private static final String TOPIC = "kip848-versions";

    @BrokerCluster(
            brokers = 2,
            properties = {"offsets.topic.replication.factor=1", "offsets.topic.num.partitions=10"})
    private static StrandTestCluster cluster;

    private static Uuid topicId;

    @BeforeAll
    static void createTopic() throws Exception {
        topicId = cluster.createTopic(TOPIC, 3, 1);
    }

    private static int coordinatorOf(String group) throws Exception {
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(1))) {
            return Wait.waitFor(
                            "a coordinator for " + group,
                            Duration.ofSeconds(10),
                            () -> ((FindCoordinatorResponseData) c.send(
                                                    ApiKeys.FIND_COORDINATOR,
                                                    (short) 4,
                                                    new FindCoordinatorRequestData().setCoordinatorKeys(List.of(group)))
                                            .data())
                                    .coordinators()
                                    .get(0),
                            co -> co.errorCode() == Errors.NONE.code())
                    .nodeId();
        }
    }

    private static ConsumerGroupHeartbeatResponseData heartbeat(
            RawKafkaConnection c, short version, ConsumerGroupHeartbeatRequestData r) throws Exception {
        return (ConsumerGroupHeartbeatResponseData)
                c.send(ApiKeys.CONSUMER_GROUP_HEARTBEAT, version, r).data();
    }

    private static ConsumerGroupHeartbeatRequestData join(String group, String memberId) {
        return new ConsumerGroupHeartbeatRequestData()
                .setGroupId(group)
                .setMemberId(memberId)
                .setMemberEpoch(0)
                .setRebalanceTimeoutMs(30000)
                .setSubscribedTopicNames(List.of(TOPIC))
                .setTopicPartitions(new ArrayList<>());
    }

    /** Joins (retrying while the coordinator loads) and returns the answer. */
    private static ConsumerGroupHeartbeatResponseData joined(
            RawKafkaConnection c, short version, String group, String id) throws Exception {
        return Wait.waitFor(
                group + " joined",
                Duration.ofSeconds(10),
                () -> heartbeat(c, version, join(group, id)),
                r -> r.errorCode() != Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.CONSUMER_GROUP_HEARTBEAT)
    void shouldJoinGetTheAssignmentAndLeave(short version) throws Exception {
        String group = "cgh-v" + version;
        int coordinator = coordinatorOf(group);
        String memberId = version == 0 ? "" : Uuid.randomUuid().toString();
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(coordinator))) {
            // a joining member gets every partition of its topic, at epoch 1
            ConsumerGroupHeartbeatResponseData r = joined(c, version, group, memberId);
            assertEquals(Errors.NONE.code(), r.errorCode(), r.errorMessage());
            assertEquals(1, r.memberEpoch());
            if (version == 0) {
                assertEquals(22, r.memberId().length(), "the coordinator names a v0 member: " + r.memberId());
                memberId = r.memberId();
            } else {
                assertEquals(memberId, r.memberId());
            }
            assertEquals(topicId, r.assignment().topicPartitions().get(0).topicId());
            assertEquals(
                    List.of(0, 1, 2), r.assignment().topicPartitions().get(0).partitions());
            assertEquals(5000, r.heartbeatIntervalMs());

            // a heartbeat at its epoch changes nothing, and carries no assignment
            ConsumerGroupHeartbeatResponseData again = heartbeat(
                    c,
                    version,
                    new ConsumerGroupHeartbeatRequestData()
                            .setGroupId(group)
                            .setMemberId(memberId)
                            .setMemberEpoch(1));
            assertEquals(Errors.NONE.code(), again.errorCode());
            assertEquals(1, again.memberEpoch());
            assertNull(again.assignment());

            // an epoch ahead of the member's is fenced; an unknown member is unknown
            assertEquals(
                    Errors.FENCED_MEMBER_EPOCH.code(),
                    heartbeat(
                                    c,
                                    version,
                                    new ConsumerGroupHeartbeatRequestData()
                                            .setGroupId(group)
                                            .setMemberId(memberId)
                                            .setMemberEpoch(7))
                            .errorCode());
            assertEquals(
                    Errors.UNKNOWN_MEMBER_ID.code(),
                    heartbeat(
                                    c,
                                    version,
                                    new ConsumerGroupHeartbeatRequestData()
                                            .setGroupId(group)
                                            .setMemberId("nobody")
                                            .setMemberEpoch(3))
                            .errorCode());
            // a join without a rebalance timeout, and an unknown assignor, are refused
            assertEquals(
                    Errors.INVALID_REQUEST.code(),
                    heartbeat(c, version, join(group, memberId).setRebalanceTimeoutMs(-1))
                            .errorCode());
            assertEquals(
                    Errors.UNSUPPORTED_ASSIGNOR.code(),
                    heartbeat(c, version, join(group, memberId).setServerAssignor("sticky"))
                            .errorCode());
            if (version >= 1) {
                assertEquals(
                        Errors.INVALID_REQUEST.code(),
                        heartbeat(c, version, join(group, "")).errorCode(),
                        "v1 members name themselves");
                assertEquals(
                        Errors.INVALID_REGULAR_EXPRESSION.code(),
                        heartbeat(c, version, join(group, memberId).setSubscribedTopicRegex("(unclosed"))
                                .errorCode());
            }

            // an OffsetCommit at another epoch is stale
            OffsetCommitResponseData stale = (OffsetCommitResponseData) c.send(
                            ApiKeys.OFFSET_COMMIT,
                            ApiKeys.OFFSET_COMMIT.latestVersion(),
                            new OffsetCommitRequestData()
                                    .setGroupId(group)
                                    .setMemberId(memberId)
                                    .setGenerationIdOrMemberEpoch(2)
                                    .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                                            .setTopicId(topicId)
                                            .setName(TOPIC)
                                            .setPartitions(
                                                    List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                                            .setPartitionIndex(0)
                                                            .setCommittedOffset(1))))))
                    .data();
            assertEquals(
                    Errors.STALE_MEMBER_EPOCH.code(),
                    stale.topics().get(0).partitions().get(0).errorCode());

            // leaving
            ConsumerGroupHeartbeatResponseData left = heartbeat(
                    c,
                    version,
                    new ConsumerGroupHeartbeatRequestData()
                            .setGroupId(group)
                            .setMemberId(memberId)
                            .setMemberEpoch(-1));
            assertEquals(Errors.NONE.code(), left.errorCode());
            assertEquals(-1, left.memberEpoch());
        }
        try (RawKafkaConnection other = new RawKafkaConnection("127.0.0.1", cluster.port(coordinator == 1 ? 2 : 1))) {
            assertEquals(
                    Errors.NOT_COORDINATOR.code(),
                    heartbeat(other, version, join(group, version == 0 ? "" : "x"))
                            .errorCode());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.CONSUMER_GROUP_HEARTBEAT)
    void shouldReplaceAStaticMemberOnlyOnceItLeft(short version) throws Exception {
        String group = "cgh-static-v" + version;
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(coordinatorOf(group)))) {
            String first = version == 0 ? "" : Uuid.randomUuid().toString();
            ConsumerGroupHeartbeatResponseData a = Wait.waitFor(
                    group + " joined",
                    Duration.ofSeconds(10),
                    () -> heartbeat(c, version, join(group, first).setInstanceId("instance-1")),
                    r -> r.errorCode() != Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
            assertEquals(Errors.NONE.code(), a.errorCode());
            String second = version == 0 ? "" : Uuid.randomUuid().toString();
            assertEquals(
                    Errors.UNRELEASED_INSTANCE_ID.code(),
                    heartbeat(c, version, join(group, second).setInstanceId("instance-1"))
                            .errorCode());
            // the first leaves as a static member (epoch -2): a new instance takes over its partitions and epoch
            ConsumerGroupHeartbeatResponseData left = heartbeat(
                    c,
                    version,
                    new ConsumerGroupHeartbeatRequestData()
                            .setGroupId(group)
                            .setMemberId(a.memberId())
                            .setInstanceId("instance-1")
                            .setMemberEpoch(-2));
            assertEquals(Errors.NONE.code(), left.errorCode());
            ConsumerGroupHeartbeatResponseData b =
                    heartbeat(c, version, join(group, second).setInstanceId("instance-1"));
            assertEquals(Errors.NONE.code(), b.errorCode(), b.errorMessage());
            assertEquals(a.memberEpoch(), b.memberEpoch(), "no new epoch for a replaced static member");
            assertEquals(
                    a.assignment().topicPartitions().get(0).partitions(),
                    b.assignment().topicPartitions().get(0).partitions());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.CONSUMER_GROUP_DESCRIBE)
    void shouldDescribeMembersWithTheirAssignments(short version) throws Exception {
        String group = "cgd-v" + version;
        int coordinator = coordinatorOf(group);
        Errors unknownGroup =
                coordinatorOf("no-such-group") == coordinator ? Errors.GROUP_ID_NOT_FOUND : Errors.NOT_COORDINATOR;
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(coordinator))) {
            String memberId = Uuid.randomUuid().toString();
            assertEquals(
                    Errors.NONE.code(), joined(c, (short) 1, group, memberId).errorCode());
            ConsumerGroupDescribeResponseData r = (ConsumerGroupDescribeResponseData) c.send(
                            ApiKeys.CONSUMER_GROUP_DESCRIBE,
                            version,
                            new ConsumerGroupDescribeRequestData().setGroupIds(List.of(group, "no-such-group")))
                    .data();
            ConsumerGroupDescribeResponseData.DescribedGroup d = r.groups().get(0);
            assertEquals(Errors.NONE.code(), d.errorCode());
            assertEquals("Stable", d.groupState());
            assertEquals(1, d.groupEpoch());
            assertEquals(1, d.assignmentEpoch());
            assertEquals("uniform", d.assignorName());
            ConsumerGroupDescribeResponseData.Member m = d.members().get(0);
            assertEquals(memberId, m.memberId());
            assertEquals(List.of(TOPIC), m.subscribedTopicNames());
            assertEquals(TOPIC, m.assignment().topicPartitions().get(0).topicName());
            assertEquals(
                    List.of(0, 1, 2),
                    m.targetAssignment().topicPartitions().get(0).partitions());
            if (version >= 1) {
                assertEquals(1, m.memberType());
            }
            assertEquals(unknownGroup.code(), r.groups().get(1).errorCode());
            assertNotNull(r.groups().get(1).errorMessage());
        }
    }
}
