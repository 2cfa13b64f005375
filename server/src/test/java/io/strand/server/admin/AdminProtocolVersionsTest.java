package io.strand.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.EveryVersion;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.CreatePartitionsResponse;
import org.apache.kafka.common.requests.DeleteTopicsResponse;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.DescribeLogDirsResponse;
import org.apache.kafka.common.requests.DescribeTopicPartitionsResponse;
import org.apache.kafka.common.requests.ElectLeadersResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;
import org.apache.kafka.common.requests.ListPartitionReassignmentsResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Every advertised version of every admin API, with raw requests against one broker (which is also
 * the controller): each answered with the expected result or error code, never a closed connection.
 */
@ExtendWith(StrandClusterExtension.class)
class AdminProtocolVersionsTest {
    private static final List<ApiKeys> ADMIN_APIS = List.of(
            ApiKeys.CREATE_PARTITIONS,
            ApiKeys.DELETE_TOPICS,
            ApiKeys.DESCRIBE_CONFIGS,
            ApiKeys.ALTER_CONFIGS,
            ApiKeys.INCREMENTAL_ALTER_CONFIGS,
            ApiKeys.ELECT_LEADERS,
            ApiKeys.DESCRIBE_CLUSTER,
            ApiKeys.DESCRIBE_LOG_DIRS,
            ApiKeys.DESCRIBE_TOPIC_PARTITIONS,
            ApiKeys.ALTER_PARTITION_REASSIGNMENTS,
            ApiKeys.LIST_PARTITION_REASSIGNMENTS);
    private static final byte TOPIC = ConfigResource.Type.TOPIC.id();
    private static final byte BROKER = ConfigResource.Type.BROKER.id();

