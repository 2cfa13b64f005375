package io.strand.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.EveryVersion;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;

/** Every advertised version of every API the skeleton serves, answered without an error or a closed connection. */
@ExtendWith(StrandClusterExtension.class)
class ProtocolVersionsTest {
    private static final String TOPIC = "versions";

    @BrokerCluster
    private static StrandTestCluster cluster;

    private static Uuid topicId;

    @BeforeAll
    static void startCluster() throws Exception {
        topicId = cluster.createTopic(TOPIC, 1, 1);
    }

    private static RawKafkaConnection connect() throws Exception {
        return new RawKafkaConnection("127.0.0.1", cluster.port(1));
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.API_VERSIONS)
    void shouldAnswerApiVersions(short version) throws Exception {
        try (RawKafkaConnection c = connect()) {
            ApiVersionsRequestData req = new ApiVersionsRequestData();
            if (version >= 3) {
                req.setClientSoftwareName("test").setClientSoftwareVersion("1.0");
            }
            ApiVersionsResponse r = (ApiVersionsResponse) c.send(ApiKeys.API_VERSIONS, version, req);
            assertEquals(Errors.NONE.code(), r.data().errorCode());
            assertTrue(r.data().apiKeys().size() >= 6);
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.METADATA)
    void shouldAnswerMetadata(short version) throws Exception {
        try (RawKafkaConnection c = connect()) {
            MetadataRequestData req = new MetadataRequestData()
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(TOPIC)));
            if (version >= 4) {
                req.setAllowAutoTopicCreation(false);
            }
            MetadataResponse r = (MetadataResponse) c.send(ApiKeys.METADATA, version, req);
            assertEquals(1, r.data().brokers().size());
            assertEquals(Errors.NONE.code(), r.data().topics().find(TOPIC).errorCode());
            assertEquals(1, r.data().topics().find(TOPIC).partitions().get(0).leaderId());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.CREATE_TOPICS)
    void shouldAnswerCreateTopics(short version) throws Exception {
        try (RawKafkaConnection c = connect()) {
            CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs(10_000);
            req.topics()
                    .add(new CreateTopicsRequestData.CreatableTopic()
                            .setName("created-v" + version)
                            .setNumPartitions(2)
                            .setReplicationFactor((short) 1));
            CreateTopicsResponse r = (CreateTopicsResponse) c.send(ApiKeys.CREATE_TOPICS, version, req);
            assertEquals(
                    Errors.NONE.code(),
                    r.data().topics().find("created-v" + version).errorCode());
            CreateTopicsResponse again = (CreateTopicsResponse) c.send(ApiKeys.CREATE_TOPICS, version, req);
            assertEquals(
                    Errors.TOPIC_ALREADY_EXISTS.code(),
                    again.data().topics().find("created-v" + version).errorCode());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.PRODUCE)
    void shouldAnswerProduceFetchAndListOffsets(short version) throws Exception {
        try (RawKafkaConnection c = connect()) {
            ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData();
            if (version >= 13) {
                td.setTopicId(topicId);
            } else {
                td.setName(TOPIC);
            }
            td.partitionData()
                    .add(new ProduceRequestData.PartitionProduceData()
                            .setIndex(0)
                            .setRecords(MemoryRecords.withRecords(
                                    Compression.NONE, new SimpleRecord(("v" + version).getBytes()))));
            ProduceRequestData req = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
            req.topicData().add(td);
            ProduceResponse r = (ProduceResponse) c.send(ApiKeys.PRODUCE, version, req);
            assertEquals(
                    Errors.NONE.code(),
                    r.data()
                            .responses()
                            .iterator()
                            .next()
                            .partitionResponses()
                            .get(0)
                            .errorCode());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.FETCH)
    void shouldAnswerFetch(short version) throws Exception {
        produceOne();
        try (RawKafkaConnection c = connect()) {
            FetchRequestData.FetchTopic ft = new FetchRequestData.FetchTopic();
            if (version >= 13) {
                ft.setTopicId(topicId);
            } else {
                ft.setTopic(TOPIC);
            }
            ft.partitions()
                    .add(new FetchRequestData.FetchPartition()
                            .setPartition(0)
                            .setFetchOffset(0)
                            .setPartitionMaxBytes(1 << 20));
            FetchRequestData req = new FetchRequestData()
                    .setReplicaId(-1)
                    .setMaxWaitMs(0)
                    .setMinBytes(1)
                    .setMaxBytes(1 << 20)
                    .setTopics(List.of(ft));
            if (version >= 15) {
                req.setReplicaId(-1);
            }
            FetchResponse r = (FetchResponse) c.send(ApiKeys.FETCH, version, req);
            FetchResponseData.PartitionData pd =
                    r.data().responses().get(0).partitions().get(0);
            assertEquals(Errors.NONE.code(), pd.errorCode());
            assertTrue(pd.highWatermark() > 0);
            assertTrue(pd.records().sizeInBytes() > 0, "records come back");
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.LIST_OFFSETS)
    void shouldAnswerListOffsets(short version) throws Exception {
        produceOne();
        try (RawKafkaConnection c = connect()) {
            ListOffsetsRequestData req = new ListOffsetsRequestData().setReplicaId(-1);
            req.topics()
                    .add(new ListOffsetsRequestData.ListOffsetsTopic()
                            .setName(TOPIC)
                            .setPartitions(List.of(new ListOffsetsRequestData.ListOffsetsPartition()
                                    .setPartitionIndex(0)
                                    .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP))));
            ListOffsetsResponse r = (ListOffsetsResponse) c.send(ApiKeys.LIST_OFFSETS, version, req);
            assertEquals(
                    Errors.NONE.code(),
                    r.data().topics().get(0).partitions().get(0).errorCode());
            assertTrue(r.data().topics().get(0).partitions().get(0).offset() > 0);
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.OFFSET_FOR_LEADER_EPOCH)
    void shouldAnswerOffsetForLeaderEpoch(short version) throws Exception {
        produceOne();
        try (RawKafkaConnection c = connect()) {
            org.apache.kafka.common.message.OffsetForLeaderEpochRequestData req =
                    new org.apache.kafka.common.message.OffsetForLeaderEpochRequestData().setReplicaId(-1);
            org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic t =
                    new org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic()
                            .setTopic(TOPIC);
            t.partitions()
                    .add(new org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                            .setPartition(0)
                            .setLeaderEpoch(0)
                            .setCurrentLeaderEpoch(-1));
            req.topics().add(t);
            var r = (org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse)
                    c.send(ApiKeys.OFFSET_FOR_LEADER_EPOCH, version, req);
            var e = r.data().topics().find(TOPIC).partitions().get(0);
            assertEquals(Errors.NONE.code(), e.errorCode());
            assertEquals(0, e.leaderEpoch());
            assertTrue(e.endOffset() > 0, "epoch 0 ends at the log end");
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.INIT_PRODUCER_ID)
    void shouldAnswerInitProducerId(short version) throws Exception {
        try (RawKafkaConnection c = connect()) {
            var req = new org.apache.kafka.common.message.InitProducerIdRequestData()
                    .setTransactionalId(null)
                    .setTransactionTimeoutMs(60_000);
            if (version >= 3) {
                req.setProducerId(-1).setProducerEpoch((short) -1);
            }
            var r = (org.apache.kafka.common.requests.InitProducerIdResponse)
                    c.send(ApiKeys.INIT_PRODUCER_ID, version, req);
            assertEquals(Errors.NONE.code(), r.data().errorCode());
            assertTrue(r.data().producerId() >= 0);
            assertEquals(0, r.data().producerEpoch());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DELETE_RECORDS)
    void shouldAnswerDeleteRecords(short version) throws Exception {
        produceOne();
        try (RawKafkaConnection c = connect()) {
            var req = new org.apache.kafka.common.message.DeleteRecordsRequestData().setTimeoutMs(5000);
            var t = new org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic().setName(TOPIC);
            t.partitions()
                    .add(new org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition()
                            .setPartitionIndex(0)
                            .setOffset(0));
            req.topics().add(t);
            var r = (org.apache.kafka.common.requests.DeleteRecordsResponse)
                    c.send(ApiKeys.DELETE_RECORDS, version, req);
            var p = r.data().topics().find(TOPIC).partitions().find(0);
            assertEquals(Errors.NONE.code(), p.errorCode());
            assertTrue(p.lowWatermark() >= 0);
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DESCRIBE_PRODUCERS)
    void shouldAnswerDescribeProducers(short version) throws Exception {
        produceOne();
        try (RawKafkaConnection c = connect()) {
            var req = new org.apache.kafka.common.message.DescribeProducersRequestData();
            req.topics()
                    .add(new org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest()
                            .setName(TOPIC)
                            .setPartitionIndexes(List.of(0)));
            var r = (org.apache.kafka.common.requests.DescribeProducersResponse)
                    c.send(ApiKeys.DESCRIBE_PRODUCERS, version, req);
            var p = r.data().topics().get(0).partitions().get(0);
            assertEquals(Errors.NONE.code(), p.errorCode());
            assertTrue(!p.activeProducers().isEmpty(), "the idempotent test producer is listed");
        }
    }

    private static void produceOne() throws Exception {
        try (var producer = cluster.producer(Map.of())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(TOPIC, 0, null, "x".getBytes()))
                    .get();
        }
    }
}
