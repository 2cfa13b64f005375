package io.strand.server.share;

import static io.strand.server.share.ShareWire.acquired;
import static io.strand.server.share.ShareWire.partition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.share.ShareWire.Ack;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.EveryVersion;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitializeShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Every version of every share-group API of the partition side, the share coordinator and the offset
 * admin, with raw requests on one broker (which leads the data partition and every
 * {@code __share_group_state} partition): the happy path and the errors a client acts on.
 */
@ExtendWith(StrandClusterExtension.class)
class ShareProtocolVersionsTest {
    private static final String TOPIC = "share-versions";
    private static Uuid topicId;

    @BrokerCluster(
            properties = {
                "share.coordinator.state.topic.num.partitions=3",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=2"
            })
    private static StrandTestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        topicId = cluster.createTopic(TOPIC, 1, 1);
        try (RawKafkaConnection c = connect()) {
            Wait.waitUntil(
                    "__share_group_state is created and loaded",
                    Duration.ofSeconds(30),
                    () -> findShareCoordinator(c, "g:" + topicId + ":0").errorCode() == 0
                            && findGroupCoordinator(c, "offsets-v0").errorCode() == 0
                            && everyStatePartitionLoaded(c));
        }
    }

    /** A summary read answered (not COORDINATOR_LOAD_IN_PROGRESS) on each of the 3 {@code __share_group_state} partitions. */
    private static boolean everyStatePartitionLoaded(RawKafkaConnection c) throws Exception {
        java.util.Set<Integer> covered = new java.util.HashSet<>();
        for (int i = 0; covered.size() < 3; i++) {
            String group = "probe-" + i;
            int p = org.apache.kafka.common.utils.Utils.abs((group + ":" + topicId + ":0").hashCode()) % 3;
            if (covered.add(p) && summary(c, group, (short) 0).errorCode() != 0) {
                return false;
            }
        }
        return true;
    }

    private static RawKafkaConnection connect() throws Exception {
        return new RawKafkaConnection("127.0.0.1", cluster.port(1));
    }

    private static ApiMessage send(RawKafkaConnection c, ApiKeys api, short version, ApiMessage body) throws Exception {
        return c.send(api, version, body).data();
    }

    private static FindCoordinatorResponseData.Coordinator findShareCoordinator(RawKafkaConnection c, String key)
            throws Exception {
        FindCoordinatorResponseData r = (FindCoordinatorResponseData) send(
                c,
                ApiKeys.FIND_COORDINATOR,
                ApiKeys.FIND_COORDINATOR.latestVersion(),
                new FindCoordinatorRequestData().setKeyType((byte) 2).setCoordinatorKeys(List.of(key)));
        return r.coordinators().get(0);
    }

    /** Also creates {@code __consumer_offsets}: the offset admin APIs ask the group coordinator whether a group is empty. */
    private static FindCoordinatorResponseData.Coordinator findGroupCoordinator(RawKafkaConnection c, String group)
            throws Exception {
        FindCoordinatorResponseData r = (FindCoordinatorResponseData) send(
                c,
                ApiKeys.FIND_COORDINATOR,
                ApiKeys.FIND_COORDINATOR.latestVersion(),
                new FindCoordinatorRequestData().setKeyType((byte) 0).setCoordinatorKeys(List.of(group)));
        return r.coordinators().get(0);
    }

    private static ReadShareGroupStateSummaryResponseData.PartitionResult summary(
            RawKafkaConnection c, String group, short version) throws Exception {
        ReadShareGroupStateSummaryResponseData r = (ReadShareGroupStateSummaryResponseData) send(
                c,
                ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY,
                version,
                ShareStateRequests.summaryRequest(group, topicId, 0, -1));
        return r.results().get(0).partitions().get(0);
    }

    private static void produce(RawKafkaConnection c, String... values) throws Exception {
        for (String v : values) {
            assertEquals(Errors.NONE, c.produce(TOPIC, 0, (short) -1, 10_000, v));
        }
    }

    @Test
    void shouldAdvertiseTheShareApis() throws Exception {
        try (RawKafkaConnection c = connect()) {
            ApiVersionsResponse r =
                    (ApiVersionsResponse) c.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData());
            for (ApiKeys api : List.of(
                    ApiKeys.SHARE_FETCH,
                    ApiKeys.SHARE_ACKNOWLEDGE,
                    ApiKeys.READ_SHARE_GROUP_STATE,
                    ApiKeys.WRITE_SHARE_GROUP_STATE,
                    ApiKeys.INITIALIZE_SHARE_GROUP_STATE,
                    ApiKeys.DELETE_SHARE_GROUP_STATE,
                    ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY,
                    ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS,
                    ApiKeys.ALTER_SHARE_GROUP_OFFSETS,
                    ApiKeys.DELETE_SHARE_GROUP_OFFSETS)) {
                var v = r.data().apiKeys().find(api.id);
                assertNotNull(v, api.name);
                assertEquals(api.oldestVersion(), v.minVersion(), api.name);
                assertEquals(api.latestVersion(), v.maxVersion(), api.name);
            }
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.FIND_COORDINATOR)
    void shouldFindTheShareCoordinatorFromVersion6(short version) throws Exception {
        if (version < 1) {
            return; // no key type
        }
        String key = "find-v" + version + ":" + topicId + ":0";
        try (RawKafkaConnection c = connect()) {
            FindCoordinatorRequestData req = new FindCoordinatorRequestData().setKeyType((byte) 2);
            if (version >= 4) {
                req.setCoordinatorKeys(List.of(key, "not-a-share-key"));
            } else {
                req.setKey(key);
            }
            FindCoordinatorResponseData r =
                    (FindCoordinatorResponseData) send(c, ApiKeys.FIND_COORDINATOR, version, req);
            short first = version >= 4 ? r.coordinators().get(0).errorCode() : r.errorCode();
            assertEquals(version >= 6 ? Errors.NONE.code() : Errors.INVALID_REQUEST.code(), first);
            if (version >= 6) {
                assertEquals(1, r.coordinators().get(0).nodeId());
                assertEquals(cluster.port(1), r.coordinators().get(0).port());
                assertEquals(
                        Errors.INVALID_REQUEST.code(), r.coordinators().get(1).errorCode());
            }
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.SHARE_FETCH)
    void shouldAcquireAcknowledgeAndCloseTheSession(short version) throws Exception {
        String group = "fetch-v" + version;
        try (RawKafkaConnection c = connect()) {
            // epoch 0 opens the session; the group starts at the latest offset
            ShareFetchResponseData open = ShareWire.fetch(c, version, group, "m1", 0, topicId, 0, List.of(), 100);
            assertEquals(Errors.NONE.code(), open.errorCode());
            assertEquals(Errors.NONE, ShareWire.error(partition(open)));
            assertTrue(acquired(partition(open)).isEmpty());
            assertTrue(open.acquisitionLockTimeoutMs() > 0);
            long start = summary(c, group, (short) 0).startOffset();
            produce(c, "a", "b", "c");
            ShareFetchResponseData got = ShareWire.fetch(c, version, group, "m1", 1, topicId, 0, List.of(), 5_000);
            assertEquals(List.of(start, start + 1, start + 2), acquired(partition(got)));
            assertEquals(List.of("a", "b", "c"), ShareWire.values(partition(got)));
            assertEquals(1, partition(got).acquiredRecords().get(0).deliveryCount());
            // piggybacked: accept a, release b, reject c; b comes back (second delivery) in the same answer
            ShareFetchResponseData next = ShareWire.fetch(
                    c,
                    version,
                    group,
                    "m1",
                    2,
                    topicId,
                    0,
                    List.of(
                            new Ack(start, start, (byte) 1),
                            new Ack(start + 1, start + 1, (byte) 2),
                            new Ack(start + 2, start + 2, (byte) 3)),
                    5_000);
            assertEquals(Errors.NONE.code(), partition(next).acknowledgeErrorCode());
            assertEquals(List.of(start + 1), acquired(partition(next)));
            assertEquals(2, partition(next).acquiredRecords().get(0).deliveryCount());
            // a wrong epoch, and an unknown member
            assertEquals(
                    Errors.INVALID_SHARE_SESSION_EPOCH.code(),
                    ShareWire.fetch(c, version, group, "m1", 7, topicId, 0, List.of(), 0)
                            .errorCode());
            assertEquals(
                    Errors.SHARE_SESSION_NOT_FOUND.code(),
                    ShareWire.fetch(c, version, group, "nobody", 1, topicId, 0, List.of(), 0)
                            .errorCode());
            // the final epoch accepts b and closes the session
            ShareFetchResponseData close = ShareWire.fetch(
                    c, version, group, "m1", -1, topicId, 0, List.of(new Ack(start + 1, start + 1, (byte) 1)), 0);
            assertEquals(Errors.NONE.code(), close.errorCode());
            assertEquals(Errors.NONE.code(), partition(close).acknowledgeErrorCode());
            assertEquals(start + 3, summary(c, group, (short) 0).startOffset());
            assertEquals(
                    Errors.SHARE_SESSION_NOT_FOUND.code(),
                    ShareWire.fetch(c, version, group, "m1", 3, topicId, 0, List.of(), 0)
                            .errorCode());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.SHARE_ACKNOWLEDGE)
    void shouldAcknowledgeInTheSession(short version) throws Exception {
        String group = "ack-v" + version;
        try (RawKafkaConnection c = connect()) {
            ShareWire.fetch(c, (short) 1, group, "m1", 0, topicId, 0, List.of(), 0);
            long start = summary(c, group, (short) 0).startOffset();
            produce(c, "x", "y");
            ShareFetchResponseData got = ShareWire.fetch(c, (short) 1, group, "m1", 1, topicId, 0, List.of(), 5_000);
            assertEquals(List.of(start, start + 1), acquired(partition(got)));

            Uuid unknown = Uuid.randomUuid();
            ShareAcknowledgeResponseData r = ShareWire.acknowledge(
                    c,
                    version,
                    group,
                    "m1",
                    2,
                    Map.of(
                            topicId,
                            Map.of(0, List.of(new Ack(start, start + 1, (byte) 1))),
                            unknown,
                            Map.of(0, List.of(new Ack(0, 0, (byte) 1)))));
            assertEquals(Errors.NONE.code(), r.errorCode());
            assertEquals(Errors.NONE.code(), errorOf(r, topicId));
            assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), errorOf(r, unknown));
            // the same records again: no longer acquired
            r = ShareWire.acknowledge(
                    c, version, group, "m1", 3, Map.of(topicId, Map.of(0, List.of(new Ack(start, start, (byte) 1)))));
            assertEquals(Errors.INVALID_RECORD_STATE.code(), errorOf(r, topicId));
            // session errors answer the whole request
            assertEquals(
                    Errors.INVALID_SHARE_SESSION_EPOCH.code(),
                    ShareWire.acknowledge(c, version, group, "m1", 0, Map.of()).errorCode());
            assertEquals(
                    Errors.INVALID_SHARE_SESSION_EPOCH.code(),
                    ShareWire.acknowledge(c, version, group, "m1", 9, Map.of()).errorCode());
            assertEquals(
                    Errors.SHARE_SESSION_NOT_FOUND.code(),
                    ShareWire.acknowledge(c, version, group, "m2", 1, Map.of()).errorCode());
            assertEquals(
                    Errors.NONE.code(),
                    ShareWire.acknowledge(c, version, group, "m1", -1, Map.of()).errorCode());
            assertEquals(
                    Errors.SHARE_SESSION_NOT_FOUND.code(),
                    ShareWire.acknowledge(c, version, group, "m1", 5, Map.of()).errorCode());
            assertEquals(start + 2, summary(c, group, (short) 0).startOffset());
        }
    }

    private static short errorOf(ShareAcknowledgeResponseData r, Uuid topic) {
        return r.responses().find(topic).partitions().get(0).errorCode();
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.INITIALIZE_SHARE_GROUP_STATE)
    void shouldInitialiseReadWriteAndDeleteState(short version) throws Exception {
        String group = "state-v" + version;
        try (RawKafkaConnection c = connect()) {
            InitializeShareGroupStateResponseData init = (InitializeShareGroupStateResponseData) send(
                    c,
                    ApiKeys.INITIALIZE_SHARE_GROUP_STATE,
                    version,
                    ShareStateRequests.initializeRequest(group, topicId, 0, 1, 5));
            assertEquals(Errors.NONE, ShareStateRequests.initialize(init));
            // an initialize must bring a newer state epoch
            assertEquals(
                    Errors.FENCED_STATE_EPOCH,
                    ShareStateRequests.initialize(send(
                            c,
                            ApiKeys.INITIALIZE_SHARE_GROUP_STATE,
                            version,
                            ShareStateRequests.initializeRequest(group, topicId, 0, 1, 9))));
            for (short w = ApiKeys.WRITE_SHARE_GROUP_STATE.oldestVersion();
                    w <= ApiKeys.WRITE_SHARE_GROUP_STATE.latestVersion();
                    w++) {
                ShareState s = new ShareState(
                        1, 3, 6 + w, 1, List.of(new ShareState.Batch(7 + w, 8 + w, RecordState.ACKNOWLEDGED, 1)));
                WriteShareGroupStateResponseData wr = (WriteShareGroupStateResponseData) send(
                        c, ApiKeys.WRITE_SHARE_GROUP_STATE, w, ShareStateRequests.writeRequest(group, topicId, 0, s));
                assertEquals(Errors.NONE, ShareStateRequests.write(wr), "write v" + w);
            }
            short last = ApiKeys.WRITE_SHARE_GROUP_STATE.latestVersion();
            ReadShareGroupStateResponseData read = (ReadShareGroupStateResponseData) send(
                    c, ApiKeys.READ_SHARE_GROUP_STATE, (short) 0, ShareStateRequests.readRequest(group, topicId, 0, 3));
            Persister.ReadResult rr = ShareStateRequests.read(read);
            assertEquals(Errors.NONE, rr.error());
            assertEquals(1, rr.state().stateEpoch());
            assertEquals(6 + last, rr.state().startOffset());
            // merged: the newest write's range, and what is left of older ranges at or above the new start
            ShareState.Batch newest =
                    rr.state().batches().get(rr.state().batches().size() - 1);
            assertEquals(7 + last, newest.firstOffset());
            assertEquals(8 + last, newest.lastOffset());
            assertEquals(RecordState.ACKNOWLEDGED, newest.state());
            rr.state().batches().forEach(b -> assertTrue(b.firstOffset() >= 6 + last));
            // fencing: an older leader epoch, an older state epoch
            assertEquals(
                    Errors.FENCED_LEADER_EPOCH,
                    ShareStateRequests.read(send(
                                    c,
                                    ApiKeys.READ_SHARE_GROUP_STATE,
                                    (short) 0,
                                    ShareStateRequests.readRequest(group, topicId, 0, 2)))
                            .error());
            assertEquals(
                    Errors.FENCED_STATE_EPOCH,
                    ShareStateRequests.write(send(
                            c,
                            ApiKeys.WRITE_SHARE_GROUP_STATE,
                            last,
                            ShareStateRequests.writeRequest(
                                    group, topicId, 0, new ShareState(0, 3, 9, 0, List.of())))));
            DeleteShareGroupStateResponseData del = (DeleteShareGroupStateResponseData) send(
                    c,
                    ApiKeys.DELETE_SHARE_GROUP_STATE,
                    (short) 0,
                    ShareStateRequests.deleteRequest(group, topicId, 0));
            assertEquals(Errors.NONE, ShareStateRequests.delete(del));
            assertEquals(
                    ShareState.UNINITIALIZED_START_OFFSET,
                    ShareStateRequests.read(send(
                                    c,
                                    ApiKeys.READ_SHARE_GROUP_STATE,
                                    (short) 0,
                                    ShareStateRequests.readRequest(group, topicId, 0, 0)))
                            .state()
                            .startOffset());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY)
    void shouldSummariseState(short version) throws Exception {
        String group = "summary-v" + version;
        try (RawKafkaConnection c = connect()) {
            assertEquals(-1, summary(c, group, version).startOffset());
            send(
                    c,
                    ApiKeys.INITIALIZE_SHARE_GROUP_STATE,
                    (short) 0,
                    ShareStateRequests.initializeRequest(group, topicId, 0, 4, 11));
            ReadShareGroupStateSummaryResponseData.PartitionResult s = summary(c, group, version);
            assertEquals(Errors.NONE.code(), s.errorCode());
            assertEquals(11, s.startOffset());
            assertEquals(4, s.stateEpoch());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS)
    void shouldDescribeResetAndDeleteOffsets(short version) throws Exception {
        String group = "offsets-v" + version;
        try (RawKafkaConnection c = connect()) {
            ShareWire.fetch(c, (short) 1, group, "m1", 0, topicId, 0, List.of(), 0);
            ShareWire.fetch(c, (short) 1, group, "m1", -1, topicId, 0, List.of(), 0);
            long start = summary(c, group, (short) 0).startOffset();
            assertTrue(start >= 0);
            var described = describe(c, version, group, TOPIC);
            assertEquals(Errors.NONE.code(), described.errorCode());
            assertEquals(start, described.startOffset());
            if (version >= 1) {
                assertEquals(0, described.lag());
            }
            assertEquals(
                    Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                    describe(c, version, group, "no-such-topic").errorCode());

            AlterShareGroupOffsetsRequestData alter = new AlterShareGroupOffsetsRequestData().setGroupId(group);
            AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic t =
                    new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic().setTopicName(TOPIC);
            t.partitions()
                    .add(new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition()
                            .setPartitionIndex(0)
                            .setStartOffset(0));
            alter.topics().add(t);
            AlterShareGroupOffsetsResponseData[] answer = new AlterShareGroupOffsetsResponseData[1];
            Wait.waitUntil("the group coordinator is loaded", Duration.ofSeconds(30), () -> {
                answer[0] = (AlterShareGroupOffsetsResponseData)
                        send(c, ApiKeys.ALTER_SHARE_GROUP_OFFSETS, (short) 0, alter);
                return answer[0].errorCode() == 0;
            });
            AlterShareGroupOffsetsResponseData altered = answer[0];
            assertEquals(
                    Errors.NONE.code(),
                    altered.responses().find(TOPIC).partitions().get(0).errorCode());
            assertEquals(0, describe(c, version, group, TOPIC).startOffset());
            // a member fetching again starts from the reset offset: every record so far
            ShareFetchResponseData again = ShareWire.fetch(c, (short) 1, group, "m2", 0, topicId, 0, List.of(), 5_000);
            assertEquals(0L, acquired(partition(again)).get(0));
            ShareWire.fetch(c, (short) 1, group, "m2", -1, topicId, 0, List.of(), 0);

            DeleteShareGroupOffsetsRequestData del = new DeleteShareGroupOffsetsRequestData().setGroupId(group);
            del.topics()
                    .add(new DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic()
                            .setTopicName(TOPIC));
            DeleteShareGroupOffsetsResponseData deleted =
                    (DeleteShareGroupOffsetsResponseData) send(c, ApiKeys.DELETE_SHARE_GROUP_OFFSETS, (short) 0, del);
            assertEquals(Errors.NONE.code(), deleted.errorCode());
            assertEquals(Errors.NONE.code(), deleted.responses().get(0).errorCode());
            assertEquals(-1, describe(c, version, group, TOPIC).startOffset());
        }
    }

    private static DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition describe(
            RawKafkaConnection c, short version, String group, String topic) throws Exception {
        DescribeShareGroupOffsetsRequestData req = new DescribeShareGroupOffsetsRequestData();
        req.groups()
                .add(new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup()
                        .setGroupId(group)
                        .setTopics(
                                List.of(new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic()
                                        .setTopicName(topic)
                                        .setPartitions(List.of(0)))));
        DescribeShareGroupOffsetsResponseData r =
                (DescribeShareGroupOffsetsResponseData) send(c, ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS, version, req);
        return r.groups().get(0).topics().get(0).partitions().get(0);
    }
}
