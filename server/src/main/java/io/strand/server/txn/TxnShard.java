package io.strand.server.txn;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strand.server.coordinator.InternalShard;
import io.strand.server.replica.Partition;
import io.strand.wal.AppendResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The transactional ids of one {@code __transaction_state} partition this broker leads, at one
 * leader epoch (the coordinator epoch of Kafka's TransactionStateManager cache entry): their
 * {@link TxnMetadata} by id, the loading of the partition's records, and the acks=all append of new
 * ones.
 *
 * <p>Threading: everything that reads or changes the transactional ids runs on this shard's
 * ordered executor ({@link #submit}, {@link #execute}), one task at a time, so nothing here
 * needs a lock; append futures complete on it too, and timers ({@link #schedule}) hop onto it.
 * {@link #status()} is the only state read from other threads.
 */
final class TxnShard extends InternalShard {
    /** The leader epoch of the partition when this shard took it: the coordinator epoch markers carry. */
    final int coordinatorEpoch;

    /** Every transactional id of this partition (concurrent only so that gauges may count them). */
    final Map<String, TxnMetadata> txns = new ConcurrentHashMap<>();

    TxnShard(Partition partition, int coordinatorEpoch, Executor pool, ScheduledExecutorService timer) {
        super(partition, coordinatorEpoch, pool, "txn-coordinator", timer);
        this.coordinatorEpoch = coordinatorEpoch;
    }

    // ============================================================================================ load / unload

    @Override
    protected void logLoadFailure(RuntimeException e) {
        log.error(
                "{}: could not load transaction state from the log (coordinator epoch {}); this broker answers "
                        + "COORDINATOR_LOAD_IN_PROGRESS for its transactional ids until leadership moves",
                tp,
                coordinatorEpoch,
                e);
    }

    @Override
    protected void logLoaded(int records, long endOffset, long millis) {
        log.info(
                "{}: loaded {} transactional ids from {} records up to offset {} in {} ms (coordinator epoch {})",
                tp,
                txns.size(),
                records,
                endOffset,
                millis,
                coordinatorEpoch);
    }

    /** The newest record per transactional id wins, a tombstone removes it. */
    @Override
    protected void replay(Record r, RecordBatch batch) {
        if (!r.hasKey()) {
            return;
        }
        try {
            String id = TxnRecords.parseKey(r.key());
            if (r.hasValue()) {
                txns.put(id, TxnMetadata.of(id, TxnRecords.parseValue(r.value())));
            } else {
                txns.remove(id);
            }
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            log.warn("{}: skipping undecodable record at offset {}: {}", tp, r.offset(), e.getMessage());
        }
    }

    /** Leadership moved away. On the executor. */
    @Override
    protected void unloadState() {
        int n = txns.size();
        txns.clear();
        log.info("{}: unloaded {} transactional ids (coordinator epoch {})", tp, n, coordinatorEpoch);
    }

    // ================================================================================================= append

    /**
     * Appends records to this partition as its leader and completes (on the executor) once every ISR
     * member has them (acks=all; the topic's min.insync.replicas applies), or fails after
     * {@code timeoutMs}.
     */
    CompletableFuture<Void> append(List<SimpleRecord> records, long timeoutMs) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            if (!isActive()) {
                throw new NotCoordinatorException(
                        "this broker no longer leads " + tp + " at epoch " + coordinatorEpoch);
            }
            AppendResult result = partition.appendAsLeader(TxnRecords.batch(records), (short) -1);
            awaitAcknowledged(
                    result,
                    timeoutMs,
                    e -> {
                        if (e != null) {
                            done.completeExceptionally(e);
                        } else {
                            done.complete(null);
                        }
                    },
                    () -> done.completeExceptionally(
                            new NotCoordinatorException("the transaction coordinator of " + tp + " stopped")));
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    /** The coordinator error for a failed write, as Kafka's TransactionStateManager maps it. */
    static Errors appendError(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof TimeoutException) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        Errors error = Errors.forException(cause);
        return switch (error) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT ->
                Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR, NOT_COORDINATOR, FENCED_LEADER_EPOCH ->
                Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE -> Errors.UNKNOWN_SERVER_ERROR;
            default -> error == Errors.UNKNOWN_SERVER_ERROR ? Errors.UNKNOWN_SERVER_ERROR : error;
        };
    }

    /**
     * Writes {@code t} for {@code m} and applies it once the ISR has it (Kafka's appendTransactionToLog):
     * NONE, or the coordinator error. A failed write clears the pending state unless
     * {@code keepPendingWhenUnavailable} and the error is COORDINATOR_NOT_AVAILABLE (the caller retries).
     * Completes on the executor.
     */
    CompletableFuture<Errors> write(TxnMetadata m, TxnTransit t, boolean keepPendingWhenUnavailable) {
        long timeoutMs = Math.max(1, t.timeoutMs());
        SimpleRecord record = TxnRecords.record(t.lastUpdateTimestamp(), m.transactionalId, t);
        return append(List.of(record), timeoutMs).handle((v, e) -> {
            Errors error = e == null ? Errors.NONE : appendError(e);
            if (status() != Status.ACTIVE || txns.get(m.transactionalId) != m) {
                log.info(
                        "Transactional id {}: wrote {} but this shard ({}, coordinator epoch {}) no longer holds it; "
                                + "answering NOT_COORDINATOR",
                        m.transactionalId,
                        t,
                        tp,
                        coordinatorEpoch);
                return Errors.NOT_COORDINATOR;
            }
            if (error == Errors.NONE) {
                m.completeTransitionTo(t);
                return Errors.NONE;
            }
            if (keepPendingWhenUnavailable && error == Errors.COORDINATOR_NOT_AVAILABLE) {
                log.info("Transactional id {}: writing {} failed ({}); will retry", m.transactionalId, t, error);
            } else {
                log.info(
                        "Transactional id {}: writing {} failed ({}); the transition is abandoned",
                        m.transactionalId,
                        t,
                        error);
                m.pendingState = null;
            }
            return error;
        });
    }
}
