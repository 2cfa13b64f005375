package io.strand.server.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.EveryVersion;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Every advertised version of every group API, with raw requests, on a two-broker cluster (so that
 * one broker is not the coordinator of a given group): the happy path plus the error codes a client
 * acts on (MEMBER_ID_REQUIRED, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS,
 * NOT_COORDINATOR, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, GROUP_SUBSCRIBED_TO_TOPIC).
 */
@ExtendWith(StrandClusterExtension.class)
class GroupProtocolVersionsTest {
    private static final String TOPIC = "group-versions";
    private static final short LATEST_JOIN = ApiKeys.JOIN_GROUP.latestVersion();

    @BrokerCluster(
            brokers = 2,
            properties = { // GroupTesting.overrides(1)
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=10",
                "group.initial.rebalance.delay.ms=0",
                "group.min.session.timeout.ms=1000"
            })
    private static StrandTestCluster cluster;

    private static Uuid topicId;

    @BeforeAll
    static void startCluster() throws Exception {
        topicId = cluster.createTopic(TOPIC, 2, 1);
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static int coordinatorOf(String group) throws Exception {
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(1))) {
            return Wait.waitFor(
                            "a coordinator for " + group,
                            Duration.ofSeconds(10),
                            () -> ((FindCoordinatorResponseData) send(
                                            c,
                                            ApiKeys.FIND_COORDINATOR,
                                            (short) 4,
                                            new FindCoordinatorRequestData().setCoordinatorKeys(List.of(group))))
                                    .coordinators()
                                    .get(0),
                            co -> co.errorCode() == Errors.NONE.code())
                    .nodeId();
        }
    }

    /** A connection to the group's coordinator, once it has loaded its partition. */
    private static RawKafkaConnection coordinator(String group) throws Exception {
        RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(coordinatorOf(group)));
        try {
            Wait.waitUntil(
                    "the coordinator of " + group + " finished loading",
                    Duration.ofSeconds(10),
                    () -> ((ListGroupsResponseData)
                                            send(c, ApiKeys.LIST_GROUPS, (short) 0, new ListGroupsRequestData()))
                                    .errorCode()
                            == Errors.NONE.code());
        } catch (AssertionError | InterruptedException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static RawKafkaConnection notCoordinator(String group) throws Exception {
        int coordinator = coordinatorOf(group);
        return new RawKafkaConnection("127.0.0.1", cluster.port(coordinator == 1 ? 2 : 1));
    }

    private static ApiMessage send(RawKafkaConnection c, ApiKeys api, short version, ApiMessage body) throws Exception {
        AbstractResponse r = c.send(api, version, body);
        return r.data();
    }

    private static byte[] subscription(String... topics) {
        ByteBuffer b =
                ConsumerProtocol.serializeSubscription(new ConsumerPartitionAssignor.Subscription(List.of(topics)));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static JoinGroupRequestData joinRequest(String group, String memberId) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
                new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol()
                .setName("range")
                .setMetadata(subscription(TOPIC)));
        return new JoinGroupRequestData()
                .setGroupId(group)
                .setMemberId(memberId)
                .setSessionTimeoutMs(10_000)
                .setRebalanceTimeoutMs(10_000)
                .setProtocolType("consumer")
                .setProtocols(protocols);
    }

    /** Joins as the only member at {@code version}; answers the join response. */
    private static JoinGroupResponseData join(RawKafkaConnection c, String group, short version) throws Exception {
        JoinGroupResponseData r = (JoinGroupResponseData) send(c, ApiKeys.JOIN_GROUP, version, joinRequest(group, ""));
        if (version >= 4) {
            assertEquals(Errors.MEMBER_ID_REQUIRED.code(), r.errorCode(), "first join of a new member v" + version);
            assertTrue(r.memberId().startsWith("raw-test-client-"), r.memberId());
            r = (JoinGroupResponseData) send(c, ApiKeys.JOIN_GROUP, version, joinRequest(group, r.memberId()));
        }
        assertEquals(Errors.NONE.code(), r.errorCode(), "join v" + version);
        return r;
    }

    private static SyncGroupResponseData sync(
            RawKafkaConnection c, String group, JoinGroupResponseData joined, short version, byte[] assignment)
            throws Exception {
        SyncGroupRequestData req = new SyncGroupRequestData()
                .setGroupId(group)
                .setGenerationId(joined.generationId())
                .setMemberId(joined.memberId());
        if (joined.leader().equals(joined.memberId())) {
            req.assignments()
                    .add(new SyncGroupRequestData.SyncGroupRequestAssignment()
                            .setMemberId(joined.memberId())
                            .setAssignment(assignment));
        }
        if (version >= 5) {
            req.setProtocolType("consumer").setProtocolName("range");
        }
        return (SyncGroupResponseData) send(c, ApiKeys.SYNC_GROUP, version, req);
    }

    /** A stable one-member group; answers the member's join response. */
    private static JoinGroupResponseData stableGroup(RawKafkaConnection c, String group) throws Exception {
        JoinGroupResponseData joined = join(c, group, LATEST_JOIN);
        SyncGroupResponseData synced = sync(c, group, joined, ApiKeys.SYNC_GROUP.latestVersion(), new byte[] {1, 2, 3});
        assertEquals(Errors.NONE.code(), synced.errorCode());
        return joined;
    }

    private static Errors heartbeat(RawKafkaConnection c, short version, String group, String memberId, int generation)
            throws Exception {
        return Errors.forCode(((org.apache.kafka.common.message.HeartbeatResponseData) send(
                        c,
                        ApiKeys.HEARTBEAT,
                        version,
                        new HeartbeatRequestData()
                                .setGroupId(group)
                                .setMemberId(memberId)
                                .setGenerationId(generation)))
                .errorCode());
    }

    private static OffsetCommitRequestData commitRequest(
            short version, String group, String memberId, int generation, long offset) {
        OffsetCommitRequestData.OffsetCommitRequestTopic t = new OffsetCommitRequestData.OffsetCommitRequestTopic();
        if (version >= 10) {
            t.setTopicId(topicId);
        } else {
            t.setName(TOPIC);
        }
        t.partitions()
                .add(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                        .setPartitionIndex(0)
                        .setCommittedOffset(offset)
                        .setCommittedMetadata("m" + offset));
        return new OffsetCommitRequestData()
                .setGroupId(group)
                .setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(generation)
                .setTopics(List.of(t));
    }

    private static Errors commit(
            RawKafkaConnection c, short version, String group, String memberId, int generation, long offset)
            throws Exception {
        OffsetCommitResponseData r = (OffsetCommitResponseData)
                send(c, ApiKeys.OFFSET_COMMIT, version, commitRequest(version, group, memberId, generation, offset));
        return Errors.forCode(r.topics().get(0).partitions().get(0).errorCode());
    }

    // -------------------------------------------------------------------------------------------- tests

    @Test
    void shouldAdvertiseEveryGroupApiFromKafkasOldestToLatestVersionAndTheConsumerProtocol() throws Exception {
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(1))) {
            ApiVersionsResponse r = (ApiVersionsResponse) c.send(
                    ApiKeys.API_VERSIONS,
                    (short) 3,
                    new org.apache.kafka.common.message.ApiVersionsRequestData()
                            .setClientSoftwareName("t")
                            .setClientSoftwareVersion("1"));
            for (ApiKeys api : List.of(
                    ApiKeys.FIND_COORDINATOR,
                    ApiKeys.JOIN_GROUP,
                    ApiKeys.SYNC_GROUP,
                    ApiKeys.HEARTBEAT,
                    ApiKeys.LEAVE_GROUP,
                    ApiKeys.OFFSET_COMMIT,
                    ApiKeys.OFFSET_FETCH,
                    ApiKeys.OFFSET_DELETE,
                    ApiKeys.DESCRIBE_GROUPS,
                    ApiKeys.LIST_GROUPS,
                    ApiKeys.DELETE_GROUPS)) {
                var v = r.data().apiKeys().find(api.id);
                assertEquals(api.oldestVersion(), v.minVersion(), api.name());
                assertEquals(api.latestVersion(), v.maxVersion(), api.name());
            }
            // KIP-848: the consumer protocol, announced as the finalized group.version feature
            for (ApiKeys api : List.of(ApiKeys.CONSUMER_GROUP_HEARTBEAT, ApiKeys.CONSUMER_GROUP_DESCRIBE)) {
                var v = r.data().apiKeys().find(api.id);
                assertEquals(api.oldestVersion(), v.minVersion(), api.name());
                assertEquals(api.latestVersion(), v.maxVersion(), api.name());
            }
            var groupVersion = r.data().finalizedFeatures().find("group.version");
            assertEquals(1, groupVersion.maxVersionLevel());
            assertEquals(1, r.data().supportedFeatures().find("group.version").maxVersion());
            assertEquals(1, r.data().finalizedFeatures().find("share.version").maxVersionLevel());
            assertEquals(null, r.data().finalizedFeatures().find("transaction.version"));
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.FIND_COORDINATOR)
    void shouldFindTheCoordinator(short version) throws Exception {
        String group = "find-v" + version;
        int expected = coordinatorOf(group);
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(1))) {
            FindCoordinatorRequestData req = new FindCoordinatorRequestData();
            if (version >= 4) {
                req.setCoordinatorKeys(List.of(group, "other-" + group));
            } else {
                req.setKey(group);
            }
            FindCoordinatorResponseData r =
                    (FindCoordinatorResponseData) send(c, ApiKeys.FIND_COORDINATOR, version, req);
            if (version >= 4) {
                assertEquals(2, r.coordinators().size());
                assertEquals(Errors.NONE.code(), r.coordinators().get(0).errorCode());
                assertEquals(expected, r.coordinators().get(0).nodeId());
                assertEquals(cluster.port(expected), r.coordinators().get(0).port());
                assertEquals(Errors.NONE.code(), r.coordinators().get(1).errorCode());
            } else {
                assertEquals(Errors.NONE.code(), r.errorCode());
                assertEquals(expected, r.nodeId());
                assertEquals("127.0.0.1", r.host());
                assertEquals(cluster.port(expected), r.port());
            }
            if (version >= 1) {
                // transaction coordinators (key type 1) are TxnProtocolVersionsTest's, share coordinators (2)
                // ShareProtocolVersionsTest's: a key type 2 key that is not groupId:topicId:partition is refused
                FindCoordinatorRequestData txn = new FindCoordinatorRequestData().setKeyType((byte) 2);
                if (version >= 4) {
                    txn.setCoordinatorKeys(List.of("txn"));
                } else {
                    txn.setKey("txn");
                }
                FindCoordinatorResponseData t =
                        (FindCoordinatorResponseData) send(c, ApiKeys.FIND_COORDINATOR, version, txn);
                short code = version >= 4 ? t.coordinators().get(0).errorCode() : t.errorCode();
                assertEquals(Errors.INVALID_REQUEST.code(), code);
            }
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.JOIN_GROUP)
    void shouldJoinAsTheOnlyMemberAndLeader(short version) throws Exception {
        String group = "join-v" + version;
        try (RawKafkaConnection c = coordinator(group)) {
            JoinGroupResponseData r = join(c, group, version);
            assertEquals(1, r.generationId());
            assertEquals(r.memberId(), r.leader());
            assertEquals("range", r.protocolName());
            assertEquals(1, r.members().size());
            assertArrayEquals(subscription(TOPIC), r.members().get(0).metadata());
            // a JoinGroup for a member id the group does not know
            JoinGroupResponseData unknown =
                    (JoinGroupResponseData) send(c, ApiKeys.JOIN_GROUP, version, joinRequest(group, "nobody"));
            assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), unknown.errorCode());
            // a session timeout below group.min.session.timeout.ms
            JoinGroupResponseData tooShort = (JoinGroupResponseData)
                    send(c, ApiKeys.JOIN_GROUP, version, joinRequest(group, "").setSessionTimeoutMs(10));
            assertEquals(Errors.INVALID_SESSION_TIMEOUT.code(), tooShort.errorCode());
        }
        try (RawKafkaConnection other = notCoordinator(group)) {
            JoinGroupResponseData r =
                    (JoinGroupResponseData) send(other, ApiKeys.JOIN_GROUP, version, joinRequest(group, ""));
            assertEquals(Errors.NOT_COORDINATOR.code(), r.errorCode());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.SYNC_GROUP)
    void shouldHandTheLeadersAssignmentBack(short version) throws Exception {
        String group = "sync-v" + version;
        try (RawKafkaConnection c = coordinator(group)) {
            JoinGroupResponseData joined = join(c, group, LATEST_JOIN);
            SyncGroupResponseData wrongGeneration = (SyncGroupResponseData) send(
                    c,
                    ApiKeys.SYNC_GROUP,
                    version,
                    new SyncGroupRequestData()
                            .setGroupId(group)
                            .setGenerationId(joined.generationId() + 5)
                            .setMemberId(joined.memberId()));
            assertEquals(Errors.ILLEGAL_GENERATION.code(), wrongGeneration.errorCode());
            SyncGroupResponseData r = sync(c, group, joined, version, new byte[] {7, 8, 9});
            assertEquals(Errors.NONE.code(), r.errorCode());
            assertArrayEquals(new byte[] {7, 8, 9}, r.assignment());
            if (version >= 5) {
                assertEquals("consumer", r.protocolType());
                assertEquals("range", r.protocolName());
            }
            // once stable, SyncGroup again returns the same assignment
            assertArrayEquals(
                    new byte[] {7, 8, 9},
                    sync(c, group, joined, version, new byte[0]).assignment());
            SyncGroupResponseData unknown = (SyncGroupResponseData) send(
                    c,
                    ApiKeys.SYNC_GROUP,
                    version,
                    new SyncGroupRequestData()
                            .setGroupId(group)
                            .setGenerationId(joined.generationId())
                            .setMemberId("nobody"));
            assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), unknown.errorCode());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.HEARTBEAT)
    void shouldAnswerHeartbeatsWithTheRightCodes(short version) throws Exception {
        String group = "heartbeat-v" + version;
        try (RawKafkaConnection c = coordinator(group)) {
            JoinGroupResponseData m = stableGroup(c, group);
            assertEquals(Errors.NONE, heartbeat(c, version, group, m.memberId(), m.generationId()));
            assertEquals(Errors.ILLEGAL_GENERATION, heartbeat(c, version, group, m.memberId(), m.generationId() - 1));
            assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat(c, version, group, "nobody", m.generationId()));
        }
        try (RawKafkaConnection c = coordinator("no-such-group-hb")) {
            assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat(c, version, "no-such-group-hb", "nobody", 1));
        }
        try (RawKafkaConnection other = notCoordinator(group)) {
            assertEquals(Errors.NOT_COORDINATOR, heartbeat(other, version, group, "x", 1));
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.LEAVE_GROUP)
    void shouldLeaveTheGroup(short version) throws Exception {
        String group = "leave-v" + version;
        try (RawKafkaConnection c = coordinator(group)) {
            JoinGroupResponseData m = stableGroup(c, group);
            LeaveGroupRequestData req = new LeaveGroupRequestData().setGroupId(group);
            LeaveGroupRequestData unknown = new LeaveGroupRequestData().setGroupId(group);
            if (version >= 3) {
                req.members().add(new LeaveGroupRequestData.MemberIdentity().setMemberId(m.memberId()));
                unknown.members().add(new LeaveGroupRequestData.MemberIdentity().setMemberId("nobody"));
            } else {
                req.setMemberId(m.memberId());
                unknown.setMemberId("nobody");
            }
            LeaveGroupResponseData r = (LeaveGroupResponseData) send(c, ApiKeys.LEAVE_GROUP, version, req);
            assertEquals(Errors.NONE.code(), r.errorCode());
            if (version >= 3) {
                assertEquals(Errors.NONE.code(), r.members().get(0).errorCode());
            }
            LeaveGroupResponseData u = (LeaveGroupResponseData) send(c, ApiKeys.LEAVE_GROUP, version, unknown);
            short code = version >= 3 ? u.members().get(0).errorCode() : u.errorCode();
            assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), code);
            // the group is now empty
            assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat(c, (short) 4, group, m.memberId(), m.generationId()));
            assertEquals("Empty", describe(c, group).groupState());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.OFFSET_COMMIT)
    void shouldCommitOffsetsCheckingGenerationAndMember(short version) throws Exception {
        String group = "commit-v" + version;
        try (RawKafkaConnection c = coordinator("standalone-" + group)) {
            // a standalone commit to a group that does not exist yet creates it
            assertEquals(Errors.NONE, commit(c, version, "standalone-" + group, "", -1, 5));
        }
        try (RawKafkaConnection c = coordinator("missing-" + group)) {
            // a group commit to a group that does not exist
            assertEquals(
                    version >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION,
                    commit(c, version, "missing-" + group, "someone", 3, 5));
        }
        try (RawKafkaConnection c = coordinator(group)) {
            JoinGroupResponseData m = stableGroup(c, group);
            assertEquals(Errors.NONE, commit(c, version, group, m.memberId(), m.generationId(), 42));
            assertEquals(Errors.ILLEGAL_GENERATION, commit(c, version, group, m.memberId(), m.generationId() + 1, 43));
            assertEquals(Errors.UNKNOWN_MEMBER_ID, commit(c, version, group, "nobody", m.generationId(), 43));
            // a standalone commit is refused while the group has members
            assertEquals(Errors.UNKNOWN_MEMBER_ID, commit(c, version, group, "", -1, 43));
            assertEquals(42, fetchOne(c, group));
        }
        try (RawKafkaConnection other = notCoordinator(group)) {
            assertEquals(Errors.NOT_COORDINATOR, commit(other, version, group, "x", 1, 1));
        }
    }

    private static long fetchOne(RawKafkaConnection c, String group) throws Exception {
        OffsetFetchResponseData r = (OffsetFetchResponseData) send(
                c,
                ApiKeys.OFFSET_FETCH,
                (short) 8,
                new OffsetFetchRequestData()
                        .setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup()
                                .setGroupId(group)
                                .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics()
                                        .setName(TOPIC)
                                        .setPartitionIndexes(List.of(0)))))));
        return r.groups().get(0).topics().get(0).partitions().get(0).committedOffset();
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.OFFSET_FETCH)
    void shouldFetchCommittedOffsets(short version) throws Exception {
        String group = "fetch-v" + version;
        try (RawKafkaConnection c = coordinator(group)) {
            assertEquals(Errors.NONE, commit(c, (short) 9, group, "", -1, 17));
            OffsetFetchRequestData req = new OffsetFetchRequestData();
            if (version >= 8) {
                OffsetFetchRequestData.OffsetFetchRequestTopics t =
                        new OffsetFetchRequestData.OffsetFetchRequestTopics().setPartitionIndexes(List.of(0, 1));
                if (version >= 10) {
                    t.setTopicId(topicId);
                } else {
                    t.setName(TOPIC);
                }
                req.setGroups(List.of(
                        new OffsetFetchRequestData.OffsetFetchRequestGroup()
                                .setGroupId(group)
                                .setTopics(List.of(t)),
                        new OffsetFetchRequestData.OffsetFetchRequestGroup()
                                .setGroupId(group)
                                .setTopics(null)));
                OffsetFetchResponseData r = (OffsetFetchResponseData) send(c, ApiKeys.OFFSET_FETCH, version, req);
                assertEquals(2, r.groups().size());
                var named = r.groups().get(0);
                assertEquals(Errors.NONE.code(), named.errorCode());
                assertEquals(17, named.topics().get(0).partitions().get(0).committedOffset());
                assertEquals("m17", named.topics().get(0).partitions().get(0).metadata());
                assertEquals(-1, named.topics().get(0).partitions().get(1).committedOffset());
                var all = r.groups().get(1);
                assertEquals(1, all.topics().size());
                assertEquals(1, all.topics().get(0).partitions().size());
                if (version >= 10) {
                    assertEquals(topicId, all.topics().get(0).topicId());
                } else {
                    assertEquals(TOPIC, all.topics().get(0).name());
                }
            } else {
                req.setGroupId(group)
                        .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic()
                                .setName(TOPIC)
                                .setPartitionIndexes(List.of(0, 1))));
                OffsetFetchResponseData r = (OffsetFetchResponseData) send(c, ApiKeys.OFFSET_FETCH, version, req);
                assertEquals(17, r.topics().get(0).partitions().get(0).committedOffset());
                assertEquals(-1, r.topics().get(0).partitions().get(1).committedOffset());
                if (version >= 2) {
                    assertEquals(Errors.NONE.code(), r.errorCode());
                    OffsetFetchResponseData all = (OffsetFetchResponseData) send(
                            c,
                            ApiKeys.OFFSET_FETCH,
                            version,
                            new OffsetFetchRequestData().setGroupId(group).setTopics(null));
                    assertEquals(17, all.topics().get(0).partitions().get(0).committedOffset());
                }
            }
        }
        try (RawKafkaConnection other = notCoordinator(group)) {
            OffsetFetchRequestData req = version >= 8
                    ? new OffsetFetchRequestData()
                            .setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup()
                                    .setGroupId(group)
                                    .setTopics(null)))
                    : new OffsetFetchRequestData()
                            .setGroupId(group)
                            .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic()
                                    .setName(TOPIC)
                                    .setPartitionIndexes(List.of(0))));
            OffsetFetchResponseData r = (OffsetFetchResponseData) send(other, ApiKeys.OFFSET_FETCH, version, req);
            short code = version >= 8
                    ? r.groups().get(0).errorCode()
                    : version >= 2
                            ? r.errorCode()
                            : r.topics().get(0).partitions().get(0).errorCode();
            assertEquals(Errors.NOT_COORDINATOR.code(), code);
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.OFFSET_DELETE)
    void shouldDeleteOffsetsExceptOfSubscribedTopics(short version) throws Exception {
        String group = "offset-delete-v" + version;
        try (RawKafkaConnection c = coordinator(group)) {
            JoinGroupResponseData m = stableGroup(c, group);
            assertEquals(Errors.NONE, commit(c, (short) 9, group, m.memberId(), m.generationId(), 9));
            OffsetDeleteRequestData req = new OffsetDeleteRequestData().setGroupId(group);
            OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection topics =
                    new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
            topics.add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic()
                    .setName(TOPIC)
                    .setPartitions(
                            List.of(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))));
            req.setTopics(topics);
            OffsetDeleteResponseData subscribed =
                    (OffsetDeleteResponseData) send(c, ApiKeys.OFFSET_DELETE, version, req);
            assertEquals(Errors.NONE.code(), subscribed.errorCode());
            assertEquals(
                    Errors.GROUP_SUBSCRIBED_TO_TOPIC.code(),
                    subscribed.topics().find(TOPIC).partitions().find(0).errorCode());
            send(
                    c,
                    ApiKeys.LEAVE_GROUP,
                    (short) 5,
                    new LeaveGroupRequestData()
                            .setGroupId(group)
                            .setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(m.memberId()))));
            OffsetDeleteResponseData deleted = (OffsetDeleteResponseData) send(c, ApiKeys.OFFSET_DELETE, version, req);
            assertEquals(
                    Errors.NONE.code(),
                    deleted.topics().find(TOPIC).partitions().find(0).errorCode());
            assertEquals(-1, fetchOne(c, group));
        }
        try (RawKafkaConnection c = coordinator("missing-" + group)) {
            OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection topics =
                    new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
            topics.add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic()
                    .setName(TOPIC)
                    .setPartitions(
                            List.of(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))));
            OffsetDeleteResponseData missing = (OffsetDeleteResponseData) send(
                    c,
                    ApiKeys.OFFSET_DELETE,
                    version,
                    new OffsetDeleteRequestData().setGroupId("missing-" + group).setTopics(topics));
            assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), missing.errorCode());
        }
    }

    private static DescribeGroupsResponseData.DescribedGroup describe(RawKafkaConnection c, String group)
            throws Exception {
        DescribeGroupsResponseData r = (DescribeGroupsResponseData)
                send(c, ApiKeys.DESCRIBE_GROUPS, (short) 5, new DescribeGroupsRequestData().setGroups(List.of(group)));
        return r.groups().get(0);
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DESCRIBE_GROUPS)
    void shouldDescribeGroups(short version) throws Exception {
        String group = "describe-v" + version;
        try (RawKafkaConnection c = coordinator(group)) {
            JoinGroupResponseData m = stableGroup(c, group);
            DescribeGroupsResponseData r = (DescribeGroupsResponseData) send(
                    c, ApiKeys.DESCRIBE_GROUPS, version, new DescribeGroupsRequestData().setGroups(List.of(group)));
            DescribeGroupsResponseData.DescribedGroup d = r.groups().get(0);
            assertEquals(Errors.NONE.code(), d.errorCode());
            assertEquals("Stable", d.groupState());
            assertEquals("consumer", d.protocolType());
            assertEquals("range", d.protocolData());
            assertEquals(m.memberId(), d.members().get(0).memberId());
            assertEquals("raw-test-client", d.members().get(0).clientId());
            assertEquals("/127.0.0.1", d.members().get(0).clientHost());
            assertArrayEquals(new byte[] {1, 2, 3}, d.members().get(0).memberAssignment());
        }
        // an unknown group on its coordinator
        String unknown = "never-" + group;
        try (RawKafkaConnection c = coordinator(unknown)) {
            DescribeGroupsResponseData r = (DescribeGroupsResponseData) send(
                    c, ApiKeys.DESCRIBE_GROUPS, version, new DescribeGroupsRequestData().setGroups(List.of(unknown)));
            assertEquals(
                    version >= 6 ? Errors.GROUP_ID_NOT_FOUND.code() : Errors.NONE.code(),
                    r.groups().get(0).errorCode());
            assertEquals("Dead", r.groups().get(0).groupState());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.LIST_GROUPS)
    void shouldListGroupsWithTheirStates(short version) throws Exception {
        String stable = "list-stable-v" + version;
        String empty = "list-empty-v" + version;
        try (RawKafkaConnection c = coordinator(stable)) {
            stableGroup(c, stable);
        }
        try (RawKafkaConnection c = coordinator(empty)) {
            assertEquals(Errors.NONE, commit(c, (short) 9, empty, "", -1, 1));
        }
        java.util.Map<String, ListGroupsResponseData.ListedGroup> seen = new java.util.HashMap<>();
        for (int id = 1; id <= 2; id++) {
            try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(id))) {
                ListGroupsRequestData req = new ListGroupsRequestData();
                if (version >= 4) {
                    req.setStatesFilter(List.of("stable"));
                }
                if (version >= 5) {
                    req.setTypesFilter(List.of("Classic"));
                }
                ListGroupsResponseData r = (ListGroupsResponseData) send(c, ApiKeys.LIST_GROUPS, version, req);
                assertEquals(Errors.NONE.code(), r.errorCode());
                r.groups().forEach(g -> seen.put(g.groupId(), g));
            }
        }
        assertTrue(seen.containsKey(stable), seen.keySet().toString());
        assertEquals("consumer", seen.get(stable).protocolType());
        if (version >= 4) {
            assertEquals("Stable", seen.get(stable).groupState());
            assertTrue(!seen.containsKey(empty), "the state filter keeps out " + empty);
        } else {
            assertTrue(seen.containsKey(empty));
        }
        if (version >= 5) {
            assertEquals("classic", seen.get(stable).groupType());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DELETE_GROUPS)
    void shouldDeleteEmptyGroupsOnly(short version) throws Exception {
        String group = "delete-v" + version;
        String busy = "delete-busy-v" + version;
        try (RawKafkaConnection c = coordinator(group)) {
            assertEquals(Errors.NONE, commit(c, (short) 9, group, "", -1, 3));
            var r = (org.apache.kafka.common.message.DeleteGroupsResponseData) send(
                    c, ApiKeys.DELETE_GROUPS, version, new DeleteGroupsRequestData().setGroupsNames(List.of(group)));
            assertEquals(Errors.NONE.code(), r.results().find(group).errorCode());
            assertEquals(-1, fetchOne(c, group));
            var again = (org.apache.kafka.common.message.DeleteGroupsResponseData) send(
                    c, ApiKeys.DELETE_GROUPS, version, new DeleteGroupsRequestData().setGroupsNames(List.of(group)));
            assertEquals(
                    Errors.GROUP_ID_NOT_FOUND.code(),
                    again.results().find(group).errorCode());
        }
        try (RawKafkaConnection c = coordinator(busy)) {
            stableGroup(c, busy);
            var r = (org.apache.kafka.common.message.DeleteGroupsResponseData) send(
                    c, ApiKeys.DELETE_GROUPS, version, new DeleteGroupsRequestData().setGroupsNames(List.of(busy)));
            assertEquals(Errors.NON_EMPTY_GROUP.code(), r.results().find(busy).errorCode());
        }
    }

    @Test
    void shouldAnswerRebalanceInProgressWhileASecondMemberJoins() throws Exception {
        String group = "rebalancing";
        try (RawKafkaConnection a = coordinator(group);
                RawKafkaConnection b = coordinator(group)) {
            // given a stable group with member A
            JoinGroupResponseData first = stableGroup(a, group);
            // when member B joins (its JoinGroup waits for A to rejoin)
            JoinGroupResponseData bId =
                    (JoinGroupResponseData) send(b, ApiKeys.JOIN_GROUP, LATEST_JOIN, joinRequest(group, ""));
            CompletableFuture<JoinGroupResponseData> bJoin = CompletableFuture.supplyAsync(() -> {
                try {
                    return (JoinGroupResponseData)
                            send(b, ApiKeys.JOIN_GROUP, LATEST_JOIN, joinRequest(group, bId.memberId()));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Wait.waitUntil("the group prepares to rebalance", Duration.ofSeconds(10), () -> {
                try (RawKafkaConnection d = coordinator(group)) {
                    return describe(d, group).groupState().equals("PreparingRebalance");
                }
            });
            // then A is told to rejoin, and may still commit for its generation meanwhile
            assertEquals(
                    Errors.REBALANCE_IN_PROGRESS,
                    heartbeat(a, (short) 4, group, first.memberId(), first.generationId()));
            assertEquals(Errors.NONE, commit(a, (short) 9, group, first.memberId(), first.generationId(), 11));
            // when A rejoins, both get generation 2; before SyncGroup a commit is REBALANCE_IN_PROGRESS
            JoinGroupResponseData aJoin = (JoinGroupResponseData)
                    send(a, ApiKeys.JOIN_GROUP, LATEST_JOIN, joinRequest(group, first.memberId()));
            JoinGroupResponseData bJoined = bJoin.get();
            assertEquals(Errors.NONE.code(), aJoin.errorCode());
            assertEquals(2, aJoin.generationId());
            assertEquals(2, bJoined.generationId());
            assertEquals(aJoin.leader(), bJoined.leader());
            assertEquals(Errors.REBALANCE_IN_PROGRESS, commit(a, (short) 9, group, first.memberId(), 2, 12));
            assertEquals(Errors.ILLEGAL_GENERATION, commit(a, (short) 9, group, first.memberId(), 1, 12));
            // the leader's SyncGroup makes it stable; each gets its own assignment
            JoinGroupResponseData leader = aJoin.leader().equals(aJoin.memberId()) ? aJoin : bJoined;
            JoinGroupResponseData follower = leader == aJoin ? bJoined : aJoin;
            RawKafkaConnection leaderConn = leader == aJoin ? a : b;
            RawKafkaConnection followerConn = leader == aJoin ? b : a;
            assertEquals(2, leader.members().size());
            assertEquals(0, follower.members().size());
            CompletableFuture<SyncGroupResponseData> followerSync = CompletableFuture.supplyAsync(() -> {
                try {
                    return sync(followerConn, group, follower, (short) 5, null);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            SyncGroupRequestData leaderSync = new SyncGroupRequestData()
                    .setGroupId(group)
                    .setGenerationId(2)
                    .setMemberId(leader.memberId())
                    .setAssignments(List.of(
                            new SyncGroupRequestData.SyncGroupRequestAssignment()
                                    .setMemberId(leader.memberId())
                                    .setAssignment(new byte[] {1}),
                            new SyncGroupRequestData.SyncGroupRequestAssignment()
                                    .setMemberId(follower.memberId())
                                    .setAssignment(new byte[] {2})));
            SyncGroupResponseData ls =
                    (SyncGroupResponseData) send(leaderConn, ApiKeys.SYNC_GROUP, (short) 5, leaderSync);
            assertArrayEquals(new byte[] {1}, ls.assignment());
            assertArrayEquals(new byte[] {2}, followerSync.get().assignment());
            assertEquals(Errors.NONE, commit(a, (short) 9, group, first.memberId(), 2, 13));
            assertNotEquals(leader.memberId(), follower.memberId());
        }
    }

    @Test
    void shouldReplaceAStaticMemberWithoutARebalance() throws Exception {
        String group = "static";
        try (RawKafkaConnection c = coordinator(group)) {
            JoinGroupResponseData first = (JoinGroupResponseData) send(
                    c, ApiKeys.JOIN_GROUP, LATEST_JOIN, joinRequest(group, "").setGroupInstanceId("instance-1"));
            assertEquals(Errors.NONE.code(), first.errorCode(), "a static member gets no MEMBER_ID_REQUIRED");
            assertTrue(first.memberId().startsWith("instance-1-"));
            assertEquals(
                    Errors.NONE.code(),
                    sync(c, group, first, (short) 5, new byte[] {4}).errorCode());
            // the instance restarts and joins without its member id
            JoinGroupResponseData again = (JoinGroupResponseData) send(
                    c, ApiKeys.JOIN_GROUP, LATEST_JOIN, joinRequest(group, "").setGroupInstanceId("instance-1"));
            assertEquals(Errors.NONE.code(), again.errorCode());
            assertEquals(first.generationId(), again.generationId(), "no new generation");
            assertNotEquals(first.memberId(), again.memberId());
            assertTrue(again.skipAssignment(), "the leader is told to skip the assignment (KIP-814)");
            SyncGroupRequestData s = new SyncGroupRequestData()
                    .setGroupId(group)
                    .setGenerationId(again.generationId())
                    .setMemberId(again.memberId())
                    .setGroupInstanceId("instance-1");
            assertArrayEquals(
                    new byte[] {4}, ((SyncGroupResponseData) send(c, ApiKeys.SYNC_GROUP, (short) 5, s)).assignment());
            // the old member id is fenced
            HeartbeatRequestData hb = new HeartbeatRequestData()
                    .setGroupId(group)
                    .setMemberId(first.memberId())
                    .setGenerationId(first.generationId())
                    .setGroupInstanceId("instance-1");
            assertEquals(
                    Errors.FENCED_INSTANCE_ID.code(),
                    ((org.apache.kafka.common.message.HeartbeatResponseData) send(c, ApiKeys.HEARTBEAT, (short) 4, hb))
                            .errorCode());
            assertEquals("Stable", describe(c, group).groupState());
            assertEquals("instance-1", describe(c, group).members().get(0).groupInstanceId());
        }
    }

    @Test
    void shouldKeepGroupsAndOffsetsAcrossACoordinatorRestart() throws Exception {
        String group = "survivor";
        int coordinator = coordinatorOf(group);
        JoinGroupResponseData m;
        try (RawKafkaConnection c = coordinator(group)) {
            m = stableGroup(c, group);
            assertEquals(Errors.NONE, commit(c, (short) 9, group, m.memberId(), m.generationId(), 77));
        }
        cluster.restartBroker(coordinator);
        try (RawKafkaConnection c = coordinator(group)) {
            assertEquals(77, fetchOne(c, group));
            var d = describe(c, group);
            assertEquals("Stable", d.groupState());
            assertEquals(m.memberId(), d.members().get(0).memberId());
            assertArrayEquals(new byte[] {1, 2, 3}, d.members().get(0).memberAssignment());
            assertEquals(Errors.NONE, heartbeat(c, (short) 4, group, m.memberId(), m.generationId()));
        }
    }
}
