package io.strand.server.txn;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strand.server.concurrent.OrderedExecutor;
import io.strand.server.replica.Partition;
import io.strand.wal.AppendResult;
import io.strand.wal.PartitionLog;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactional ids of one {@code __transaction_state} partition this broker leads, at one
 * leader epoch (the coordinator epoch of Kafka's TransactionStateManager cache entry): their
 * {@link TxnMetadata} by id, the loading of the partition's records, and the acks=all append of new
 * ones.
 *
 * <p>Threading: everything that reads or changes the transactional ids runs on this shard's
 * {@link OrderedExecutor} ({@link #submit}, {@link #execute}), one task at a time, so nothing here
 * needs a lock; append futures complete on it too, and timers ({@link #schedule}) hop onto it.
 * {@link #status} is the only field read from other threads.
 */
final class TxnShard {
    private static final Logger log = LoggerFactory.getLogger(TxnShard.class);

    enum Status {
        LOADING,
        ACTIVE,
        UNLOADED
    }

    final TopicPartition tp;
    /** The leader epoch of the partition when this shard took it: the coordinator epoch markers carry. */
    final int coordinatorEpoch;

    final Partition partition;
    private final OrderedExecutor executor;
    private final ScheduledExecutorService timer;
    volatile Status status = Status.LOADING;
    /** Every transactional id of this partition (concurrent only so that gauges may count them). */
    final Map<String, TxnMetadata> txns = new ConcurrentHashMap<>();

    TxnShard(Partition partition, int coordinatorEpoch, Executor pool, ScheduledExecutorService timer) {
        this.tp = partition.topicPartition();
        this.coordinatorEpoch = coordinatorEpoch;
        this.partition = partition;
        this.executor = new OrderedExecutor(pool, "txn-coordinator " + tp);
        this.timer = timer;
    }

    /** Runs {@code task} on this shard's executor; the returned future completes with the task's future. */
    <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> task) {
        return executor.submit(task);
    }

    void execute(Runnable task) {
        executor.execute(task);
    }

    boolean isActive() {
        return status == Status.ACTIVE && isCurrentLeader();
    }

    /** True while the partition is still led by this broker at this shard's epoch. */
    boolean isCurrentLeader() {
        return partition.isLeader() && partition.leaderEpoch() == coordinatorEpoch;
    }

    /** Runs {@code task} on the executor after {@code delayMs}, if this shard is still active then. */
    void schedule(long delayMs, Runnable task) {
        try {
            timer.schedule(
                    () -> executor.execute(() -> {
                        if (status == Status.ACTIVE) {
                            task.run();
                        }
                    }),
                    Math.max(0, delayMs),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("{}: timer rejected a task (shutting down)", tp);
        }
    }

    // ============================================================================================ load / unload

    /**
     * Reads the partition's log from its start to its end now; the newest record per transactional id
     * wins, a tombstone removes it. On the executor. Returns false if the load did not complete.
     */
    boolean load() {
        if (status != Status.LOADING) {
            return false;
        }
        long started = System.nanoTime();
        PartitionLog wal = partition.log();
        long end = wal.logEndOffset();
        int records = 0;
        try {
            for (RecordBatch batch : wal.batchesFrom(wal.logStartOffset())) {
                if (batch.baseOffset() >= end || status != Status.LOADING) {
                    break;
                }
                if (batch.isControlBatch()) {
                    continue;
                }
                for (Record r : batch) {
                    if (r.offset() >= end) {
                        break;
                    }
                    records++;
                    replay(r);
                }
            }
        } catch (RuntimeException e) {
            log.error(
                    "{}: could not load transaction state from the log (coordinator epoch {}); this broker answers "
                            + "COORDINATOR_LOAD_IN_PROGRESS for its transactional ids until leadership moves",
                    tp,
                    coordinatorEpoch,
                    e);
            return false;
        }
        if (status != Status.LOADING) {
            return false;
        }
        status = Status.ACTIVE;
        log.info(
                "{}: loaded {} transactional ids from {} records up to offset {} in {} ms (coordinator epoch {})",
                tp,
                txns.size(),
                records,
                end,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                coordinatorEpoch);
        return true;
    }

    private void replay(Record r) {
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
    void unload() {
        status = Status.UNLOADED;
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
            if (status != Status.ACTIVE || !isCurrentLeader()) {
                throw new NotCoordinatorException(
                        "this broker no longer leads " + tp + " at epoch " + coordinatorEpoch);
            }
            AppendResult result = partition.appendAsLeader(TxnRecords.batch(records), (short) -1);
            partition
                    .awaitAcknowledgement(result.lastOffset() + 1, (short) -1)
                    .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                    .whenComplete((v, e) -> executor.execute(
                            () -> {
                                if (e != null) {
                                    done.completeExceptionally(e);
                                } else {
                                    done.complete(null);
                                }
                            },
                            () -> done.completeExceptionally(
                                    new NotCoordinatorException("the transaction coordinator of " + tp + " stopped"))));
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
            if (status != Status.ACTIVE || txns.get(m.transactionalId) != m) {
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

    @Override
    public String toString() {
        return "TxnShard{" + tp + ", epoch " + coordinatorEpoch + ", " + status + "}";
    }
}
