package io.strand.server.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Coordinator state survives a leadership change of its {@code __transaction_state} partition: the
 * broker leading it is stopped, the other broker loads the partition, knows the transactional id with
 * its producer id and epoch, and completes a commit the first coordinator had decided (PrepareCommit
 * written) but whose markers it had not written.
 */
@ExtendWith(StrandClusterExtension.class)
class TransactionCoordinatorFailoverTest {
    private static final String TOPIC = "txn-failover";

    private static TransactionDescription describe(Admin admin, String id) throws Exception {
        return admin.describeTransactions(List.of(id)).description(id).get();
    }

    private static TransactionDescription awaitOn(Admin admin, String id, int notBroker, TransactionState state)
            throws Exception {
        return Wait.waitFor(
                id + " described by a coordinator other than broker " + notBroker + " in state " + state,
                Duration.ofSeconds(60),
                () -> describe(admin, id),
                d -> d.coordinatorId() != notBroker && d.state() == state);
    }

    @Test
    void shouldKnowTheTransactionalIdAndItsEpochAfterTheCoordinatorMoves(
            @BrokerCluster(
                            brokers = 2,
                            properties = {
                                "transaction.state.log.num.partitions=2",
                                "transaction.state.log.replication.factor=2",
                                "transaction.state.log.min.isr=1"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        String id = "moving";
        cluster.createTopic(TOPIC, 1, 2);
        TransactionDescription before;
        try (Admin admin = cluster.admin()) {
            try (KafkaProducer<byte[], byte[]> first =
                    TransactionCoordinatorTest.transactional(cluster, id, Map.of())) {
                first.initTransactions();
                before = describe(admin, id);
            }
            cluster.stopBroker(before.coordinatorId());
            TransactionDescription after = awaitOn(admin, id, before.coordinatorId(), TransactionState.EMPTY);
            assertEquals(before.producerId(), after.producerId());
            assertEquals(before.producerEpoch(), after.producerEpoch());
            try (KafkaProducer<byte[], byte[]> second =
                    TransactionCoordinatorTest.transactional(cluster, id, Map.of())) {
                second.initTransactions();
                TransactionDescription bumped = describe(admin, id);
                assertEquals(before.producerId(), bumped.producerId());
                assertEquals(before.producerEpoch() + 1, bumped.producerEpoch());
            }
        }
    }

    @Test
    void shouldCompleteADecidedCommitAfterTheCoordinatorMoves(
            @BrokerCluster(
                            brokers = 2,
                            properties = {
                                "transaction.state.log.num.partitions=2",
                                "transaction.state.log.replication.factor=2",
                                "transaction.state.log.min.isr=1"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        String id = "half-committed";
        cluster.createTopic(TOPIC, 1, 2);
        try (Admin admin = cluster.admin();
                KafkaProducer<byte[], byte[]> producer =
                        TransactionCoordinatorTest.transactional(cluster, id, Map.of())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TOPIC, 0, null, "v".getBytes())).get();
            cluster.faults().txnMarkers().refuseWith(Errors.NOT_LEADER_OR_FOLLOWER);
            producer.commitTransaction(); // answered once PrepareCommit is written; the markers keep failing
            TransactionDescription prepared = describe(admin, id);
            assertEquals(TransactionState.PREPARE_COMMIT, prepared.state());
            assertEquals(Set.of(new TopicPartition(TOPIC, 0)), prepared.topicPartitions());

            cluster.stopBroker(prepared.coordinatorId());
            cluster.faults().txnMarkers().refuseWith(null);
            TransactionDescription completed =
                    awaitOn(admin, id, prepared.coordinatorId(), TransactionState.COMPLETE_COMMIT);
            assertNotEquals(prepared.coordinatorId(), completed.coordinatorId());
            assertEquals(prepared.producerEpoch(), completed.producerEpoch());
            assertEquals(Set.of(), completed.topicPartitions());
        }
    }
}