    @BrokerCluster
    private static StrandTestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster.createTopic("shared", 2, 1);
        Wait.waitUntil(
                "broker 1 is the controller",
                java.time.Duration.ofSeconds(20),
                () -> cluster.broker(1).controller().isActive());
    }

    private static RawKafkaConnection connect() throws Exception {
        return new RawKafkaConnection("127.0.0.1", cluster.port(1));
    }

    @Test
    void shouldAdvertiseKafka40MinimumsToTheLatestVersions() throws Exception {
        try (RawKafkaConnection c = connect()) {
            ApiVersionsResponse r = (ApiVersionsResponse) c.send(
                    ApiKeys.API_VERSIONS,
                    (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("test").setClientSoftwareVersion("1"));
            for (ApiKeys api : ADMIN_APIS) {
                ApiVersionsResponseData.ApiVersion v = r.data().apiKeys().find(api.id);
                assertNotNull(v, api + " is advertised");
                assertEquals(api.oldestVersion(), v.minVersion(), api + " min");
                assertEquals(api.latestVersion(), v.maxVersion(), api + " max");
            }
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.CREATE_PARTITIONS)
    void shouldAnswerCreatePartitions(short version) throws Exception {
        String topic = "cp-v" + version;
        cluster.createTopic(topic, 1, 1);
        try (RawKafkaConnection c = connect()) {
            CreatePartitionsRequestData req = new CreatePartitionsRequestData().setTimeoutMs(10_000);
            req.topics()
                    .add(new CreatePartitionsRequestData.CreatePartitionsTopic()
                            .setName(topic)
                            .setCount(3));
            CreatePartitionsResponse r = (CreatePartitionsResponse) c.send(ApiKeys.CREATE_PARTITIONS, version, req);
            assertEquals(Errors.NONE.code(), r.data().results().get(0).errorCode());
            assertEquals(
                    3,
                    cluster.broker(1).metadataCache().topic(topic).orElseThrow().partitionCount());
            r = (CreatePartitionsResponse) c.send(ApiKeys.CREATE_PARTITIONS, version, req);
            assertEquals(
                    Errors.INVALID_PARTITIONS.code(), r.data().results().get(0).errorCode());
            assertEquals(
                    "Topic already has 3 partitions.", r.data().results().get(0).errorMessage());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DELETE_TOPICS)
    void shouldAnswerDeleteTopics(short version) throws Exception {
        String topic = "dt-v" + version;
        cluster.createTopic(topic, 1, 1);
        Uuid id = cluster.broker(1).metadataCache().topic(topic).orElseThrow().topicId();
        try (RawKafkaConnection c = connect()) {
            DeleteTopicsRequestData req = new DeleteTopicsRequestData().setTimeoutMs(10_000);
            if (version >= 6) {
                req.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setTopicId(id));
            } else {
                req.topicNames().add(topic);
            }
            DeleteTopicsResponse r = (DeleteTopicsResponse) c.send(ApiKeys.DELETE_TOPICS, version, req);
            var result = r.data().responses().iterator().next();
            assertEquals(Errors.NONE.code(), result.errorCode());
            assertEquals(topic, result.name());
            if (version >= 6) {
                assertEquals(id, result.topicId());
            }
            assertTrue(cluster.broker(1).metadataCache().topic(topic).isEmpty());

            r = (DeleteTopicsResponse) c.send(ApiKeys.DELETE_TOPICS, version, req);
            result = r.data().responses().iterator().next();
            assertEquals(
                    (version >= 6 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code(),
                    result.errorCode());
            if (version >= 5) {
                assertNotNull(result.errorMessage());
            }
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DESCRIBE_CONFIGS)
    void shouldAnswerDescribeConfigs(short version) throws Exception {
        try (RawKafkaConnection c = connect()) {
            DescribeConfigsRequestData req =
                    new DescribeConfigsRequestData().setIncludeSynonyms(true).setIncludeDocumentation(version >= 3);
            req.resources()
                    .add(new DescribeConfigsRequestData.DescribeConfigsResource()
                            .setResourceType(TOPIC)
                            .setResourceName("shared")
                            .setConfigurationKeys(null));
            req.resources()
                    .add(new DescribeConfigsRequestData.DescribeConfigsResource()
                            .setResourceType(BROKER)
                            .setResourceName("1")
                            .setConfigurationKeys(List.of("log.dirs", "leader.replication.throttled.rate")));
            req.resources()
                    .add(new DescribeConfigsRequestData.DescribeConfigsResource()
                            .setResourceType(TOPIC)
                            .setResourceName("nope")
                            .setConfigurationKeys(null));
            DescribeConfigsResponse r = (DescribeConfigsResponse) c.send(ApiKeys.DESCRIBE_CONFIGS, version, req);
            List<DescribeConfigsResponseData.DescribeConfigsResult> results =
                    r.data().results();
            assertEquals(Errors.NONE.code(), results.get(0).errorCode());
            var retention = results.get(0).configs().stream()
                    .filter(e -> e.name().equals("retention.ms"))
                    .findFirst()
                    .orElseThrow();
            assertEquals("604800000", retention.value());
            assertEquals(DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG.id(), retention.configSource());
            assertTrue(!retention.synonyms().isEmpty());
            assertEquals(Errors.NONE.code(), results.get(1).errorCode());
            assertEquals(2, results.get(1).configs().size());
            assertTrue(results.get(1).configs().stream()
                    .filter(e -> e.name().equals("log.dirs"))
                    .findFirst()
                    .orElseThrow()
                    .readOnly());
            if (version >= 3) {
                assertEquals(
                        DescribeConfigsResponse.ConfigType.LIST.id(),
                        results.get(1).configs().stream()
                                .filter(e -> e.name().equals("log.dirs"))
                                .findFirst()
                                .orElseThrow()
                                .configType());
            }
            assertEquals(
                    Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), results.get(2).errorCode());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.ALTER_CONFIGS)
    void shouldAnswerAlterConfigs(short version) throws Exception {
        try (RawKafkaConnection c = connect()) {
            AlterConfigsRequestData req = new AlterConfigsRequestData();
            AlterConfigsRequestData.AlterConfigsResource topic = new AlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType(TOPIC)
                    .setResourceName("shared");
            topic.configs()
                    .add(new AlterConfigsRequestData.AlterableConfig()
                            .setName("retention.ms")
                            .setValue("86400000"));
            req.resources().add(topic);
            AlterConfigsRequestData.AlterConfigsResource broker = new AlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType(BROKER)
                    .setResourceName("1");
            broker.configs()
                    .add(new AlterConfigsRequestData.AlterableConfig()
                            .setName("log.dirs")
                            .setValue("/x"));
            req.resources().add(broker);
            AlterConfigsResponse r = (AlterConfigsResponse) c.send(ApiKeys.ALTER_CONFIGS, version, req);
            assertEquals(Errors.NONE.code(), r.data().responses().get(0).errorCode());
            assertEquals(
                    "86400000",
                    cluster.broker(1)
                            .metadataCache()
                            .topic("shared")
                            .orElseThrow()
                            .configs()
                            .get("retention.ms"));
            assertEquals(
                    Errors.INVALID_REQUEST.code(), r.data().responses().get(1).errorCode());
            assertTrue(r.data().responses().get(1).errorMessage().contains("Cannot update these configs dynamically"));

            AlterConfigsRequestData clear = new AlterConfigsRequestData();
            clear.resources()
                    .add(new AlterConfigsRequestData.AlterConfigsResource()
                            .setResourceType(TOPIC)
                            .setResourceName("shared"));
            r = (AlterConfigsResponse) c.send(ApiKeys.ALTER_CONFIGS, version, clear);
            assertEquals(Errors.NONE.code(), r.data().responses().get(0).errorCode());
            assertEquals(
                    java.util.Map.of(),
                    cluster.broker(1)
                            .metadataCache()
                            .topic("shared")
                            .orElseThrow()
                            .configs());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.INCREMENTAL_ALTER_CONFIGS)
    void shouldAnswerIncrementalAlterConfigs(short version) throws Exception {
        try (RawKafkaConnection c = connect()) {
            IncrementalAlterConfigsResponse r = incremental(c, version, "segment.ms", (byte) 0, "3600000");
            assertEquals(Errors.NONE.code(), r.data().responses().get(0).errorCode());
            assertEquals(
                    "3600000",
                    cluster.broker(1)
                            .metadataCache()
                            .topic("shared")
                            .orElseThrow()
                            .configs()
                            .get("segment.ms"));
            r = incremental(c, version, "segment.ms", (byte) 1, null);
            assertEquals(Errors.NONE.code(), r.data().responses().get(0).errorCode());
            assertNull(cluster.broker(1)
                    .metadataCache()
                    .topic("shared")
                    .orElseThrow()
                    .configs()
                    .get("segment.ms"));
            r = incremental(c, version, "segment.ms", (byte) 2, "1");
            assertEquals(
                    Errors.INVALID_REQUEST.code(), r.data().responses().get(0).errorCode());
            r = incremental(c, version, "no.such.config", (byte) 0, "1");
            assertEquals(
                    Errors.INVALID_CONFIG.code(), r.data().responses().get(0).errorCode());
        }
    }

    private static IncrementalAlterConfigsResponse incremental(
            RawKafkaConnection c, short version, String name, byte op, String value) throws Exception {
        IncrementalAlterConfigsRequestData req = new IncrementalAlterConfigsRequestData();
        IncrementalAlterConfigsRequestData.AlterConfigsResource res =
                new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType(TOPIC)
                        .setResourceName("shared");
        res.configs()
                .add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                        .setName(name)
                        .setConfigOperation(op)
                        .setValue(value));
        req.resources().add(res);
        return (IncrementalAlterConfigsResponse) c.send(ApiKeys.INCREMENTAL_ALTER_CONFIGS, version, req);
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.ELECT_LEADERS)
    void shouldAnswerElectLeaders(short version) throws Exception {
        try (RawKafkaConnection c = connect()) {
            ElectLeadersRequestData req = new ElectLeadersRequestData().setTimeoutMs(10_000);
            req.topicPartitions()
                    .add(new ElectLeadersRequestData.TopicPartitions()
                            .setTopic("shared")
                            .setPartitions(List.of(0)));
            req.topicPartitions()
                    .add(new ElectLeadersRequestData.TopicPartitions()
                            .setTopic("nope")
                            .setPartitions(List.of(0)));
            ElectLeadersResponse r = (ElectLeadersResponse) c.send(ApiKeys.ELECT_LEADERS, version, req);
            if (version >= 1) {
                assertEquals(Errors.NONE.code(), r.data().errorCode());
            }
            assertEquals(
                    Errors.ELECTION_NOT_NEEDED.code(),
                    r.data()
                            .replicaElectionResults()
                            .get(0)
                            .partitionResult()
                            .get(0)
                            .errorCode());
            assertEquals(
                    Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                    r.data()
                            .replicaElectionResults()
                            .get(1)
                            .partitionResult()
                            .get(0)
                            .errorCode());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DESCRIBE_CLUSTER)
    void shouldAnswerDescribeCluster(short version) throws Exception {
        try (RawKafkaConnection c = connect()) {
            DescribeClusterResponse r = (DescribeClusterResponse)
                    c.send(ApiKeys.DESCRIBE_CLUSTER, version, new DescribeClusterRequestData());
            assertEquals(Errors.NONE.code(), r.data().errorCode());
            assertEquals(1, r.data().controllerId());
            assertEquals(cluster.broker(1).clusterId(), r.data().clusterId());
            assertEquals(cluster.port(1), r.data().brokers().find(1).port());
            if (version >= 1) {
                r = (DescribeClusterResponse) c.send(
                        ApiKeys.DESCRIBE_CLUSTER, version, new DescribeClusterRequestData().setEndpointType((byte) 2));
                assertEquals(Errors.UNSUPPORTED_ENDPOINT_TYPE.code(), r.data().errorCode());
            }
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DESCRIBE_LOG_DIRS)
    void shouldAnswerDescribeLogDirs(short version) throws Exception {
        try (RawKafkaConnection c = connect()) {
            DescribeLogDirsResponse r = (DescribeLogDirsResponse)
                    c.send(ApiKeys.DESCRIBE_LOG_DIRS, version, new DescribeLogDirsRequestData().setTopics(null));
            assertEquals(1, r.data().results().size());
            var dir = r.data().results().get(0);
            assertEquals(Errors.NONE.code(), dir.errorCode());
            assertEquals(cluster.dataDir(1).toAbsolutePath().normalize().toString(), dir.logDir());
            assertTrue(dir.topics().stream()
                    .anyMatch(t -> t.name().equals("shared") && t.partitions().size() == 2));
            if (version >= 4) {
                assertTrue(dir.totalBytes() > 0 && dir.usableBytes() > 0);
            }
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DESCRIBE_TOPIC_PARTITIONS)
    void shouldAnswerDescribeTopicPartitionsInPages(short version) throws Exception {
        try (RawKafkaConnection c = connect()) {
            DescribeTopicPartitionsRequestData req =
                    new DescribeTopicPartitionsRequestData().setResponsePartitionLimit(1);
            req.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName("shared"));
            req.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName("nope"));
            DescribeTopicPartitionsResponse r =
                    (DescribeTopicPartitionsResponse) c.send(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, version, req);
            var first = r.data().topics().find("shared");
            assertEquals(Errors.NONE.code(), first.errorCode());
            assertEquals(1, first.partitions().size());
            assertEquals(1, first.partitions().get(0).leaderId());
            assertEquals(
                    cluster.broker(1)
                            .metadataCache()
                            .topic("shared")
                            .orElseThrow()
                            .topicId(),
                    first.topicId());
            assertEquals("shared", r.data().nextCursor().topicName());
            assertEquals(1, r.data().nextCursor().partitionIndex());
            assertEquals(
                    Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                    r.data().topics().find("nope").errorCode());

            req.setCursor(new DescribeTopicPartitionsRequestData.Cursor()
                            .setTopicName("shared")
                            .setPartitionIndex(1))
                    .setResponsePartitionLimit(10);
            r = (DescribeTopicPartitionsResponse) c.send(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, version, req);
            assertEquals(1, r.data().topics().find("shared").partitions().get(0).partitionIndex());
            assertNull(r.data().topics().find("nope"), "topics before the cursor are not repeated");
            assertNull(r.data().nextCursor());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.ALTER_PARTITION_REASSIGNMENTS)
    void shouldAnswerAlterPartitionReassignments(short version) throws Exception {
        try (RawKafkaConnection c = connect()) {
            AlterPartitionReassignmentsRequestData req =
                    new AlterPartitionReassignmentsRequestData().setTimeoutMs(10_000);
            AlterPartitionReassignmentsRequestData.ReassignableTopic t =
                    new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("shared");
            t.partitions()
                    .add(new AlterPartitionReassignmentsRequestData.ReassignablePartition()
                            .setPartitionIndex(0)
                            .setReplicas(List.of(1)));
            t.partitions()
                    .add(new AlterPartitionReassignmentsRequestData.ReassignablePartition()
                            .setPartitionIndex(1)
                            .setReplicas(List.of(7)));
            t.partitions()
                    .add(new AlterPartitionReassignmentsRequestData.ReassignablePartition()
                            .setPartitionIndex(5)
                            .setReplicas(List.of(1)));
            req.topics().add(t);
            AlterPartitionReassignmentsRequestData cancel =
                    new AlterPartitionReassignmentsRequestData().setTimeoutMs(10_000);
            cancel.topics()
                    .add(new AlterPartitionReassignmentsRequestData.ReassignableTopic()
                            .setName("shared")
                            .setPartitions(List.of(new AlterPartitionReassignmentsRequestData.ReassignablePartition()
                                    .setPartitionIndex(0)
                                    .setReplicas(null))));
            AlterPartitionReassignmentsResponse r =
                    (AlterPartitionReassignmentsResponse) c.send(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, version, req);
            assertEquals(Errors.NONE.code(), r.data().errorCode());
            var partitions = r.data().responses().get(0).partitions();
            assertEquals(Errors.NONE.code(), partitions.get(0).errorCode(), "already there: nothing to move");
            assertEquals(
                    Errors.INVALID_REPLICA_ASSIGNMENT.code(), partitions.get(1).errorCode());
            assertTrue(
                    partitions.get(1).errorMessage().contains("not alive: [7]"),
                    partitions.get(1).errorMessage());
            assertEquals(
                    Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), partitions.get(2).errorCode());
            r = (AlterPartitionReassignmentsResponse) c.send(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, version, cancel);
            assertEquals(
                    Errors.NO_REASSIGNMENT_IN_PROGRESS.code(),
                    r.data().responses().get(0).partitions().get(0).errorCode());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.LIST_PARTITION_REASSIGNMENTS)
    void shouldAnswerListPartitionReassignments(short version) throws Exception {
        try (RawKafkaConnection c = connect()) {
            ListPartitionReassignmentsResponse r = (ListPartitionReassignmentsResponse) c.send(
                    ApiKeys.LIST_PARTITION_REASSIGNMENTS,
                    version,
                    new ListPartitionReassignmentsRequestData()
                            .setTimeoutMs(10_000)
                            .setTopics(null));
            assertEquals(Errors.NONE.code(), r.data().errorCode());
            assertEquals(List.of(), r.data().topics());
            r = (ListPartitionReassignmentsResponse) c.send(
                    ApiKeys.LIST_PARTITION_REASSIGNMENTS,
                    version,
                    new ListPartitionReassignmentsRequestData()
                            .setTimeoutMs(10_000)
                            .setTopics(
                                    List.of(new ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics()
                                            .setName("shared")
                                            .setPartitionIndexes(List.of(0, 1)))));
            assertEquals(Errors.NONE.code(), r.data().errorCode());
            assertEquals(List.of(), r.data().topics());
        }
    }

    @Test
    void shouldAnswerDescribeTopicsThroughTheAdminClient() throws Exception {
        try (Admin admin = cluster.admin()) {
            var d = admin.describeTopics(List.of("shared"))
                    .allTopicNames()
                    .get()
                    .get("shared");
            assertEquals(2, d.partitions().size());
            assertNotEquals(Uuid.ZERO_UUID, d.topicId());
        }
    }
}
