package io.strand.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input closes that one connection (or gets the error response the protocol defines) and
 * loses nothing; the broker keeps serving everyone else.
 */
@ExtendWith(StrandClusterExtension.class)
class BadInputTest {
    private static final int MAX_FRAME = 64 * 1024;

    @BrokerCluster(properties = {"socket.request.max.bytes=" + MAX_FRAME, "message.max.bytes=" + 32 * 1024})
    private static StrandTestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster.createTopic("crc", 1, 1);
    }

    private static RawKafkaConnection connect() throws Exception {
        return new RawKafkaConnection("127.0.0.1", cluster.port(1));
    }

    /** A fresh connection still gets a proper ApiVersions answer. */
    private static void assertBrokerStillServes() throws Exception {
        try (RawKafkaConnection c = connect()) {
            ApiVersionsResponse r = (ApiVersionsResponse) c.send(
                    ApiKeys.API_VERSIONS,
                    (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("test").setClientSoftwareVersion("1"));
            assertEquals(Errors.NONE.code(), r.data().errorCode());
        }
    }

    @Test
    void shouldCloseTheConnectionOnAFrameOverSocketRequestMaxBytes() throws Exception {
        try (RawKafkaConnection c = connect()) {
            c.writeRaw(ByteBuffer.allocate(4).putInt(0, MAX_FRAME + 1));
            c.writeRaw(new byte[1024]);
            assertTrue(c.closedByPeer(), "connection closed");
        }
        assertBrokerStillServes();
    }

    @Test
    void shouldCloseTheConnectionOnANegativeFrameSize() throws Exception {
        try (RawKafkaConnection c = connect()) {
            c.writeRaw(ByteBuffer.allocate(4).putInt(0, -5));
            assertTrue(c.closedByPeer(), "connection closed");
        }
        assertBrokerStillServes();
    }

    @Test
    void shouldSurviveAConnectionThatEndsInTheMiddleOfAFrame() throws Exception {
        try (RawKafkaConnection c = connect()) {
            c.writeRaw(ByteBuffer.allocate(4).putInt(0, 1000));
            c.writeRaw(new byte[10]);
        }
        assertBrokerStillServes();
    }

    @Test
    void shouldCloseTheConnectionOnAFrameWhoseBodyIsTruncated() throws Exception {
        ByteBuffer full = RawKafkaConnection.serialize(
                new RequestHeaderData()
                        .setRequestApiKey(ApiKeys.METADATA.id)
                        .setRequestApiVersion((short) 12)
                        .setCorrelationId(1)
                        .setClientId("t"),
                ApiKeys.METADATA.requestHeaderVersion((short) 12),
                new MetadataRequestData()
                        .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("some-topic-name"))),
                (short) 12);
        ByteBuffer truncated = full.duplicate();
        truncated.limit(full.limit() - 8);
        try (RawKafkaConnection c = connect()) {
            c.writeFrame(truncated);
            assertTrue(c.closedByPeer(), "connection closed");
        }
        assertBrokerStillServes();
    }

    @Test
    void shouldCloseTheConnectionOnGarbage() throws Exception {
        byte[] garbage = new byte[300];
        new Random(7).nextBytes(garbage);
        try (RawKafkaConnection c = connect()) {
            c.writeFrame(ByteBuffer.wrap(garbage));
            assertTrue(c.closedByPeer(), "connection closed");
        }
        assertBrokerStillServes();
    }

    @Test
    void shouldCloseTheConnectionOnAnUnknownApiKey() throws Exception {
        try (RawKafkaConnection c = connect()) {
            c.writeFrame(RawKafkaConnection.serialize(
                    new RequestHeaderData()
                            .setRequestApiKey((short) 9999)
                            .setRequestApiVersion((short) 0)
                            .setCorrelationId(1)
                            .setClientId("t"),
                    (short) 1,
                    null,
                    (short) 0));
            assertTrue(c.closedByPeer(), "connection closed");
        }
        assertBrokerStillServes();
    }

    @Test
    void shouldCloseTheConnectionOnAnUnsupportedVersion() throws Exception {
        try (RawKafkaConnection c = connect()) {
            short tooNew = (short) (ApiKeys.METADATA.latestVersion() + 1);
            c.writeFrame(RawKafkaConnection.serialize(
                    new RequestHeaderData()
                            .setRequestApiKey(ApiKeys.METADATA.id)
                            .setRequestApiVersion(tooNew)
                            .setCorrelationId(1)
                            .setClientId("t"),
                    (short) 2,
                    null,
                    (short) 0));
            assertTrue(c.closedByPeer(), "connection closed");
        }
        assertBrokerStillServes();
    }

    @Test
    void shouldAnswerApiVersionsFromTheFutureWithUnsupportedVersionAndOurVersions() throws Exception {
        try (RawKafkaConnection c = connect()) {
            short future = (short) (ApiKeys.API_VERSIONS.latestVersion() + 5);
            c.writeFrame(RawKafkaConnection.serialize(
                    new RequestHeaderData()
                            .setRequestApiKey(ApiKeys.API_VERSIONS.id)
                            .setRequestApiVersion(future)
                            .setCorrelationId(77)
                            .setClientId("t"),
                    (short) 2,
                    null,
                    (short) 0));
            ByteBuffer frame = c.readFrame();
            assertEquals(77, frame.getInt(), "correlation id (response header v0)");
            ApiVersionsResponseData data = new ApiVersionsResponseData(
                    new org.apache.kafka.common.protocol.ByteBufferAccessor(frame), (short) 0);
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), data.errorCode());
            ApiVersionsResponseData.ApiVersion av = data.apiKeys().find(ApiKeys.API_VERSIONS.id);
            assertEquals(ApiKeys.API_VERSIONS.latestVersion(), av.maxVersion());
        }
    }

    @Test
    void shouldAdvertiseProduceFromVersionZeroAndEveryHandledApi() throws Exception {
        try (RawKafkaConnection c = connect()) {
            ApiVersionsResponse r = (ApiVersionsResponse) c.send(
                    ApiKeys.API_VERSIONS,
                    (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("test").setClientSoftwareVersion("1"));
            ApiVersionsResponseData.ApiVersion produce = r.data().apiKeys().find(ApiKeys.PRODUCE.id);
            assertEquals(0, produce.minVersion(), "KAFKA-18659: librdkafka needs Produce v0 advertised");
            for (ApiKeys k : List.of(
                    ApiKeys.API_VERSIONS,
                    ApiKeys.METADATA,
                    ApiKeys.CREATE_TOPICS,
                    ApiKeys.FETCH,
                    ApiKeys.LIST_OFFSETS)) {
                ApiVersionsResponseData.ApiVersion v = r.data().apiKeys().find(k.id);
                assertEquals(k.oldestVersion(), v.minVersion(), k + " min");
                assertEquals(k.latestVersion(), v.maxVersion(), k + " max");
            }
        }
    }

    @Test
    void shouldRejectABatchWithABadCrcAndAppendNothing() throws Exception {
        MemoryRecords records = MemoryRecords.withRecords(
                Compression.NONE, new SimpleRecord("k".getBytes(), "value that will be damaged".getBytes()));
        ByteBuffer damaged = records.buffer().duplicate();
        int last = damaged.limit() - 3;
        damaged.put(last, (byte) (damaged.get(last) ^ 0x5a));
        ProduceRequestData req = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName("crc");
        td.partitionData()
                .add(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(MemoryRecords.readableRecords(damaged)));
        req.topicData().add(td);
        try (RawKafkaConnection c = connect()) {
            ProduceResponse r = (ProduceResponse) c.send(ApiKeys.PRODUCE, (short) 11, req);
            short code = r.data()
                    .responses()
                    .iterator()
                    .next()
                    .partitionResponses()
                    .get(0)
                    .errorCode();
            assertEquals(Errors.CORRUPT_MESSAGE.code(), code);

            ListOffsetsRequestData lo = new ListOffsetsRequestData().setReplicaId(-1);
            lo.topics()
                    .add(new ListOffsetsRequestData.ListOffsetsTopic()
                            .setName("crc")
                            .setPartitions(List.of(new ListOffsetsRequestData.ListOffsetsPartition()
                                    .setPartitionIndex(0)
                                    .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP))));
            ListOffsetsResponse offsets = (ListOffsetsResponse) c.send(ApiKeys.LIST_OFFSETS, (short) 7, lo);
            assertEquals(0, offsets.data().topics().get(0).partitions().get(0).offset(), "nothing was appended");
        }
    }

    @Test
    void shouldRejectABadConfigValueNamingTheKey() {
        Map<String, String> props = new HashMap<>(cluster.brokerProperties(9));
        props.put(BrokerConfig.NUM_PARTITIONS, "lots");
        ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.of(props));
        assertTrue(e.getMessage().contains(BrokerConfig.NUM_PARTITIONS), e.getMessage());

        props.put(BrokerConfig.NUM_PARTITIONS, "3");
        props.put("log.retension.ms", "1000");
        e = assertThrows(ConfigException.class, () -> BrokerConfig.of(props));
        assertTrue(e.getMessage().contains("log.retension.ms"), e.getMessage());

        props.remove("log.retension.ms");
        props.put(BrokerConfig.LISTENERS, "PLAINTEXT://127.0.0.1:notaport");
        e = assertThrows(ConfigException.class, () -> BrokerConfig.of(props));
        assertTrue(e.getMessage().contains(BrokerConfig.LISTENERS), e.getMessage());
    }
}
