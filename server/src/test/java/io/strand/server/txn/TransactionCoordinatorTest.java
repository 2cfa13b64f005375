package io.strand.server.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The transaction coordinator with Kafka's Java producer and Admin on two in-process brokers:
 * InitProducerId bumps the epoch and fences the previous instance, AddPartitionsToTxn and EndTxn move
 * a transaction through Ongoing, PrepareCommit/PrepareAbort and CompleteCommit/CompleteAbort as
 * describeTransactions and listTransactions show, a transaction open longer than its timeout is
 * aborted and its producer fenced. The partition leaders' markers are answered by the toolkit's
 * {@code TxnMarkerStandIn} while the broker has no WriteTxnMarkers of its own.
 */
@ExtendWith(StrandClusterExtension.class)
class TransactionCoordinatorTest {
    static final String TOPIC = "txn-data";

    @BrokerCluster(
            brokers = 2,
            properties = {
                "transaction.state.log.num.partitions=4",
                "transaction.state.log.replication.factor=2",
                "transaction.state.log.min.isr=1",
                "transaction.abort.timed.out.transaction.cleanup.interval.ms=200",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4"
            })
    private static StrandTestCluster cluster;

    @BeforeAll
    static void createTopic() throws Exception {
        cluster.createTopic(TOPIC, 2, 2);
    }

    static KafkaProducer<byte[], byte[]> transactional(StrandTestCluster cluster, String id, Map<String, Object> more) {
        Map<String, Object> settings = new java.util.HashMap<>(
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id, ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000"));
        settings.putAll(more);
        return cluster.producer(settings);
    }

    static TransactionDescription describe(Admin admin, String id) throws Exception {
        return admin.describeTransactions(List.of(id)).description(id).get();
    }

    static TransactionDescription awaitState(Admin admin, String id, TransactionState state) throws Exception {
        return Wait.waitFor(
                id + " in state " + state, Duration.ofSeconds(30), () -> describe(admin, id), d -> d.state() == state);
    }

    @Test
    void shouldFenceTheFirstInstanceWhenASecondInitialises() throws Exception {
        String id = "fencing";
        try (Admin admin = cluster.admin();
                KafkaProducer<byte[], byte[]> first = transactional(cluster, id, Map.of())) {
            first.initTransactions();
            TransactionDescription initial = describe(admin, id);
            assertEquals(TransactionState.EMPTY, initial.state());
            first.beginTransaction();
            first.send(new ProducerRecord<>(TOPIC, 0, null, "a".getBytes())).get();
            assertEquals(TransactionState.ONGOING, describe(admin, id).state());

            try (KafkaProducer<byte[], byte[]> second = transactional(cluster, id, Map.of())) {
                second.initTransactions(); // aborts the first's transaction (epoch + 1), then bumps again
                TransactionDescription now = describe(admin, id);
                assertEquals(TransactionState.EMPTY, now.state());
                assertEquals(initial.producerId(), now.producerId());
                assertEquals(initial.producerEpoch() + 2, now.producerEpoch());

                assertThrows(ProducerFencedException.class, first::commitTransaction);

                second.beginTransaction();
                second.send(new ProducerRecord<>(TOPIC, 1, null, "b".getBytes()))
                        .get();
                second.commitTransaction();
                awaitState(admin, id, TransactionState.COMPLETE_COMMIT);
            }
        }
    }

    @Test
    void shouldShowEveryStateThroughDescribeAndListTransactions() throws Exception {
        String id = "states";
        try (Admin admin = cluster.admin();
                KafkaProducer<byte[], byte[]> producer = transactional(cluster, id, Map.of())) {
            producer.initTransactions();
            long producerId = describe(admin, id).producerId();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TOPIC, 0, null, "x".getBytes())).get();
            producer.send(new ProducerRecord<>(TOPIC, 1, null, "y".getBytes())).get();
            TransactionDescription ongoing = describe(admin, id);
            assertEquals(TransactionState.ONGOING, ongoing.state());
            assertEquals(Set.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1)), ongoing.topicPartitions());
            assertTrue(ongoing.transactionStartTimeMs().isPresent());
            assertEquals(60_000, ongoing.transactionTimeoutMs());
            assertTrue(listed(admin, new ListTransactionsOptions().filterStates(List.of(TransactionState.ONGOING)))
                    .contains(id));
            assertFalse(listed(admin, new ListTransactionsOptions().filterStates(List.of(TransactionState.EMPTY)))
                    .contains(id));

            producer.commitTransaction();
            TransactionDescription committed = awaitState(admin, id, TransactionState.COMPLETE_COMMIT);
            assertEquals(Set.of(), committed.topicPartitions());
            assertTrue(listed(admin, new ListTransactionsOptions().filterProducerIds(Set.of(producerId)))
                    .contains(id));
            assertFalse(listed(admin, new ListTransactionsOptions().filterProducerIds(Set.of(producerId + 1000)))
                    .contains(id));

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TOPIC, 1, null, "z".getBytes())).get();
            producer.abortTransaction();
            awaitState(admin, id, TransactionState.COMPLETE_ABORT);
            assertTrue(
                    listed(admin, new ListTransactionsOptions().filterStates(List.of(TransactionState.COMPLETE_ABORT)))
                            .contains(id));
            // a duration filter longer than the transaction lasted excludes it
            assertFalse(listed(admin, new ListTransactionsOptions().filterOnDuration(3_600_000))
                    .contains(id));
        }
        assertTrue(
                cluster.faults().txnMarkers().received().stream().anyMatch(m -> m.transactionResult()),
                "a commit marker was sent to a partition leader");
    }

    @Test
    void shouldAbortATimedOutTransactionAndFenceItsProducer() throws Exception {
        String id = "timeout";
        try (Admin admin = cluster.admin();
                KafkaProducer<byte[], byte[]> producer =
                        transactional(cluster, id, Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "1000"))) {
            producer.initTransactions();
            int epoch = describe(admin, id).producerEpoch();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TOPIC, 0, null, "late".getBytes()))
                    .get();
            TransactionDescription aborted = awaitState(admin, id, TransactionState.COMPLETE_ABORT);
            assertEquals(epoch + 1, aborted.producerEpoch(), "the abort bumped the epoch");
            assertThrows(ProducerFencedException.class, producer::commitTransaction);
        }
    }

    static Collection<String> listed(Admin admin, ListTransactionsOptions options) throws Exception {
        return admin.listTransactions(options).all().get().stream()
                .map(TransactionListing::transactionalId)
                .toList();
    }
}
