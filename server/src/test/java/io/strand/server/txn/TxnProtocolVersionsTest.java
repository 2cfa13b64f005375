package io.strand.server.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.EveryVersion;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Every advertised version of every transaction-coordinator API with raw requests, on one broker
 * (which coordinates every transactional id): the happy path and the error codes a client acts on.
 */
@ExtendWith(StrandClusterExtension.class)
class TxnProtocolVersionsTest {
    private static final String TOPIC = "txn-versions";

    @BrokerCluster(
            properties = {
                "transaction.state.log.num.partitions=2",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=2"
            })
    private static StrandTestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster.createTopic(TOPIC, 2, 1);
        try (RawKafkaConnection c = connect()) {
            Wait.waitUntil(
                    "__transaction_state is created and loaded",
                    Duration.ofSeconds(30),
                    () -> ((FindCoordinatorResponseData) send(
                                            c,
                                            ApiKeys.FIND_COORDINATOR,
                                            (short) 4,
                                            new FindCoordinatorRequestData()
                                                    .setKeyType((byte) 1)
                                                    .setCoordinatorKeys(List.of("a", "b", "c"))))
                                    .coordinators().stream().allMatch(co -> co.errorCode() == 0)
                            && ((ListTransactionsResponseData) send(
                                                    c,
                                                    ApiKeys.LIST_TRANSACTIONS,
                                                    (short) 0,
                                                    new ListTransactionsRequestData()))
                                            .errorCode()
                                    == 0);
        }
    }

    private static RawKafkaConnection connect() throws Exception {
        return new RawKafkaConnection("127.0.0.1", cluster.port(1));
    }

    private static ApiMessage send(RawKafkaConnection c, ApiKeys api, short version, ApiMessage body) throws Exception {
        return c.send(api, version, body).data();
    }

    private static InitProducerIdResponseData init(RawKafkaConnection c, String id) throws Exception {
        return (InitProducerIdResponseData) send(
                c,
                ApiKeys.INIT_PRODUCER_ID,
                (short) 4,
                new InitProducerIdRequestData()
                        .setTransactionalId(id)
                        .setTransactionTimeoutMs(60_000)
                        .setProducerId(-1)
                        .setProducerEpoch((short) -1));
    }

    private static AddPartitionsToTxnTopicCollection topics(String topic, Integer... partitions) {
        AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
        topics.add(new AddPartitionsToTxnTopic().setName(topic).setPartitions(List.of(partitions)));
        return topics;
    }

    private static short addV3(RawKafkaConnection c, String id, InitProducerIdResponseData p, String topic)
            throws Exception {
        AddPartitionsToTxnResponseData r = (AddPartitionsToTxnResponseData) send(
                c,
                ApiKeys.ADD_PARTITIONS_TO_TXN,
                (short) 3,
                new AddPartitionsToTxnRequestData()
                        .setV3AndBelowTransactionalId(id)
                        .setV3AndBelowProducerId(p.producerId())
                        .setV3AndBelowProducerEpoch(p.producerEpoch())
                        .setV3AndBelowTopics(topics(topic, 0)));
        return r.resultsByTopicV3AndBelow()
                .iterator()
                .next()
                .resultsByPartition()
                .iterator()
                .next()
                .partitionErrorCode();
    }

    private static DescribeTransactionsResponseData.TransactionState describe(RawKafkaConnection c, String id)
            throws Exception {
        return ((DescribeTransactionsResponseData) send(
                        c,
                        ApiKeys.DESCRIBE_TRANSACTIONS,
                        (short) 0,
                        new DescribeTransactionsRequestData().setTransactionalIds(List.of(id))))
                .transactionStates()
                .get(0);
    }

    @Test
    void shouldAdvertiseEveryTransactionApiButNotTransactionVersion2() throws Exception {
        try (RawKafkaConnection c = connect()) {
            ApiVersionsResponse r = (ApiVersionsResponse) c.send(
                    ApiKeys.API_VERSIONS, (short) 3, new org.apache.kafka.common.message.ApiVersionsRequestData());
            for (ApiKeys api : List.of(
                    ApiKeys.INIT_PRODUCER_ID,
                    ApiKeys.ADD_PARTITIONS_TO_TXN,
                    ApiKeys.ADD_OFFSETS_TO_TXN,
                    ApiKeys.END_TXN,
                    ApiKeys.DESCRIBE_TRANSACTIONS,
                    ApiKeys.LIST_TRANSACTIONS)) {
                var v = r.data().apiKeys().find(api.id);
                assertEquals(api.oldestVersion(), v.minVersion(), api.name);
                assertEquals(api.latestVersion(), v.maxVersion(), api.name);
            }
            assertEquals(null, r.data().finalizedFeatures().find("transaction.version"));
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.FIND_COORDINATOR)
    void shouldFindTheTransactionCoordinator(short version) throws Exception {
        if (version < 1) {
            return; // v0 has no key type: groups only
        }
        try (RawKafkaConnection c = connect()) {
            FindCoordinatorRequestData req = new FindCoordinatorRequestData().setKeyType((byte) 1);
            if (version >= 4) {
                req.setCoordinatorKeys(List.of("find-v" + version, ""));
            } else {
                req.setKey("find-v" + version);
            }
            FindCoordinatorResponseData r =
                    (FindCoordinatorResponseData) send(c, ApiKeys.FIND_COORDINATOR, version, req);
            if (version >= 4) {
                assertEquals(Errors.NONE.code(), r.coordinators().get(0).errorCode());
                assertEquals(1, r.coordinators().get(0).nodeId());
                assertEquals(cluster.port(1), r.coordinators().get(0).port());
                assertEquals(
                        Errors.INVALID_REQUEST.code(), r.coordinators().get(1).errorCode());
            } else {
                assertEquals(Errors.NONE.code(), r.errorCode());
                assertEquals(1, r.nodeId());
                assertEquals(cluster.port(1), r.port());
            }
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.INIT_PRODUCER_ID)
    void shouldInitialiseAndBumpTheEpoch(short version) throws Exception {
        String id = "init-v" + version;
        try (RawKafkaConnection c = connect()) {
            InitProducerIdRequestData req =
                    new InitProducerIdRequestData().setTransactionalId(id).setTransactionTimeoutMs(60_000);
            InitProducerIdResponseData first =
                    (InitProducerIdResponseData) send(c, ApiKeys.INIT_PRODUCER_ID, version, req);
            assertEquals(Errors.NONE.code(), first.errorCode());
            assertEquals(0, first.producerEpoch());
            InitProducerIdResponseData second =
                    (InitProducerIdResponseData) send(c, ApiKeys.INIT_PRODUCER_ID, version, req);
            assertEquals(Errors.NONE.code(), second.errorCode());
            assertEquals(first.producerId(), second.producerId());
            assertEquals(1, second.producerEpoch());

            InitProducerIdResponseData tooLong = (InitProducerIdResponseData)
                    send(c, ApiKeys.INIT_PRODUCER_ID, version, req.duplicate().setTransactionTimeoutMs(900_001));
            assertEquals(Errors.INVALID_TRANSACTION_TIMEOUT.code(), tooLong.errorCode());
            if (version >= 3) {
                // KIP-360: the current producer may bump with its id and epoch; another producer id is fenced
                InitProducerIdResponseData resumed = (InitProducerIdResponseData) send(
                        c,
                        ApiKeys.INIT_PRODUCER_ID,
                        version,
                        req.duplicate().setProducerId(second.producerId()).setProducerEpoch(second.producerEpoch()));
                assertEquals(Errors.NONE.code(), resumed.errorCode());
                assertEquals(2, resumed.producerEpoch());
                InitProducerIdResponseData stranger = (InitProducerIdResponseData) send(
                        c,
                        ApiKeys.INIT_PRODUCER_ID,
                        version,
                        req.duplicate().setProducerId(second.producerId() + 777).setProducerEpoch((short) 0));
                assertEquals(
                        (version >= 4 ? Errors.PRODUCER_FENCED : Errors.INVALID_PRODUCER_EPOCH).code(),
                        stranger.errorCode());
            }
            if (version >= 6) {
                InitProducerIdResponseData twoPhase = (InitProducerIdResponseData) send(
                        c, ApiKeys.INIT_PRODUCER_ID, version, req.duplicate().setEnable2Pc(true));
                assertEquals(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code(), twoPhase.errorCode());
            }
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.ADD_PARTITIONS_TO_TXN)
    void shouldAddAndVerifyPartitions(short version) throws Exception {
        String id = "add-v" + version;
        try (RawKafkaConnection c = connect()) {
            InitProducerIdResponseData p = init(c, id);
            if (version < 4) {
                AddPartitionsToTxnRequestData req = new AddPartitionsToTxnRequestData()
                        .setV3AndBelowTransactionalId(id)
                        .setV3AndBelowProducerId(p.producerId())
                        .setV3AndBelowProducerEpoch(p.producerEpoch())
                        .setV3AndBelowTopics(topics(TOPIC, 0, 1));
                AddPartitionsToTxnResponseData r =
                        (AddPartitionsToTxnResponseData) send(c, ApiKeys.ADD_PARTITIONS_TO_TXN, version, req);
                r.resultsByTopicV3AndBelow()
                        .find(TOPIC)
                        .resultsByPartition()
                        .forEach(x -> assertEquals(Errors.NONE.code(), x.partitionErrorCode()));
                assertEquals("Ongoing", describe(c, id).transactionState());

                AddPartitionsToTxnRequestData unknown = req.duplicate().setV3AndBelowTopics(topics("no-such-topic", 0));
                AddPartitionsToTxnResponseData u =
                        (AddPartitionsToTxnResponseData) send(c, ApiKeys.ADD_PARTITIONS_TO_TXN, version, unknown);
                assertEquals(
                        Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                        u.resultsByTopicV3AndBelow()
                                .find("no-such-topic")
                                .resultsByPartition()
                                .iterator()
                                .next()
                                .partitionErrorCode());

                AddPartitionsToTxnRequestData stale =
                        req.duplicate().setV3AndBelowProducerEpoch((short) (p.producerEpoch() + 5));
                AddPartitionsToTxnResponseData s =
                        (AddPartitionsToTxnResponseData) send(c, ApiKeys.ADD_PARTITIONS_TO_TXN, version, stale);
                assertEquals(
                        (version >= 2 ? Errors.PRODUCER_FENCED : Errors.INVALID_PRODUCER_EPOCH).code(),
                        s.resultsByTopicV3AndBelow()
                                .find(TOPIC)
                                .resultsByPartition()
                                .iterator()
                                .next()
                                .partitionErrorCode());
                return;
            }
            AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection txns =
                    new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection();
            txns.add(new AddPartitionsToTxnTransaction()
                    .setTransactionalId(id)
                    .setProducerId(p.producerId())
                    .setProducerEpoch(p.producerEpoch())
                    .setVerifyOnly(false)
                    .setTopics(topics(TOPIC, 0)));
            AddPartitionsToTxnResponseData added = (AddPartitionsToTxnResponseData) send(
                    c,
                    ApiKeys.ADD_PARTITIONS_TO_TXN,
                    version,
                    new AddPartitionsToTxnRequestData().setTransactions(txns));
            assertEquals(
                    Errors.NONE.code(),
                    added.resultsByTransaction()
                            .find(id)
                            .topicResults()
                            .find(TOPIC)
                            .resultsByPartition()
                            .find(0)
                            .partitionErrorCode());

            AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection verify =
                    new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection();
            verify.add(new AddPartitionsToTxnTransaction()
                    .setTransactionalId(id)
                    .setProducerId(p.producerId())
                    .setProducerEpoch(p.producerEpoch())
                    .setVerifyOnly(true)
                    .setTopics(topics(TOPIC, 0, 1)));
            AddPartitionsToTxnResponseData verified = (AddPartitionsToTxnResponseData) send(
                    c,
                    ApiKeys.ADD_PARTITIONS_TO_TXN,
                    version,
                    new AddPartitionsToTxnRequestData().setTransactions(verify));
            var results = verified.resultsByTransaction()
                    .find(id)
                    .topicResults()
                    .find(TOPIC)
                    .resultsByPartition();
            assertEquals(Errors.NONE.code(), results.find(0).partitionErrorCode());
            assertEquals(
                    (version >= 5 ? Errors.TRANSACTION_ABORTABLE : Errors.INVALID_TXN_STATE).code(),
                    results.find(1).partitionErrorCode());
            assertEquals(List.of(0), describe(c, id).topics().find(TOPIC).partitions(), "verifying adds nothing");
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.ADD_OFFSETS_TO_TXN)
    void shouldAddTheGroupsOffsetsPartition(short version) throws Exception {
        String id = "offsets-v" + version;
        try (RawKafkaConnection c = connect()) {
            InitProducerIdResponseData p = init(c, id);
            AddOffsetsToTxnRequestData req = new AddOffsetsToTxnRequestData()
                    .setTransactionalId(id)
                    .setProducerId(p.producerId())
                    .setProducerEpoch(p.producerEpoch())
                    .setGroupId("group-" + version);
            AddOffsetsToTxnResponseData r =
                    (AddOffsetsToTxnResponseData) send(c, ApiKeys.ADD_OFFSETS_TO_TXN, version, req);
            assertEquals(Errors.NONE.code(), r.errorCode());
            int expected = Math.abs(("group-" + version).hashCode()) % 2;
            assertEquals(
                    List.of(expected),
                    describe(c, id).topics().find("__consumer_offsets").partitions());
            AddOffsetsToTxnResponseData stale = (AddOffsetsToTxnResponseData)
                    send(c, ApiKeys.ADD_OFFSETS_TO_TXN, version, req.duplicate().setProducerEpoch((short) 9));
            assertEquals(
                    (version >= 2 ? Errors.PRODUCER_FENCED : Errors.INVALID_PRODUCER_EPOCH).code(), stale.errorCode());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.END_TXN)
    void shouldCommitAndAnswerRetries(short version) throws Exception {
        String id = "end-v" + version;
        try (RawKafkaConnection c = connect()) {
            InitProducerIdResponseData p = init(c, id);
            assertEquals(Errors.NONE.code(), addV3(c, id, p, TOPIC));
            EndTxnRequestData commit = new EndTxnRequestData()
                    .setTransactionalId(id)
                    .setProducerId(p.producerId())
                    .setProducerEpoch(p.producerEpoch())
                    .setCommitted(true);
            EndTxnResponseData r = (EndTxnResponseData) send(c, ApiKeys.END_TXN, version, commit);
            assertEquals(Errors.NONE.code(), r.errorCode());
            if (version >= 5) {
                assertEquals(p.producerId(), r.producerId());
                assertEquals(p.producerEpoch(), r.producerEpoch());
            }
            Wait.waitUntil(
                    id + " completes its commit",
                    Duration.ofSeconds(10),
                    () -> describe(c, id).transactionState().equals("CompleteCommit"));
            assertEquals(
                    Errors.NONE.code(),
                    ((EndTxnResponseData) send(c, ApiKeys.END_TXN, version, commit)).errorCode(),
                    "a retried commit");
            assertEquals(
                    Errors.INVALID_TXN_STATE.code(),
                    ((EndTxnResponseData) send(
                                    c,
                                    ApiKeys.END_TXN,
                                    version,
                                    commit.duplicate().setCommitted(false)))
                            .errorCode(),
                    "an abort after the commit");
            assertEquals(
                    (version >= 2 ? Errors.PRODUCER_FENCED : Errors.INVALID_PRODUCER_EPOCH).code(),
                    ((EndTxnResponseData) send(
                                    c,
                                    ApiKeys.END_TXN,
                                    version,
                                    commit.duplicate().setProducerEpoch((short) 7)))
                            .errorCode());
            assertEquals(
                    Errors.INVALID_PRODUCER_ID_MAPPING.code(),
                    ((EndTxnResponseData) send(
                                    c,
                                    ApiKeys.END_TXN,
                                    version,
                                    commit.duplicate().setTransactionalId("never-seen")))
                            .errorCode());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DESCRIBE_TRANSACTIONS)
    void shouldDescribeTransactions(short version) throws Exception {
        try (RawKafkaConnection c = connect()) {
            InitProducerIdResponseData p = init(c, "describe-v" + version);
            DescribeTransactionsResponseData r = (DescribeTransactionsResponseData) send(
                    c,
                    ApiKeys.DESCRIBE_TRANSACTIONS,
                    version,
                    new DescribeTransactionsRequestData()
                            .setTransactionalIds(List.of("describe-v" + version, "unknown-id")));
            var known = r.transactionStates().get(0);
            assertEquals(Errors.NONE.code(), known.errorCode());
            assertEquals("Empty", known.transactionState());
            assertEquals(p.producerId(), known.producerId());
            assertEquals(60_000, known.transactionTimeoutMs());
            assertEquals(
                    Errors.TRANSACTIONAL_ID_NOT_FOUND.code(),
                    r.transactionStates().get(1).errorCode());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.LIST_TRANSACTIONS)
    void shouldListTransactionsWithFilters(short version) throws Exception {
        String id = "list-v" + version;
        try (RawKafkaConnection c = connect()) {
            InitProducerIdResponseData p = init(c, id);
            assertEquals(Errors.NONE.code(), addV3(c, id, p, TOPIC));
            ListTransactionsRequestData req = new ListTransactionsRequestData()
                    .setStateFilters(List.of("Ongoing", "Bogus"))
                    .setProducerIdFilters(List.of(p.producerId()));
            ListTransactionsResponseData r =
                    (ListTransactionsResponseData) send(c, ApiKeys.LIST_TRANSACTIONS, version, req);
            assertEquals(Errors.NONE.code(), r.errorCode());
            assertEquals(List.of("Bogus"), r.unknownStateFilters());
            assertEquals(
                    List.of(id),
                    r.transactionStates().stream().map(t -> t.transactionalId()).toList());
            assertEquals("Ongoing", r.transactionStates().get(0).transactionState());
            if (version >= 1) {
                ListTransactionsResponseData longer = (ListTransactionsResponseData) send(
                        c, ApiKeys.LIST_TRANSACTIONS, version, req.duplicate().setDurationFilter(3_600_000));
                assertTrue(longer.transactionStates().isEmpty(), "not running for an hour yet");
            }
            if (version >= 2) {
                ListTransactionsResponseData matching = (ListTransactionsResponseData) send(
                        c,
                        ApiKeys.LIST_TRANSACTIONS,
                        version,
                        new ListTransactionsRequestData().setTransactionalIdPattern("list-v[0-9]+"));
                assertTrue(matching.transactionStates().stream()
                        .allMatch(t -> t.transactionalId().startsWith("list-v")));
                assertTrue(matching.transactionStates().stream()
                        .anyMatch(t -> t.transactionalId().equals(id)));
                ListTransactionsResponseData bad = (ListTransactionsResponseData) send(
                        c,
                        ApiKeys.LIST_TRANSACTIONS,
                        version,
                        new ListTransactionsRequestData().setTransactionalIdPattern("("));
                assertEquals(Errors.INVALID_REGULAR_EXPRESSION.code(), bad.errorCode());
            }
        }
    }
}
