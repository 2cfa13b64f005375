package io.strand.server.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/** Kafka's transaction state transitions (transaction version 1) and their record encoding. */
class TxnMetadataTest {
    private static final TopicPartition A = new TopicPartition("a", 0);
    private static final TopicPartition B = new TopicPartition("b", 3);

    private static TxnMetadata initialised() {
        TxnMetadata m = TxnMetadata.fresh("t", 42, 60_000, 1);
        m.completeTransitionTo(
                m.prepareIncrementProducerEpoch(60_000, Optional.empty(), 2).transit());
        return m;
    }

    @Test
    void shouldWalkThroughACommit() {
        TxnMetadata m = initialised();
        assertEquals(TxnState.EMPTY, m.state);
        assertEquals(0, m.producerEpoch);
        m.completeTransitionTo(m.prepareAddPartitions(Set.of(A), 10));
        m.completeTransitionTo(m.prepareAddPartitions(Set.of(B), 11));
        assertEquals(TxnState.ONGOING, m.state);
        assertEquals(Set.of(A, B), m.partitions);
        assertEquals(10, m.txnStartTimestamp, "the first partition starts the transaction");
        m.completeTransitionTo(m.prepareAbortOrCommit(TxnState.PREPARE_COMMIT, 12));
        TxnTransit complete = m.prepareComplete(13);
        assertEquals(TxnState.COMPLETE_COMMIT, m.pendingState);
        assertThrows(IllegalStateException.class, () -> m.prepareAddPartitions(Set.of(A), 14), "a change is pending");
        m.partitions.clear(); // every marker written
        m.completeTransitionTo(complete);
        assertEquals(TxnState.COMPLETE_COMMIT, m.state);
        assertNull(m.pendingState);
        assertEquals(0, m.producerEpoch, "the classic protocol keeps the epoch across transactions");
    }

    @Test
    void shouldRefuseTransitionsKafkaDoesNotHave() {
        TxnMetadata m = initialised();
        assertThrows(IllegalStateException.class, () -> m.prepareAbortOrCommit(TxnState.PREPARE_COMMIT, 5));
        assertThrows(IllegalStateException.class, () -> m.prepareComplete(5));
    }

    @Test
    void shouldFenceWithTheNextEpochAndWriteItAsPrepareAbort() {
        TxnMetadata m = initialised();
        m.completeTransitionTo(m.prepareAddPartitions(Set.of(A), 10));
        TxnTransit fence = m.prepareFenceProducerEpoch();
        assertEquals(TxnState.PREPARE_EPOCH_FENCE, m.pendingState);
        assertEquals(1, fence.producerEpoch());
        TxnTransit abort = m.prepareFencedAbort(fence.producerEpoch(), 20);
        assertEquals(TxnState.PREPARE_ABORT, abort.state());
        assertEquals(1, abort.producerEpoch());
        assertEquals(Set.of(A), abort.partitions());
        // the write failed: the next fence does not bump again
        m.pendingState = null;
        m.hasFailedEpochFence = true;
        assertEquals(1, m.prepareFenceProducerEpoch().producerEpoch());
    }

    @Test
    void shouldAnswerKip360RetriesAndFenceOthers() {
        TxnMetadata m = initialised(); // epoch 0
        TxnTransit bumped = m.prepareIncrementProducerEpoch(60_000, Optional.of((short) 0), 3)
                .transit();
        m.completeTransitionTo(bumped);
        assertEquals(1, m.producerEpoch);
        assertEquals(0, m.lastProducerEpoch);
        TxnMetadata.Decision retry = m.prepareIncrementProducerEpoch(60_000, Optional.of((short) 0), 4);
        assertEquals(1, retry.transit().producerEpoch(), "a retry of the bump the producer did not hear of");
        m.pendingState = null;
        assertEquals(
                Errors.PRODUCER_FENCED,
                m.prepareIncrementProducerEpoch(60_000, Optional.of((short) 7), 5)
                        .error());
    }

    @Test
    void shouldRotateTheProducerIdWhenTheEpochIsExhausted() {
        TxnMetadata m = initialised();
        m.producerEpoch = Short.MAX_VALUE - 1;
        assertThrows(IllegalStateException.class, () -> m.prepareIncrementProducerEpoch(60_000, Optional.empty(), 1));
        TxnTransit rotated = m.prepareProducerIdRotation(43, 60_000, 2, false);
        m.completeTransitionTo(rotated);
        assertEquals(43, m.producerId);
        assertEquals(42, m.previousProducerId);
        assertEquals(0, m.producerEpoch);
    }

    @Test
    void shouldEncodeAndDecodeTheStateRecord() throws Exception {
        TxnMetadata m = initialised();
        TxnTransit ongoing = m.prepareAddPartitions(Set.of(A, B), 10);
        SimpleRecord r = TxnRecords.record(10, "t", ongoing);
        assertEquals("t", TxnRecords.parseKey(ByteBuffer.wrap(r.key().array())));
        assertEquals(ongoing, TxnRecords.parseValue(r.value()));
        assertNull(TxnRecords.tombstone(11, "t").value());
    }
}
