package io.strand.server.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.EveryVersion;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Every version of the partition leaders' side of transactions, with raw requests: WriteTxnMarkers
 * closes a producer's open transaction (DescribeProducers shows its start offset until then), an
 * ABORT shows up in a read_committed Fetch's aborted transactions, a marker from a fenced producer
 * epoch is refused with INVALID_PRODUCER_EPOCH; TxnOffsetCommit's offsets are UNSTABLE_OFFSET_COMMIT
 * for a stable OffsetFetch until the COMMIT marker reaches the group's partition, then committed.
 */
@ExtendWith(StrandClusterExtension.class)
class TxnDataPlaneVersionsTest {
    private static final String TOPIC = "txn-raw";
    private static final int OFFSETS_PARTITIONS = 4;
    private static final AtomicLong PRODUCER_IDS = new AtomicLong(90_000);

    @BrokerCluster(
            brokers = 1,
            properties = {"offsets.topic.replication.factor=1", "offsets.topic.num.partitions=" + OFFSETS_PARTITIONS})
    private static StrandTestCluster cluster;

    private static Uuid topicId;

    @BeforeAll
    static void createTopic() throws Exception {
        topicId = cluster.createTopic(TOPIC, 1, 1);
    }

    private static RawKafkaConnection connect() throws Exception {
        return new RawKafkaConnection("127.0.0.1", cluster.port(1));
    }

    private static WriteTxnMarkersRequestData marker(
            long producerId, short epoch, boolean commit, String topic, int partition) {
        WriteTxnMarkersRequestData.WritableTxnMarker m = new WriteTxnMarkersRequestData.WritableTxnMarker()
                .setProducerId(producerId)
                .setProducerEpoch(epoch)
                .setTransactionResult(commit)
                .setCoordinatorEpoch(0);
        m.topics()
                .add(new WriteTxnMarkersRequestData.WritableTxnMarkerTopic()
                        .setName(topic)
                        .setPartitionIndexes(List.of(partition)));
        return new WriteTxnMarkersRequestData().setMarkers(List.of(m));
    }

    private static Errors markerError(WriteTxnMarkersResponseData r) {
        return Errors.forCode(
                r.markers().get(0).topics().get(0).partitions().get(0).errorCode());
    }

    private static long openTxnStart(RawKafkaConnection c, long producerId) throws Exception {
        DescribeProducersRequestData req = new DescribeProducersRequestData();
        req.topics()
                .add(new DescribeProducersRequestData.TopicRequest()
                        .setName(TOPIC)
                        .setPartitionIndexes(List.of(0)));
        DescribeProducersResponseData r = (DescribeProducersResponseData)
                c.send(ApiKeys.DESCRIBE_PRODUCERS, ApiKeys.DESCRIBE_PRODUCERS.latestVersion(), req)
                        .data();
        return r.topics().get(0).partitions().get(0).activeProducers().stream()
                .filter(p -> p.producerId() == producerId)
                .findFirst()
                .orElseThrow()
                .currentTxnStartOffset();
    }

