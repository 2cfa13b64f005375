package io.strand.server.txn;

import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * One transactional id's state as its coordinator holds it (Kafka's {@code TransactionMetadata},
 * transaction version 1). A change is two steps: a {@code prepare*} method checks the transition,
 * sets {@link #pendingState} (which blocks other changes) and returns the {@link TxnTransit} to write;
 * once {@code __transaction_state} has it, {@link #completeTransitionTo} applies it, or on a failed
 * write the pending state is cleared.
 *
 * <p>Not thread-safe: used only on its shard's executor.
 */
final class TxnMetadata {
    static final Comparator<TopicPartition> ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    final String transactionalId;
    long producerId;
    long previousProducerId;
    short producerEpoch;
    short lastProducerEpoch;
    int timeoutMs;
    TxnState state;
    final Set<TopicPartition> partitions = new TreeSet<>(ORDER);
    long txnStartTimestamp;
    long lastUpdateTimestamp;
    /** The state a written-but-not-yet-acknowledged change leads to; null when none is under way. */
    TxnState pendingState;
    /** A fence's bumped epoch may not have been written: do not bump it again (Kafka's hasFailedEpochFence). */
    boolean hasFailedEpochFence;

    TxnMetadata(
            String transactionalId,
            long producerId,
            long previousProducerId,
            short producerEpoch,
            short lastProducerEpoch,
            int timeoutMs,
            TxnState state,
            Set<TopicPartition> partitions,
            long txnStartTimestamp,
            long lastUpdateTimestamp) {
        this.transactionalId = transactionalId;
        this.producerId = producerId;
        this.previousProducerId = previousProducerId;
        this.producerEpoch = producerEpoch;
        this.lastProducerEpoch = lastProducerEpoch;
        this.timeoutMs = timeoutMs;
        this.state = state;
        this.partitions.addAll(partitions);
        this.txnStartTimestamp = txnStartTimestamp;
        this.lastUpdateTimestamp = lastUpdateTimestamp;
    }

    /** A transactional id seen for the first time: Empty, with no epoch yet. */
    static TxnMetadata fresh(String transactionalId, long producerId, int timeoutMs, long now) {
        return new TxnMetadata(
                transactionalId,
                producerId,
                RecordBatch.NO_PRODUCER_ID,
                RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_PRODUCER_EPOCH,
                timeoutMs,
                TxnState.EMPTY,
                Set.of(),
                -1,
                now);
    }

    static TxnMetadata of(String transactionalId, TxnTransit t) {
        return new TxnMetadata(
                transactionalId,
                t.producerId(),
                t.previousProducerId(),
                t.producerEpoch(),
                t.lastProducerEpoch(),
                t.timeoutMs(),
                t.state(),
                t.partitions(),
                t.txnStartTimestamp(),
                t.lastUpdateTimestamp());
    }

    /** Epochs up to Short.MAX_VALUE - 1 are handed out; the last one is kept for fencing. */
    static boolean isEpochExhausted(short epoch) {
        return epoch >= Short.MAX_VALUE - 1;
    }

    boolean isProducerEpochExhausted() {
        return isEpochExhausted(producerEpoch);
    }

    boolean pendingTransitionInProgress() {
        return pendingState != null;
    }

    /** The result of a prepare step that may refuse: an error, or the transition. */
    record Decision(Errors error, TxnTransit transit) {
        static Decision refuse(Errors e) {
            return new Decision(e, null);
        }

        static Decision transit(TxnTransit t) {
            return new Decision(Errors.NONE, t);
        }
    }

    // ======================================================================================= prepare steps

    /** An ongoing transaction is aborted and its producer fenced: epoch + 1 (unless a fence already failed). */
    TxnTransit prepareFenceProducerEpoch() {
        if (producerEpoch == Short.MAX_VALUE) {
            throw new IllegalStateException("cannot fence producer " + producerId + " at epoch " + producerEpoch);
        }
        short bumped = hasFailedEpochFence ? producerEpoch : (short) (producerEpoch + 1);
        return prepareTransitionTo(
                TxnState.PREPARE_EPOCH_FENCE,
                producerId,
                bumped,
                RecordBatch.NO_PRODUCER_EPOCH,
                timeoutMs,
                partitions,
                txnStartTimestamp,
                lastUpdateTimestamp);
    }

    /**
     * InitProducerId on an existing id: the next epoch. With the epoch the producer last had
     * ({@code expectedEpoch}, KIP-360): equal to the current one bumps it and remembers it as the last
     * epoch; equal to the last epoch is a retry of a bump the producer did not hear of (no second bump);
     * anything else is PRODUCER_FENCED.
     */
    Decision prepareIncrementProducerEpoch(int newTimeoutMs, Optional<Short> expectedEpoch, long now) {
        if (isProducerEpochExhausted()) {
            throw new IllegalStateException("cannot allocate more epochs for producer id " + producerId);
        }
        short bumped = (short) (producerEpoch + 1);
        short nextEpoch;
        short lastEpoch;
        if (expectedEpoch.isEmpty()) {
            nextEpoch = bumped;
            lastEpoch = RecordBatch.NO_PRODUCER_EPOCH;
        } else if (producerEpoch == RecordBatch.NO_PRODUCER_EPOCH || expectedEpoch.get() == producerEpoch) {
            nextEpoch = bumped;
            lastEpoch = producerEpoch;
        } else if (expectedEpoch.get() == lastProducerEpoch) {
            nextEpoch = producerEpoch;
            lastEpoch = lastProducerEpoch;
        } else {
            return Decision.refuse(Errors.PRODUCER_FENCED);
        }
        return Decision.transit(
                prepareTransitionTo(TxnState.EMPTY, producerId, nextEpoch, lastEpoch, newTimeoutMs, Set.of(), -1, now));
    }

    /** The epoch is exhausted: a new producer id at epoch 0; the old id is kept as the previous one. */
    TxnTransit prepareProducerIdRotation(long newProducerId, int newTimeoutMs, long now, boolean recordLastEpoch) {
        if (state == TxnState.ONGOING || state.isPrepare()) {
            throw new IllegalStateException("cannot rotate producer ids while a transaction is in progress");
        }
        return prepareTransitionTo(
                TxnState.EMPTY,
                newProducerId,
                (short) 0,
                recordLastEpoch ? producerEpoch : RecordBatch.NO_PRODUCER_EPOCH,
                newTimeoutMs,
                Set.of(),
                -1,
                now);
    }

    TxnTransit prepareAddPartitions(Set<TopicPartition> added, long now) {
        long start = switch (state) {
            case EMPTY, COMPLETE_ABORT, COMPLETE_COMMIT -> now;
            default -> txnStartTimestamp;
        };
        Set<TopicPartition> all = new TreeSet<>(ORDER);
        all.addAll(partitions);
        all.addAll(added);
        return prepareTransitionTo(
                TxnState.ONGOING, producerId, producerEpoch, lastProducerEpoch, timeoutMs, all, start, now);
    }

    TxnTransit prepareAbortOrCommit(TxnState newState, long now) {
        return prepareTransitionTo(
                newState, producerId, producerEpoch, lastProducerEpoch, timeoutMs, partitions, txnStartTimestamp, now);
    }

    /** Every partition has its marker: CompleteCommit or CompleteAbort, with no partitions. */
    TxnTransit prepareComplete(long now) {
        TxnState next = state == TxnState.PREPARE_COMMIT ? TxnState.COMPLETE_COMMIT : TxnState.COMPLETE_ABORT;
        hasFailedEpochFence = false;
        return prepareTransitionTo(
                next, producerId, producerEpoch, producerEpoch, timeoutMs, Set.of(), txnStartTimestamp, now);
    }

    TxnTransit prepareDead() {
        return prepareTransitionTo(
                TxnState.DEAD,
                producerId,
                producerEpoch,
                lastProducerEpoch,
                timeoutMs,
                Set.of(),
                txnStartTimestamp,
                lastUpdateTimestamp);
    }

    /**
     * The fence becomes the abort: the pending PrepareEpochFence is replaced by PrepareAbort at the
     * bumped epoch (Kafka applies the bumped epoch to the metadata at this point).
     */
    TxnTransit prepareFencedAbort(short fencedEpoch, long now) {
        pendingState = null;
        producerEpoch = fencedEpoch;
        lastProducerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
        return prepareAbortOrCommit(TxnState.PREPARE_ABORT, now);
    }

    private TxnTransit prepareTransitionTo(
            TxnState next,
            long nextProducerId,
            short nextEpoch,
            short nextLastEpoch,
            int nextTimeoutMs,
            Set<TopicPartition> nextPartitions,
            long nextStart,
            long now) {
        if (pendingState != null) {
            throw new IllegalStateException(
                    transactionalId + ": preparing " + next + " while " + pendingState + " is pending");
        }
        if (nextProducerId < 0) {
            throw new IllegalArgumentException("illegal producer id " + nextProducerId);
        }
        if (next != TxnState.DEAD && nextEpoch < 0) {
            throw new IllegalArgumentException("illegal producer epoch " + nextEpoch);
        }
        if (!next.validPrevious().contains(state)) {
            throw new IllegalStateException(transactionalId + ": " + state + " -> " + next + " is not a transition");
        }
        pendingState = next;
        return new TxnTransit(
                nextProducerId,
                producerId,
                nextEpoch,
                nextLastEpoch,
                nextTimeoutMs,
                next,
                nextPartitions,
                nextStart,
                now);
    }

    // ================================================================================ complete / replay

    /** Applies a written transition (its write reached the ISR). */
    void completeTransitionTo(TxnTransit t) {
        if (pendingState != t.state()) {
            throw new IllegalStateException(
                    transactionalId + ": completing " + t + " while the pending state is " + pendingState);
        }
        switch (t.state()) {
            case EMPTY -> {
                timeoutMs = t.timeoutMs();
                producerEpoch = t.producerEpoch();
                lastProducerEpoch = t.lastProducerEpoch();
                producerId = t.producerId();
                previousProducerId = t.previousProducerId();
                txnStartTimestamp = -1;
                partitions.clear();
            }
            case ONGOING -> {
                txnStartTimestamp = t.txnStartTimestamp();
                partitions.addAll(t.partitions());
            }
            case PREPARE_COMMIT, PREPARE_ABORT -> {
                // partitions, epoch and start time are already what was written
            }
            case COMPLETE_COMMIT, COMPLETE_ABORT -> {
                txnStartTimestamp = t.txnStartTimestamp();
                partitions.clear();
                lastProducerEpoch = t.lastProducerEpoch();
            }
            case DEAD, PREPARE_EPOCH_FENCE ->
                throw new IllegalStateException(transactionalId + ": " + t.state() + " is never completed");
        }
        lastUpdateTimestamp = t.lastUpdateTimestamp();
        pendingState = null;
        state = t.state();
    }

    /** Its current state as a transition (what describes it, or what a reload would write). */
    TxnTransit snapshot() {
        return new TxnTransit(
                producerId,
                previousProducerId,
                producerEpoch,
                lastProducerEpoch,
                timeoutMs,
                state,
                partitions,
                txnStartTimestamp,
                lastUpdateTimestamp);
    }

    @Override
    public String toString() {
        return "transactional id " + transactionalId + " {producerId=" + producerId + ", epoch=" + producerEpoch
                + ", state=" + state.kafkaName() + (pendingState == null ? "" : ", pending=" + pendingState.kafkaName())
                + ", partitions=" + partitions + "}";
    }
}
