package io.strand.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.*;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.DescribeLogDirsResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.ListTransactionsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every API a broker serves, at every version it advertises, sent raw by a principal that may do nothing
 * (the ZooKeeper authorizer, no ACL, no super user, {@code allow.everyone.if.no.acl.found=false}): each
 * answers its authorization error (the TOPIC_, GROUP_, CLUSTER_ or TRANSACTIONAL_ID_AUTHORIZATION_FAILED
 * Kafka answers) instead of data, whether the topic exists or not; the few that check nothing answer
 * without data to show. An API served without a case here fails the test.
 */
@ExtendWith(StrandClusterExtension.class)
class EveryApiAuthorizationTest {
    private static final String TOPIC = "guarded";
    private static final String MISSING = "no-such-topic";
    private static final String GROUP = "guarded-group";
    private static final String TXN = "guarded-txn";
    private static final String MEMBER = Uuid.randomUuid().toString();
    private static final Errors TOPIC_DENIED = Errors.TOPIC_AUTHORIZATION_FAILED;
    private static final Errors GROUP_DENIED = Errors.GROUP_AUTHORIZATION_FAILED;
    private static final Errors CLUSTER_DENIED = Errors.CLUSTER_AUTHORIZATION_FAILED;
    private static final Errors TXN_DENIED = Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;

    /** APIs that check nothing in Kafka (answered before or without authentication). */
    private static final Set<ApiKeys> UNCHECKED =
            EnumSet.of(ApiKeys.API_VERSIONS, ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE);

    @BrokerCluster(
            properties = {
                "authorizer.class.name=io.strand.server.security.ZkAclAuthorizer",
                "allow.everyone.if.no.acl.found=false",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1"
            })
    private static StrandTestCluster cluster;

    private static Uuid topicId;

    /** A request of one API from version {@code since} on, and the one error the whole answer must carry. */
    private record Case(
            String name, ApiKeys api, int since, int until, Function<Short, ApiMessage> request, Errors expected) {
        Case(String name, ApiKeys api, Function<Short, ApiMessage> request, Errors expected) {
            this(name, api, 0, Short.MAX_VALUE, request, expected);
        }

        Case(String name, ApiKeys api, int since, Function<Short, ApiMessage> request, Errors expected) {
            this(name, api, since, Short.MAX_VALUE, request, expected);
        }

        boolean covers(short version) {
            return version >= since && version <= until;
        }
    }

    @BeforeAll
    static void createTheTopic() throws Exception {
        TestAcls acls = new TestAcls(cluster.broker(1));
        acls.allow(ResourceType.TOPIC, TOPIC, AclOperation.CREATE, AclOperation.DESCRIBE_CONFIGS);
        topicId = cluster.createTopic(TOPIC, 1, 1);
        acls.clear();
    }

    @TestFactory
    Stream<DynamicTest> shouldAnswerEveryApiAtEveryVersionWithItsAuthorizationError() throws Exception {
        Map<ApiKeys, List<Case>> cases = new TreeMap<>();
        for (Case c : cases()) {
            cases.computeIfAbsent(c.api(), k -> new ArrayList<>()).add(c);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (ApiVersionsResponseData.ApiVersion served : servedApis()) {
            ApiKeys api = ApiKeys.forId(served.apiKey());
            if (UNCHECKED.contains(api)) {
                continue;
            }
            if (!cases.containsKey(api)) {
                tests.add(DynamicTest.dynamicTest(
                        api + " has a case", () -> fail(api + " is served but this test has no case for it")));
                continue;
            }
            short oldest = (short) Math.max(served.minVersion(), api.oldestVersion());
            for (short v = oldest; v <= served.maxVersion(); v++) {
                short version = v;
                for (Case c : cases.get(api)) {
                    if (!c.covers(version)) {
                        continue;
                    }
                    tests.add(DynamicTest.dynamicTest(c.name() + " v" + version, () -> check(c, version)));
                }
            }
        }
        return tests.stream();
    }

    @Test
    void shouldRefuseDescribingEveryScramUserAsAWholeRequest() throws Exception {
        // users = null (all users): the request's own error response cannot be built from its users
        try (RawKafkaConnection c = connect()) {
            var r = (org.apache.kafka.common.requests.DescribeUserScramCredentialsResponse) c.send(
                    ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS,
                    (short) 0,
                    new DescribeUserScramCredentialsRequestData().setUsers(null));
            assertEquals(Errors.CLUSTER_AUTHORIZATION_FAILED.code(), r.data().errorCode());
        }
    }

    @Test
    void shouldListNothingToAPrincipalThatMayDescribeNothing() throws Exception {
        try (RawKafkaConnection c = connect()) {
            MetadataResponse all = (MetadataResponse) c.send(
                    ApiKeys.METADATA,
                    ApiKeys.METADATA.latestVersion(),
                    new MetadataRequestData().setTopics(null).setAllowAutoTopicCreation(false));
            assertTrue(all.data().topics().isEmpty(), "all topics: none it may describe");
            assertEquals(1, all.data().brokers().size(), "the brokers need no permission");

            ListGroupsResponse groups = (ListGroupsResponse)
                    c.send(ApiKeys.LIST_GROUPS, ApiKeys.LIST_GROUPS.latestVersion(), new ListGroupsRequestData());
            assertEquals(Errors.NONE.code(), groups.data().errorCode());
            assertTrue(groups.data().groups().isEmpty());

            ListTransactionsResponse txns = (ListTransactionsResponse) c.send(
                    ApiKeys.LIST_TRANSACTIONS,
                    ApiKeys.LIST_TRANSACTIONS.latestVersion(),
                    new ListTransactionsRequestData());
            assertEquals(Errors.NONE.code(), txns.data().errorCode());
            assertTrue(txns.data().transactionStates().isEmpty());

            DescribeClusterResponse described = (DescribeClusterResponse) c.send(
                    ApiKeys.DESCRIBE_CLUSTER,
                    ApiKeys.DESCRIBE_CLUSTER.latestVersion(),
                    new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true));
            assertEquals(Errors.NONE.code(), described.data().errorCode());
            assertEquals(0, described.data().clusterAuthorizedOperations(), "no operation on the cluster");

            MetadataResponse byId = (MetadataResponse) c.send(
                    ApiKeys.METADATA,
                    ApiKeys.METADATA.latestVersion(),
                    new MetadataRequestData()
                            .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic()
                                    .setName(null)
                                    .setTopicId(topicId)))
                            .setAllowAutoTopicCreation(false));
            MetadataResponseData.MetadataResponseTopic t =
                    byId.data().topics().iterator().next();
            assertEquals(TOPIC_DENIED.code(), t.errorCode());
            assertEquals(topicId, t.topicId(), "a topic id is no secret");
            assertNull(t.name(), "its name is");