    private static FetchResponseData.PartitionData fetchCommitted(RawKafkaConnection c) throws Exception {
        FetchRequestData req = new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(0)
                .setMinBytes(0)
                .setMaxBytes(1 << 20)
                .setIsolationLevel(IsolationLevel.READ_COMMITTED.id())
                .setSessionEpoch(-1);
        req.topics()
                .add(new FetchRequestData.FetchTopic()
                        .setTopicId(topicId)
                        .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                .setPartition(0)
                                .setFetchOffset(0)
                                .setPartitionMaxBytes(1 << 20))));
        FetchResponseData r = (FetchResponseData)
                c.send(ApiKeys.FETCH, ApiKeys.FETCH.latestVersion(), req).data();
        return r.responses().get(0).partitions().get(0);
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.WRITE_TXN_MARKERS)
    void shouldCloseTheProducersTransactionWithTheMarker(short version) throws Exception {
        long pid = PRODUCER_IDS.incrementAndGet();
        try (RawKafkaConnection c = connect()) {
            MemoryRecords txn = MemoryRecords.withTransactionalRecords(
                    Compression.NONE, pid, (short) 3, 0, new SimpleRecord("in-txn".getBytes()));
            var produced = c.produce(TOPIC, 0, (short) -1, 10_000, txn);
            assertEquals(Errors.NONE.code(), produced.errorCode());
            assertEquals(produced.baseOffset(), openTxnStart(c, pid), "the open transaction's first offset");

            WriteTxnMarkersResponseData fenced = (WriteTxnMarkersResponseData)
                    c.send(ApiKeys.WRITE_TXN_MARKERS, version, marker(pid, (short) 2, false, TOPIC, 0))
                            .data();
            assertEquals(Errors.INVALID_PRODUCER_EPOCH, markerError(fenced), "a marker of an older epoch");

            WriteTxnMarkersResponseData r = (WriteTxnMarkersResponseData)
                    c.send(ApiKeys.WRITE_TXN_MARKERS, version, marker(pid, (short) 3, false, TOPIC, 0))
                            .data();
            assertEquals(Errors.NONE, markerError(r));
            assertEquals(pid, r.markers().get(0).producerId());
            assertEquals(-1, openTxnStart(c, pid), "the marker closed it");
            FetchResponseData.PartitionData pd = fetchCommitted(c);
            assertEquals(pd.highWatermark(), pd.lastStableOffset(), "nothing open any more");
            assertEquals(
                    1,
                    pd.abortedTransactions().stream()
                            .filter(a -> a.producerId() == pid && a.firstOffset() == produced.baseOffset())
                            .count(),
                    "the aborted transaction is listed for read_committed consumers");

            WriteTxnMarkersResponseData unknown = (WriteTxnMarkersResponseData)
                    c.send(ApiKeys.WRITE_TXN_MARKERS, version, marker(pid, (short) 3, true, "no-such-topic", 0))
                            .data();
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, markerError(unknown));
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.TXN_OFFSET_COMMIT)
    void shouldCommitTransactionalOffsetsOnlyWithTheCommitMarker(short version) throws Exception {
        long pid = PRODUCER_IDS.incrementAndGet();
        String group = "txn-group-v" + version;
        int offsetsPartition = Utils.abs(group.hashCode()) % OFFSETS_PARTITIONS;
        try (RawKafkaConnection c = connect()) {
            TxnOffsetCommitRequestData req = new TxnOffsetCommitRequestData()
                    .setTransactionalId("txn-" + version)
                    .setGroupId(group)
                    .setProducerId(pid)
                    .setProducerEpoch((short) 0);
            req.topics()
                    .add(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
                            .setName(version < 6 ? TOPIC : "")
                            .setTopicId(version >= 6 ? topicId : Uuid.ZERO_UUID)
                            .setPartitions(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                                    .setPartitionIndex(0)
                                    .setCommittedOffset(17)
                                    .setCommittedMetadata("m"))));
            Wait.waitUntil(
                    "a coordinator for " + group,
                    Duration.ofSeconds(30),
                    () -> ((org.apache.kafka.common.message.FindCoordinatorResponseData) c.send(
                                                    ApiKeys.FIND_COORDINATOR,
                                                    (short) 4,
                                                    new org.apache.kafka.common.message.FindCoordinatorRequestData()
                                                            .setCoordinatorKeys(List.of(group)))
                                            .data())
                                    .coordinators()
                                    .get(0)
                                    .errorCode()
                            == Errors.NONE.code());
            TxnOffsetCommitResponseData r = Wait.waitFor(
                    "the group coordinator has loaded",
                    Duration.ofSeconds(30),
                    () -> (TxnOffsetCommitResponseData)
                            c.send(ApiKeys.TXN_OFFSET_COMMIT, version, req).data(),
                    x -> x.topics().get(0).partitions().get(0).errorCode() != Errors.COORDINATOR_LOAD_IN_PROGRESS.code()
                            && x.topics().get(0).partitions().get(0).errorCode() != Errors.NOT_COORDINATOR.code());
            assertEquals(
                    Errors.NONE.code(), r.topics().get(0).partitions().get(0).errorCode());

            assertEquals(
                    Errors.UNSTABLE_OFFSET_COMMIT.code(), stableFetch(c, group).errorCode());
            assertEquals(-1, plainFetch(c, group).committedOffset(), "not committed before the marker");

            WriteTxnMarkersResponseData m = (WriteTxnMarkersResponseData) c.send(
                            ApiKeys.WRITE_TXN_MARKERS,
                            ApiKeys.WRITE_TXN_MARKERS.latestVersion(),
                            marker(pid, (short) 0, true, "__consumer_offsets", offsetsPartition))
                    .data();
            assertEquals(Errors.NONE, markerError(m));
            Wait.waitUntil(
                    "the offset is committed",
                    Duration.ofSeconds(10),
                    () -> stableFetch(c, group).committedOffset() == 17);
        }
    }

    private static OffsetFetchResponseData.OffsetFetchResponsePartitions stableFetch(RawKafkaConnection c, String group)
            throws Exception {
        return offsetFetch(c, group, true);
    }

    private static OffsetFetchResponseData.OffsetFetchResponsePartitions plainFetch(RawKafkaConnection c, String group)
            throws Exception {
        return offsetFetch(c, group, false);
    }

    private static OffsetFetchResponseData.OffsetFetchResponsePartitions offsetFetch(
            RawKafkaConnection c, String group, boolean requireStable) throws Exception {
        OffsetFetchRequestData req = new OffsetFetchRequestData().setRequireStable(requireStable);
        req.groups()
                .add(new OffsetFetchRequestData.OffsetFetchRequestGroup()
                        .setGroupId(group)
                        .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics()
                                .setName(TOPIC)
                                .setPartitionIndexes(List.of(0)))));
        OffsetFetchResponseData r = (OffsetFetchResponseData)
                c.send(ApiKeys.OFFSET_FETCH, (short) 9, req).data();
        return r.groups().get(0).topics().get(0).partitions().get(0);
    }
}
