package io.strand.server.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.EveryVersion;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The classic APIs for a consumer group (the online migration), with raw requests at every JoinGroup
 * version (SyncGroup, Heartbeat and LeaveGroup at the same version or their newest): a classic
 * consumer joins a consumer group whose member of the consumer protocol owns every partition, as a
 * follower at generation = its member epoch with nothing yet; its SyncGroup, Heartbeat and LeaveGroup
 * are answered as a classic client expects; ConsumerGroupDescribe shows it as a classic member; a
 * JoinGroup of another protocol type is refused.
 */
@ExtendWith(StrandClusterExtension.class)
class ClassicMembersProtocolVersionsTest {
    private static final String TOPIC = "mixed-versions";

    @BrokerCluster(
            brokers = 1,
            properties = {"offsets.topic.replication.factor=1", "offsets.topic.num.partitions=4"})
    private static StrandTestCluster cluster;

    @BeforeAll
    static void createTopic() throws Exception {
        cluster.createTopic(TOPIC, 3, 1);
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.JOIN_GROUP)
    void shouldServeAClassicMemberOfAConsumerGroup(short version) throws Exception {
        String group = "mixed-v" + version;
        short syncVersion = (short) Math.min(version, 5);
        short heartbeatVersion = (short) Math.min(version, 4);
        short leaveVersion = (short) Math.min(version, 5);
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(1))) {
            awaitCoordinator(c, group);
            // given a consumer group whose one member of the consumer protocol owns every partition
            String consumer = Uuid.randomUuid().toString();
            ConsumerGroupHeartbeatResponseData joined = Wait.waitFor(
                    "the consumer member joined",
                    Duration.ofSeconds(10),
                    () -> (ConsumerGroupHeartbeatResponseData) send(
                            c,
                            ApiKeys.CONSUMER_GROUP_HEARTBEAT,
                            (short) 1,
                            new ConsumerGroupHeartbeatRequestData()
                                    .setGroupId(group)
                                    .setMemberId(consumer)
                                    .setMemberEpoch(0)
                                    .setRebalanceTimeoutMs(30_000)
                                    .setSubscribedTopicNames(List.of(TOPIC))
                                    .setTopicPartitions(new ArrayList<>())),
                    r -> r.errorCode() != Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
            assertEquals(Errors.NONE.code(), joined.errorCode(), joined.errorMessage());

            // when a JoinGroup of another protocol type comes, it is refused
            JoinGroupResponseData connect =
                    (JoinGroupResponseData) send(c, ApiKeys.JOIN_GROUP, version, joinRequest(group, "", "connect"));
            assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL.code(), connect.errorCode());

            // when a classic consumer joins (with the member id handed out first from v4)
            JoinGroupResponseData first =
                    (JoinGroupResponseData) send(c, ApiKeys.JOIN_GROUP, version, joinRequest(group, "", "consumer"));
            JoinGroupResponseData j = first;
            if (version >= 4) {
                assertEquals(Errors.MEMBER_ID_REQUIRED.code(), first.errorCode());
                j = (JoinGroupResponseData)
                        send(c, ApiKeys.JOIN_GROUP, version, joinRequest(group, first.memberId(), "consumer"));
            }
            String member = j.memberId();

            // then it is a follower at generation 2 (its member epoch), of the "range" protocol
            assertEquals(Errors.NONE.code(), j.errorCode());
            assertEquals(2, j.generationId());
            assertEquals("", j.leader());
            assertTrue(j.members().isEmpty());
            if (version >= 7) {
                assertEquals("consumer", j.protocolType());
            }
            assertEquals("range", j.protocolName());

            // and its SyncGroup answers an empty ConsumerProtocol assignment (the other member owns everything)
            SyncGroupRequestData sync = new SyncGroupRequestData()
                    .setGroupId(group)
                    .setGenerationId(2)
                    .setMemberId(member);
            if (syncVersion >= 5) {
                sync.setProtocolType("consumer").setProtocolName("range");
            }
            SyncGroupResponseData synced = (SyncGroupResponseData) send(c, ApiKeys.SYNC_GROUP, syncVersion, sync);
            assertEquals(Errors.NONE.code(), synced.errorCode());
            assertEquals(
                    List.of(),
                    ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(synced.assignment()))
                            .partitions());
            SyncGroupResponseData wrongGeneration = (SyncGroupResponseData)
                    send(c, ApiKeys.SYNC_GROUP, syncVersion, sync.duplicate().setGenerationId(7));
            assertEquals(Errors.ILLEGAL_GENERATION.code(), wrongGeneration.errorCode());

            // and its heartbeats are answered NONE, ILLEGAL_GENERATION for another generation
            assertEquals(Errors.NONE.code(), heartbeat(c, heartbeatVersion, group, member, 2));
            assertEquals(Errors.ILLEGAL_GENERATION.code(), heartbeat(c, heartbeatVersion, group, member, 1));
            assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), heartbeat(c, heartbeatVersion, group, consumer, 1));

            // and ConsumerGroupDescribe shows it as a classic member (type 0)
            ConsumerGroupDescribeResponseData described = (ConsumerGroupDescribeResponseData) send(
                    c,
                    ApiKeys.CONSUMER_GROUP_DESCRIBE,
                    (short) 1,
                    new ConsumerGroupDescribeRequestData().setGroupIds(List.of(group)));
            ConsumerGroupDescribeResponseData.Member m = described.groups().get(0).members().stream()
                    .filter(x -> x.memberId().equals(member))
                    .findFirst()
                    .orElseThrow();
            assertEquals(0, m.memberType());
            assertEquals(2, m.memberEpoch());

            // when it leaves, then it is gone and the group stays a consumer group of one member
            LeaveGroupRequestData leave = new LeaveGroupRequestData().setGroupId(group);
            if (leaveVersion >= 3) {
                leave.members().add(new LeaveGroupRequestData.MemberIdentity().setMemberId(member));
            } else {
                leave.setMemberId(member);
            }
            LeaveGroupResponseData left = (LeaveGroupResponseData) send(c, ApiKeys.LEAVE_GROUP, leaveVersion, leave);
            assertEquals(Errors.NONE.code(), left.errorCode());
            if (leaveVersion >= 3) {
                assertEquals(Errors.NONE.code(), left.members().get(0).errorCode());
            }
            assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), heartbeat(c, heartbeatVersion, group, member, 2));
            ConsumerGroupDescribeResponseData after = (ConsumerGroupDescribeResponseData) send(
                    c,
                    ApiKeys.CONSUMER_GROUP_DESCRIBE,
                    (short) 1,
                    new ConsumerGroupDescribeRequestData().setGroupIds(List.of(group)));
            assertEquals(Errors.NONE.code(), after.groups().get(0).errorCode());
            assertEquals(1, after.groups().get(0).members().size());
        }
    }

    private static void awaitCoordinator(RawKafkaConnection c, String group) throws Exception {
        Wait.waitFor(
                "a coordinator for " + group,
                Duration.ofSeconds(10),
                () -> ((FindCoordinatorResponseData) send(
                                c,
                                ApiKeys.FIND_COORDINATOR,
                                (short) 4,
                                new FindCoordinatorRequestData().setCoordinatorKeys(List.of(group))))
                        .coordinators()
                        .get(0),
                co -> co.errorCode() == Errors.NONE.code());
    }

    private static short heartbeat(RawKafkaConnection c, short version, String group, String member, int generation)
            throws Exception {
        return ((HeartbeatResponseData) send(
                        c,
                        ApiKeys.HEARTBEAT,
                        version,
                        new HeartbeatRequestData()
                                .setGroupId(group)
                                .setMemberId(member)
                                .setGenerationId(generation)))
                .errorCode();
    }

    private static JoinGroupRequestData joinRequest(String group, String memberId, String protocolType) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
                new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol()
                .setName("range")
                .setMetadata(Utils.toArray(ConsumerProtocol.serializeSubscription(
                        new ConsumerPartitionAssignor.Subscription(List.of(TOPIC))))));
        return new JoinGroupRequestData()
                .setGroupId(group)
                .setMemberId(memberId)
                .setSessionTimeoutMs(10_000)
                .setRebalanceTimeoutMs(10_000)
                .setProtocolType(protocolType)
                .setProtocols(protocols);
    }

    private static ApiMessage send(RawKafkaConnection c, ApiKeys api, short version, ApiMessage body) throws Exception {
        return c.send(api, version, body).data();
    }
}