            DescribeLogDirsResponse dirs = (DescribeLogDirsResponse)
                    c.send(ApiKeys.DESCRIBE_LOG_DIRS, (short) 1, new DescribeLogDirsRequestData().setTopics(null));
            assertTrue(dirs.data().results().isEmpty(), "before v3 no error code: no directories");
        }
    }

    private static void check(Case c, short version) throws Exception {
        try (RawKafkaConnection conn = connect()) {
            AbstractResponse r = conn.send(c.api(), version, c.request().apply(version));
            Set<Errors> errors = new HashSet<>(r.errorCounts().keySet());
            if (c.expected() != Errors.NONE) {
                errors.remove(Errors.NONE); // the envelope's: a top-level error code of a per-resource answer
            }
            assertEquals(Set.of(c.expected()), errors, c.name() + " v" + version + ": " + r.data());
        }
    }

    private static List<ApiVersionsResponseData.ApiVersion> servedApis() throws Exception {
        try (RawKafkaConnection c = connect()) {
            ApiVersionsResponse r = (ApiVersionsResponse) c.send(
                    ApiKeys.API_VERSIONS,
                    (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("test").setClientSoftwareVersion("1"));
            return new ArrayList<>(r.data().apiKeys());
        }
    }

    private static RawKafkaConnection connect() throws Exception {
        return new RawKafkaConnection("127.0.0.1", cluster.port(1));
    }

    private static List<Case> cases() {
        return List.of(
                // topics and their records
                new Case("Produce", ApiKeys.PRODUCE, v -> produce(v, TOPIC), TOPIC_DENIED),
                new Case("Produce to a missing topic", ApiKeys.PRODUCE, 0, 12, v -> produce(v, MISSING), TOPIC_DENIED),
                new Case(
                        "Produce to an unknown topic id (ids are no secret)",
                        ApiKeys.PRODUCE,
                        13,
                        v -> produce(v, MISSING),
                        Errors.UNKNOWN_TOPIC_ID),
                new Case("Fetch", ApiKeys.FETCH, v -> fetch(v, -1), TOPIC_DENIED),
                new Case("Fetch as a follower", ApiKeys.FETCH, v -> fetch(v, 1), TOPIC_DENIED),
                new Case("ListOffsets", ApiKeys.LIST_OFFSETS, v -> listOffsets(TOPIC), TOPIC_DENIED),
                new Case(
                        "ListOffsets of a missing topic",
                        ApiKeys.LIST_OFFSETS,
                        v -> listOffsets(MISSING),
                        TOPIC_DENIED),
                new Case("Metadata", ApiKeys.METADATA, v -> metadata(v, TOPIC), TOPIC_DENIED),
                new Case("Metadata auto-creating", ApiKeys.METADATA, v -> metadata(v, MISSING), TOPIC_DENIED),
                new Case(
                        "OffsetForLeaderEpoch",
                        ApiKeys.OFFSET_FOR_LEADER_EPOCH,
                        v -> offsetForLeaderEpoch(),
                        TOPIC_DENIED),
                new Case("DescribeProducers", ApiKeys.DESCRIBE_PRODUCERS, v -> describeProducers(), TOPIC_DENIED),
                new Case("DeleteRecords", ApiKeys.DELETE_RECORDS, v -> deleteRecords(), TOPIC_DENIED),
                new Case(
                        "DescribeTopicPartitions",
                        ApiKeys.DESCRIBE_TOPIC_PARTITIONS,
                        v -> describeTopicPartitions(),
                        TOPIC_DENIED),
                // admin
                new Case("CreateTopics", ApiKeys.CREATE_TOPICS, v -> createTopics(), TOPIC_DENIED),
                new Case("DeleteTopics", ApiKeys.DELETE_TOPICS, EveryApiAuthorizationTest::deleteTopics, TOPIC_DENIED),
                new Case("CreatePartitions", ApiKeys.CREATE_PARTITIONS, v -> createPartitions(), TOPIC_DENIED),
                new Case(
                        "DescribeConfigs (topic)",
                        ApiKeys.DESCRIBE_CONFIGS,
                        v -> describeConfigs(ConfigResource.Type.TOPIC, TOPIC),
                        TOPIC_DENIED),
                new Case(
                        "DescribeConfigs (broker)",
                        ApiKeys.DESCRIBE_CONFIGS,
                        v -> describeConfigs(ConfigResource.Type.BROKER, "1"),
                        CLUSTER_DENIED),
                new Case(
                        "AlterConfigs (topic)",
                        ApiKeys.ALTER_CONFIGS,
                        v -> alterConfigs(ConfigResource.Type.TOPIC, TOPIC),
                        TOPIC_DENIED),
                new Case(
                        "AlterConfigs (broker)",
                        ApiKeys.ALTER_CONFIGS,
                        v -> alterConfigs(ConfigResource.Type.BROKER, "1"),
                        CLUSTER_DENIED),
                new Case(
                        "IncrementalAlterConfigs (topic)",
                        ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                        v -> incrementalAlterConfigs(ConfigResource.Type.TOPIC, TOPIC),
                        TOPIC_DENIED),
                new Case(
                        "IncrementalAlterConfigs (broker)",
                        ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                        v -> incrementalAlterConfigs(ConfigResource.Type.BROKER, "1"),
                        CLUSTER_DENIED),
                new Case("ElectLeaders", ApiKeys.ELECT_LEADERS, v -> electLeaders(), CLUSTER_DENIED),
                new Case(
                        "AlterPartitionReassignments",
                        ApiKeys.ALTER_PARTITION_REASSIGNMENTS,
                        v -> alterReassignments(),
                        CLUSTER_DENIED),
                new Case(
                        "ListPartitionReassignments",
                        ApiKeys.LIST_PARTITION_REASSIGNMENTS,
                        v -> new ListPartitionReassignmentsRequestData().setTopics(null),
                        CLUSTER_DENIED),
                new Case(
                        "DescribeLogDirs",
                        ApiKeys.DESCRIBE_LOG_DIRS,
                        3,
                        v -> new DescribeLogDirsRequestData().setTopics(null),
                        CLUSTER_DENIED),
                new Case(
                        "DescribeCluster",
                        ApiKeys.DESCRIBE_CLUSTER,
                        v -> new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true),
                        Errors.NONE),
                new Case("DescribeAcls", ApiKeys.DESCRIBE_ACLS, v -> describeAcls(), CLUSTER_DENIED),
                new Case("CreateAcls", ApiKeys.CREATE_ACLS, v -> createAcls(), CLUSTER_DENIED),
                new Case("DeleteAcls", ApiKeys.DELETE_ACLS, v -> deleteAcls(), CLUSTER_DENIED),
                new Case(
                        "DescribeUserScramCredentials",
                        ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS,
                        v -> new DescribeUserScramCredentialsRequestData()
                                .setUsers(List.of(
                                        new DescribeUserScramCredentialsRequestData.UserName().setName("alice"))),
                        CLUSTER_DENIED),
                new Case(
                        "AlterUserScramCredentials",
                        ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
                        v -> alterScram(),
                        CLUSTER_DENIED),
                new Case(
                        "DescribeClientQuotas",
                        ApiKeys.DESCRIBE_CLIENT_QUOTAS,
                        v -> new org.apache.kafka.common.message.DescribeClientQuotasRequestData()
                                .setComponents(List.of()),
                        CLUSTER_DENIED),
                new Case(
                        "AlterClientQuotas",
                        ApiKeys.ALTER_CLIENT_QUOTAS,
                        v -> new AlterClientQuotasRequestData()
                                .setEntries(List.of(new AlterClientQuotasRequestData.EntryData()
                                        .setEntity(List.of(new AlterClientQuotasRequestData.EntityData()
                                                .setEntityType("client-id")
                                                .setEntityName("app")))
                                        .setOps(List.of(new AlterClientQuotasRequestData.OpData()
                                                .setKey("producer_byte_rate")
                                                .setValue(1024))))),
                        CLUSTER_DENIED),
                // groups
                new Case(
                        "FindCoordinator (group)",
                        ApiKeys.FIND_COORDINATOR,
                        v -> findCoordinator(v, CoordinatorType.GROUP, GROUP),
                        GROUP_DENIED),
                new Case(
                        "FindCoordinator (transaction)",
                        ApiKeys.FIND_COORDINATOR,
                        1,
                        v -> findCoordinator(v, CoordinatorType.TRANSACTION, TXN),
                        TXN_DENIED),
                new Case(
                        "FindCoordinator (share)",
                        ApiKeys.FIND_COORDINATOR,
                        6,
                        v -> findCoordinator(v, CoordinatorType.SHARE, GROUP + ":" + topicId + ":0"),
                        CLUSTER_DENIED),
                new Case("JoinGroup", ApiKeys.JOIN_GROUP, EveryApiAuthorizationTest::joinGroup, GROUP_DENIED),
                new Case("SyncGroup", ApiKeys.SYNC_GROUP, EveryApiAuthorizationTest::syncGroup, GROUP_DENIED),
                new Case(
                        "Heartbeat",
                        ApiKeys.HEARTBEAT,
                        v -> new HeartbeatRequestData()
                                .setGroupId(GROUP)
                                .setGenerationId(1)
                                .setMemberId("m"),
                        GROUP_DENIED),
                new Case("LeaveGroup", ApiKeys.LEAVE_GROUP, EveryApiAuthorizationTest::leaveGroup, GROUP_DENIED),
                new Case("OffsetCommit", ApiKeys.OFFSET_COMMIT, EveryApiAuthorizationTest::offsetCommit, GROUP_DENIED),
                new Case("OffsetFetch", ApiKeys.OFFSET_FETCH, EveryApiAuthorizationTest::offsetFetch, GROUP_DENIED),
                new Case("OffsetDelete", ApiKeys.OFFSET_DELETE, v -> offsetDelete(), GROUP_DENIED),
                new Case(
                        "DescribeGroups",
                        ApiKeys.DESCRIBE_GROUPS,
                        v -> new DescribeGroupsRequestData().setGroups(List.of(GROUP)),
                        GROUP_DENIED),
                new Case("ListGroups", ApiKeys.LIST_GROUPS, v -> new ListGroupsRequestData(), Errors.NONE),
                new Case(
                        "DeleteGroups",
                        ApiKeys.DELETE_GROUPS,
                        v -> new DeleteGroupsRequestData().setGroupsNames(List.of(GROUP)),
                        GROUP_DENIED),
                new Case(
                        "ConsumerGroupHeartbeat",
                        ApiKeys.CONSUMER_GROUP_HEARTBEAT,
                        v -> consumerGroupHeartbeat(),
                        GROUP_DENIED),
                new Case(
                        "ConsumerGroupDescribe",
                        ApiKeys.CONSUMER_GROUP_DESCRIBE,
                        v -> new ConsumerGroupDescribeRequestData().setGroupIds(List.of(GROUP)),
                        GROUP_DENIED),
                // transactions
                new Case(
                        "InitProducerId (transactional)",
                        ApiKeys.INIT_PRODUCER_ID,
                        v -> initProducerId(TXN),
                        TXN_DENIED),
                new Case(
                        "InitProducerId (idempotent)",
                        ApiKeys.INIT_PRODUCER_ID,
                        v -> initProducerId(null),
                        CLUSTER_DENIED),
                new Case(
                        "AddPartitionsToTxn (client)",
                        ApiKeys.ADD_PARTITIONS_TO_TXN,
                        0,
                        3,
                        EveryApiAuthorizationTest::addPartitionsToTxn,
                        TXN_DENIED),
                new Case(
                        "AddPartitionsToTxn (broker)",
                        ApiKeys.ADD_PARTITIONS_TO_TXN,
                        4,
                        EveryApiAuthorizationTest::addPartitionsToTxn,
                        CLUSTER_DENIED),
                new Case(
                        "AddOffsetsToTxn",
                        ApiKeys.ADD_OFFSETS_TO_TXN,
                        v -> new AddOffsetsToTxnRequestData()
                                .setTransactionalId(TXN)
                                .setProducerId(1)
                                .setGroupId(GROUP),
                        TXN_DENIED),
                new Case(
                        "EndTxn",
                        ApiKeys.END_TXN,
                        v -> new EndTxnRequestData()
                                .setTransactionalId(TXN)
                                .setProducerId(1)
                                .setCommitted(true),
                        TXN_DENIED),
                new Case(
                        "TxnOffsetCommit",
                        ApiKeys.TXN_OFFSET_COMMIT,
                        EveryApiAuthorizationTest::txnOffsetCommit,
                        TXN_DENIED),
                new Case("WriteTxnMarkers", ApiKeys.WRITE_TXN_MARKERS, v -> writeTxnMarkers(), CLUSTER_DENIED),
                new Case(
                        "DescribeTransactions",
                        ApiKeys.DESCRIBE_TRANSACTIONS,
                        v -> new DescribeTransactionsRequestData().setTransactionalIds(List.of(TXN)),
                        TXN_DENIED),
                new Case(
                        "ListTransactions",
                        ApiKeys.LIST_TRANSACTIONS,
                        v -> new ListTransactionsRequestData(),
                        Errors.NONE),
                // share groups
                new Case(
                        "ShareGroupHeartbeat", ApiKeys.SHARE_GROUP_HEARTBEAT, v -> shareGroupHeartbeat(), GROUP_DENIED),
                new Case(
                        "ShareGroupDescribe",
                        ApiKeys.SHARE_GROUP_DESCRIBE,
                        v -> new ShareGroupDescribeRequestData().setGroupIds(List.of(GROUP)),
                        GROUP_DENIED),
                new Case("ShareFetch", ApiKeys.SHARE_FETCH, v -> shareFetch(), GROUP_DENIED),
                new Case("ShareAcknowledge", ApiKeys.SHARE_ACKNOWLEDGE, v -> shareAcknowledge(), GROUP_DENIED),
                new Case(
                        "DescribeShareGroupOffsets",
                        ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS,
                        v -> describeShareGroupOffsets(),
                        GROUP_DENIED),
                new Case(
                        "AlterShareGroupOffsets",
                        ApiKeys.ALTER_SHARE_GROUP_OFFSETS,
                        v -> alterShareGroupOffsets(),
                        GROUP_DENIED),
                new Case(
                        "DeleteShareGroupOffsets",
                        ApiKeys.DELETE_SHARE_GROUP_OFFSETS,
                        v -> deleteShareGroupOffsets(),
                        GROUP_DENIED),
                new Case(
                        "InitializeShareGroupState",
                        ApiKeys.INITIALIZE_SHARE_GROUP_STATE,
                        v -> initializeShareGroupState(),
                        CLUSTER_DENIED),
                new Case(
                        "ReadShareGroupState",
                        ApiKeys.READ_SHARE_GROUP_STATE,
                        v -> readShareGroupState(),
                        CLUSTER_DENIED),
                new Case(
                        "WriteShareGroupState",
                        ApiKeys.WRITE_SHARE_GROUP_STATE,
                        v -> writeShareGroupState(),
                        CLUSTER_DENIED),
                new Case(
                        "DeleteShareGroupState",
                        ApiKeys.DELETE_SHARE_GROUP_STATE,
                        v -> deleteShareGroupState(),
                        CLUSTER_DENIED),
                new Case(
                        "ReadShareGroupStateSummary",
                        ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY,
                        v -> readShareGroupStateSummary(),
                        CLUSTER_DENIED));
    }

    private static ApiMessage produce(short v, String topic) {
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData();
        if (v >= 13) {
            td.setTopicId(topic.equals(TOPIC) ? topicId : Uuid.randomUuid());
        } else {
            td.setName(topic);
        }
        td.partitionData()
                .add(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("x".getBytes()))));
        ProduceRequestData r = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5_000);
        r.topicData().add(td);
        return r;
    }

    private static ApiMessage fetch(short v, int replicaId) {
        FetchRequestData.FetchTopic ft = new FetchRequestData.FetchTopic();
        if (v >= 13) {
            ft.setTopicId(topicId);
        } else {
            ft.setTopic(TOPIC);
        }
        ft.partitions()
                .add(new FetchRequestData.FetchPartition().setPartition(0).setPartitionMaxBytes(1 << 20));
        FetchRequestData r = new FetchRequestData()
                .setMaxWaitMs(0)
                .setMinBytes(0)
                .setMaxBytes(1 << 20)
                .setTopics(new ArrayList<>(List.of(ft)));
        if (v >= 15) {
            r.replicaState().setReplicaId(replicaId);
        } else {
            r.setReplicaId(replicaId);
        }
        return r;
    }

    private static ApiMessage listOffsets(String topic) {
        ListOffsetsRequestData r = new ListOffsetsRequestData().setReplicaId(-1);
        r.topics()
                .add(new ListOffsetsRequestData.ListOffsetsTopic()
                        .setName(topic)
                        .setPartitions(List.of(new ListOffsetsRequestData.ListOffsetsPartition()
                                .setPartitionIndex(0)
                                .setTimestamp(-1))));
        return r;
    }

    private static ApiMessage metadata(short v, String topic) {
        MetadataRequestData r = new MetadataRequestData()
                .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic)));
        if (v >= 4) {
            r.setAllowAutoTopicCreation(true);
        }
        return r;
    }

    private static ApiMessage offsetCommit(short v) {
        OffsetCommitRequestData.OffsetCommitRequestTopic t = new OffsetCommitRequestData.OffsetCommitRequestTopic();
        if (v >= 10) {
            t.setTopicId(topicId);
        } else {
            t.setName(TOPIC);
        }
        t.partitions()
                .add(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                        .setPartitionIndex(0)
                        .setCommittedOffset(0));
        return new OffsetCommitRequestData()
                .setGroupId(GROUP)
                .setGenerationIdOrMemberEpoch(-1)
                .setMemberId("")
                .setTopics(List.of(t));
    }

    private static ApiMessage offsetFetch(short v) {
        if (v < 8) {
            return new OffsetFetchRequestData()
                    .setGroupId(GROUP)
                    .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic()
                            .setName(TOPIC)
                            .setPartitionIndexes(List.of(0))));
        }
        OffsetFetchRequestData.OffsetFetchRequestTopics t =
                new OffsetFetchRequestData.OffsetFetchRequestTopics().setPartitionIndexes(List.of(0));
        if (v >= 10) {
            t.setTopicId(topicId);
        } else {
            t.setName(TOPIC);
        }
        return new OffsetFetchRequestData()
                .setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup()
                        .setGroupId(GROUP)
                        .setTopics(List.of(t))));
    }

    private static ApiMessage findCoordinator(short v, CoordinatorType type, String key) {
        FindCoordinatorRequestData r = new FindCoordinatorRequestData();
        if (v >= 1) {
            r.setKeyType(type.id());
        }
        if (v >= 4) {
            r.setCoordinatorKeys(List.of(key));
        } else {
            r.setKey(key);
        }
        return r;
    }

    private static ApiMessage offsetForLeaderEpoch() {
        OffsetForLeaderEpochRequestData r = new OffsetForLeaderEpochRequestData();
        OffsetForLeaderEpochRequestData.OffsetForLeaderTopic t =
                new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(TOPIC);
        t.partitions()
                .add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                        .setPartition(0)
                        .setLeaderEpoch(0));
        r.topics().add(t);
        return r;
    }

    private static ApiMessage describeProducers() {
        DescribeProducersRequestData r = new DescribeProducersRequestData();
        r.topics()
                .add(new DescribeProducersRequestData.TopicRequest()
                        .setName(TOPIC)
                        .setPartitionIndexes(List.of(0)));
        return r;
    }

    private static ApiMessage deleteRecords() {
        return new DeleteRecordsRequestData()
                .setTimeoutMs(5_000)
                .setTopics(List.of(new DeleteRecordsRequestData.DeleteRecordsTopic()
                        .setName(TOPIC)
                        .setPartitions(List.of(new DeleteRecordsRequestData.DeleteRecordsPartition()
                                .setPartitionIndex(0)
                                .setOffset(0)))));
    }

    private static ApiMessage describeTopicPartitions() {
        return new DescribeTopicPartitionsRequestData()
                .setTopics(List.of(new DescribeTopicPartitionsRequestData.TopicRequest().setName(TOPIC)))
                .setResponsePartitionLimit(100);
    }

    private static ApiMessage createTopics() {
        CreateTopicsRequestData r = new CreateTopicsRequestData().setTimeoutMs(5_000);
        r.topics()
                .add(new CreateTopicsRequestData.CreatableTopic()
                        .setName("never-created")
                        .setNumPartitions(1)
                        .setReplicationFactor((short) 1));
        return r;
    }

    private static ApiMessage deleteTopics(short v) {
        DeleteTopicsRequestData r = new DeleteTopicsRequestData().setTimeoutMs(5_000);
        if (v >= 6) {
            r.setTopics(List.of(new DeleteTopicsRequestData.DeleteTopicState().setName(TOPIC)));
        } else {
            r.setTopicNames(List.of(TOPIC));
        }
        return r;
    }

    private static ApiMessage createPartitions() {
        CreatePartitionsRequestData r = new CreatePartitionsRequestData().setTimeoutMs(5_000);
        r.topics()
                .add(new CreatePartitionsRequestData.CreatePartitionsTopic()
                        .setName(TOPIC)
                        .setCount(2)
                        .setAssignments(null));
        return r;
    }

    private static ApiMessage describeConfigs(ConfigResource.Type type, String name) {
        return new DescribeConfigsRequestData()
                .setResources(List.of(new DescribeConfigsRequestData.DescribeConfigsResource()
                        .setResourceType(type.id())
                        .setResourceName(name)
                        .setConfigurationKeys(null)));
    }

    private static ApiMessage alterConfigs(ConfigResource.Type type, String name) {
        AlterConfigsRequestData.AlterConfigsResource res = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(type.id())
                .setResourceName(name);
        res.configs()
                .add(new AlterConfigsRequestData.AlterableConfig()
                        .setName(type == ConfigResource.Type.TOPIC ? "retention.ms" : "log.cleaner.threads")
                        .setValue("1000"));
        AlterConfigsRequestData r = new AlterConfigsRequestData();
        r.resources().add(res);
        return r;
    }

    private static ApiMessage incrementalAlterConfigs(ConfigResource.Type type, String name) {
        IncrementalAlterConfigsRequestData.AlterConfigsResource res =
                new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType(type.id())
                        .setResourceName(name);
        res.configs()
                .add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                        .setName(type == ConfigResource.Type.TOPIC ? "retention.ms" : "log.cleaner.threads")
                        .setConfigOperation((byte) 0)
                        .setValue("1000"));
        IncrementalAlterConfigsRequestData r = new IncrementalAlterConfigsRequestData();
        r.resources().add(res);
        return r;
    }

    private static ApiMessage electLeaders() {
        ElectLeadersRequestData r = new ElectLeadersRequestData().setTimeoutMs(5_000);
        r.topicPartitions()
                .add(new ElectLeadersRequestData.TopicPartitions()
                        .setTopic(TOPIC)
                        .setPartitions(List.of(0)));
        return r;
    }

    private static ApiMessage alterReassignments() {
        return new AlterPartitionReassignmentsRequestData()
                .setTimeoutMs(5_000)
                .setTopics(List.of(new AlterPartitionReassignmentsRequestData.ReassignableTopic()
                        .setName(TOPIC)
                        .setPartitions(List.of(new AlterPartitionReassignmentsRequestData.ReassignablePartition()
                                .setPartitionIndex(0)
                                .setReplicas(List.of(1))))));
    }

    private static ApiMessage describeAcls() {
        return new DescribeAclsRequestData()
                .setResourceTypeFilter(ResourceType.ANY.code())
                .setResourceNameFilter(null)
                .setPatternTypeFilter(PatternType.ANY.code())
                .setPrincipalFilter(null)
                .setHostFilter(null)
                .setOperation(AclOperation.ANY.code())
                .setPermissionType(AclPermissionType.ANY.code());
    }

    private static ApiMessage createAcls() {
        return new CreateAclsRequestData()
                .setCreations(List.of(new CreateAclsRequestData.AclCreation()
                        .setResourceType(ResourceType.TOPIC.code())
                        .setResourceName(TOPIC)
                        .setResourcePatternType(PatternType.LITERAL.code())
                        .setPrincipal(TestAcls.ANONYMOUS)
                        .setHost("*")
                        .setOperation(AclOperation.ALL.code())
                        .setPermissionType(AclPermissionType.ALLOW.code())));
    }

    private static ApiMessage deleteAcls() {
        return new DeleteAclsRequestData()
                .setFilters(List.of(new DeleteAclsRequestData.DeleteAclsFilter()
                        .setResourceTypeFilter(ResourceType.ANY.code())
                        .setResourceNameFilter(null)
                        .setPatternTypeFilter(PatternType.ANY.code())
                        .setPrincipalFilter(null)
                        .setHostFilter(null)
                        .setOperation(AclOperation.ANY.code())
                        .setPermissionType(AclPermissionType.ANY.code())));
    }

    private static ApiMessage alterScram() {
        return new AlterUserScramCredentialsRequestData()
                .setDeletions(List.of(new AlterUserScramCredentialsRequestData.ScramCredentialDeletion()
                        .setName("alice")
                        .setMechanism((byte) 1)));
    }

    private static ApiMessage joinGroup(short v) {
        JoinGroupRequestData r = new JoinGroupRequestData()
                .setGroupId(GROUP)
                .setSessionTimeoutMs(10_000)
                .setMemberId("")
                .setProtocolType("consumer");
        if (v >= 1) {
            r.setRebalanceTimeoutMs(10_000);
        }
        r.protocols()
                .add(new JoinGroupRequestData.JoinGroupRequestProtocol()
                        .setName("range")
                        .setMetadata(new byte[0]));
        return r;
    }

    private static ApiMessage syncGroup(short v) {
        SyncGroupRequestData r =
                new SyncGroupRequestData().setGroupId(GROUP).setGenerationId(1).setMemberId("m");
        if (v >= 5) {
            r.setProtocolType("consumer").setProtocolName("range");
        }
        return r;
    }

    private static ApiMessage leaveGroup(short v) {
        LeaveGroupRequestData r = new LeaveGroupRequestData().setGroupId(GROUP);
        if (v >= 3) {
            r.setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId("m")));
        } else {
            r.setMemberId("m");
        }
        return r;
    }

    private static ApiMessage offsetDelete() {
        OffsetDeleteRequestData r = new OffsetDeleteRequestData().setGroupId(GROUP);
        OffsetDeleteRequestData.OffsetDeleteRequestTopic t =
                new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName(TOPIC);
        t.partitions().add(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0));
        r.topics().add(t);
        return r;
    }

    private static ApiMessage consumerGroupHeartbeat() {
        return new ConsumerGroupHeartbeatRequestData()
                .setGroupId(GROUP)
                .setMemberId(MEMBER)
                .setMemberEpoch(0)
                .setRebalanceTimeoutMs(10_000)
                .setSubscribedTopicNames(List.of(TOPIC))
                .setTopicPartitions(List.of());
    }

    private static ApiMessage initProducerId(String transactionalId) {
        return new InitProducerIdRequestData()
                .setTransactionalId(transactionalId)
                .setTransactionTimeoutMs(60_000);
    }

    private static ApiMessage addPartitionsToTxn(short v) {
        AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection topics =
                new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
        topics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic()
                .setName(TOPIC)
                .setPartitions(List.of(0)));
        if (v < 4) {
            return new AddPartitionsToTxnRequestData()
                    .setV3AndBelowTransactionalId(TXN)
                    .setV3AndBelowProducerId(1)
                    .setV3AndBelowProducerEpoch((short) 0)
                    .setV3AndBelowTopics(topics);
        }
        AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection txns =
                new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection();
        txns.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction()
                .setTransactionalId(TXN)
                .setProducerId(1)
                .setProducerEpoch((short) 0)
                .setVerifyOnly(true)
                .setTopics(topics));
        return new AddPartitionsToTxnRequestData().setTransactions(txns);
    }

    private static ApiMessage txnOffsetCommit(short v) {
        TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic t =
                new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic();
        if (v >= 6) {
            t.setTopicId(topicId);
        } else {
            t.setName(TOPIC);
        }
        t.partitions()
                .add(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                        .setPartitionIndex(0)
                        .setCommittedOffset(0));
        return new TxnOffsetCommitRequestData()
                .setTransactionalId(TXN)
                .setGroupId(GROUP)
                .setProducerId(1)
                .setProducerEpoch((short) 0)
                .setTopics(List.of(t));
    }

    private static ApiMessage writeTxnMarkers() {
        return new WriteTxnMarkersRequestData()
                .setMarkers(List.of(new WriteTxnMarkersRequestData.WritableTxnMarker()
                        .setProducerId(1)
                        .setProducerEpoch((short) 0)
                        .setTransactionResult(true)
                        .setCoordinatorEpoch(0)
                        .setTopics(List.of(new WriteTxnMarkersRequestData.WritableTxnMarkerTopic()
                                .setName(TOPIC)
                                .setPartitionIndexes(List.of(0))))));
    }

    private static ApiMessage shareGroupHeartbeat() {
        return new ShareGroupHeartbeatRequestData()
                .setGroupId(GROUP)
                .setMemberId(MEMBER)
                .setMemberEpoch(0)
                .setSubscribedTopicNames(List.of(TOPIC));
    }

    private static ApiMessage shareFetch() {
        ShareFetchRequestData r = new ShareFetchRequestData()
                .setGroupId(GROUP)
                .setMemberId(MEMBER)
                .setShareSessionEpoch(0)
                .setMaxWaitMs(0)
                .setMaxBytes(1 << 20);
        ShareFetchRequestData.FetchTopic t = new ShareFetchRequestData.FetchTopic().setTopicId(topicId);
        t.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
        r.topics().add(t);
        return r;
    }

    private static ApiMessage shareAcknowledge() {
        ShareAcknowledgeRequestData r = new ShareAcknowledgeRequestData()
                .setGroupId(GROUP)
                .setMemberId(MEMBER)
                .setShareSessionEpoch(1);
        ShareAcknowledgeRequestData.AcknowledgeTopic t =
                new ShareAcknowledgeRequestData.AcknowledgeTopic().setTopicId(topicId);
        t.partitions()
                .add(new ShareAcknowledgeRequestData.AcknowledgePartition()
                        .setPartitionIndex(0)
                        .setAcknowledgementBatches(List.of(new ShareAcknowledgeRequestData.AcknowledgementBatch()
                                .setFirstOffset(0)
                                .setLastOffset(0)
                                .setAcknowledgeTypes(List.of((byte) 1)))));
        r.topics().add(t);
        return r;
    }

    private static ApiMessage describeShareGroupOffsets() {
        return new DescribeShareGroupOffsetsRequestData()
                .setGroups(List.of(new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup()
                        .setGroupId(GROUP)
                        .setTopics(
                                List.of(new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic()
                                        .setTopicName(TOPIC)
                                        .setPartitions(List.of(0))))));
    }

    private static ApiMessage alterShareGroupOffsets() {
        AlterShareGroupOffsetsRequestData r = new AlterShareGroupOffsetsRequestData().setGroupId(GROUP);
        r.topics()
                .add(new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic()
                        .setTopicName(TOPIC)
                        .setPartitions(
                                List.of(new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition()
                                        .setPartitionIndex(0)
                                        .setStartOffset(0))));
        return r;
    }

    private static ApiMessage deleteShareGroupOffsets() {
        return new DeleteShareGroupOffsetsRequestData()
                .setGroupId(GROUP)
                .setTopics(List.of(new DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic()
                        .setTopicName(TOPIC)));
    }

    private static ApiMessage initializeShareGroupState() {
        return new InitializeShareGroupStateRequestData()
                .setGroupId(GROUP)
                .setTopics(List.of(new InitializeShareGroupStateRequestData.InitializeStateData()
                        .setTopicId(topicId)
                        .setPartitions(List.of(new InitializeShareGroupStateRequestData.PartitionData()
                                .setPartition(0)
                                .setStateEpoch(1)
                                .setStartOffset(0)))));
    }

    private static ApiMessage readShareGroupState() {
        return new ReadShareGroupStateRequestData()
                .setGroupId(GROUP)
                .setTopics(List.of(new ReadShareGroupStateRequestData.ReadStateData()
                        .setTopicId(topicId)
                        .setPartitions(List.of(new ReadShareGroupStateRequestData.PartitionData()
                                .setPartition(0)
                                .setLeaderEpoch(0)))));
    }

    private static ApiMessage writeShareGroupState() {
        return new WriteShareGroupStateRequestData()
                .setGroupId(GROUP)
                .setTopics(List.of(new WriteShareGroupStateRequestData.WriteStateData()
                        .setTopicId(topicId)
                        .setPartitions(List.of(new WriteShareGroupStateRequestData.PartitionData()
                                .setPartition(0)
                                .setStateEpoch(1)
                                .setLeaderEpoch(0)
                                .setStartOffset(0)
                                .setStateBatches(List.of())))));
    }

    private static ApiMessage deleteShareGroupState() {
        return new DeleteShareGroupStateRequestData()
                .setGroupId(GROUP)
                .setTopics(List.of(new DeleteShareGroupStateRequestData.DeleteStateData()
                        .setTopicId(topicId)
                        .setPartitions(List.of(new DeleteShareGroupStateRequestData.PartitionData().setPartition(0)))));
    }

    private static ApiMessage readShareGroupStateSummary() {
        return new ReadShareGroupStateSummaryRequestData()
                .setGroupId(GROUP)
                .setTopics(List.of(new ReadShareGroupStateSummaryRequestData.ReadStateSummaryData()
                        .setTopicId(topicId)
                        .setPartitions(List.of(new ReadShareGroupStateSummaryRequestData.PartitionData()
                                .setPartition(0)
                                .setLeaderEpoch(0)))));
    }
}
