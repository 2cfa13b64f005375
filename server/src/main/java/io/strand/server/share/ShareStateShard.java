package io.strand.server.share;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strand.server.concurrent.OrderedExecutor;
import io.strand.server.replica.Partition;
import io.strand.wal.AppendResult;
import io.strand.wal.PartitionLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share-partition states of one {@code __share_group_state} partition this broker leads, at one
 * leader epoch: loaded from the partition's log when leadership arrives (newest record per key wins,
 * a tombstone removes it), changed by acks=all appends. A change is applied in memory when its record
 * is appended (later operations on the shard see it) and undone if the append fails.
 *
 * <p>Threading: everything that reads or changes the states runs on this shard's
 * {@link OrderedExecutor}; {@link #status} is the only field read from other threads.
 */
final class ShareStateShard {
    private static final Logger log = LoggerFactory.getLogger(ShareStateShard.class);

    enum Status {
        LOADING,
        ACTIVE,
        UNLOADED
    }

    final TopicPartition tp;
    final int epoch;
    final Partition partition;
    private final OrderedExecutor executor;
    volatile Status status = Status.LOADING;
    final Map<ShareRecords.Key, ShareState> states = new ConcurrentHashMap<>();

    ShareStateShard(Partition partition, int epoch, Executor pool) {
        this.tp = partition.topicPartition();
        this.epoch = epoch;
        this.partition = partition;
        this.executor = new OrderedExecutor(pool, "share-coordinator " + tp);
    }

    <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> task) {
        return executor.submit(task);
    }

    void execute(Runnable task) {
        executor.execute(task);
    }

    boolean isCurrentLeader() {
        return partition.isLeader() && partition.leaderEpoch() == epoch;
    }

    /** Reads the partition's log from its start to its end now. On the executor; false if it did not complete. */
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
            log.error("{}: could not load share-group state (epoch {})", tp, epoch, e);
            return false;
        }
        if (status != Status.LOADING) {
            return false;
        }
        status = Status.ACTIVE;
        log.info(
                "{}: loaded {} share-partition states from {} records up to offset {} in {} ms (epoch {})",
                tp,
                states.size(),
                records,
                end,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                epoch);
        return true;
    }

    private void replay(Record r) {
        if (!r.hasKey()) {
            return;
        }
        try {
            ShareRecords.Key key = ShareRecords.parseKey(r.key());
            if (r.hasValue()) {
                states.put(key, ShareRecords.parseValue(r.value()));
            } else {
                states.remove(key);
            }
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            log.warn("{}: skipping undecodable record at offset {}: {}", tp, r.offset(), e.getMessage());
        }
    }

    void unload() {
        status = Status.UNLOADED;
        int n = states.size();
        states.clear();
        log.info("{}: unloaded {} share-partition states (epoch {})", tp, n, epoch);
    }

    /**
     * Sets {@code key}'s state to {@code next} (null deletes it) and appends its record with acks=all;
     * NONE once the ISR has it, else the coordinator error (the change is undone). On the executor.
     */
    CompletableFuture<Errors> put(ShareRecords.Key key, ShareState next, long timeoutMs) {
        if (status != Status.ACTIVE || !isCurrentLeader()) {
            return CompletableFuture.completedFuture(Errors.NOT_COORDINATOR);
        }
        long now = System.currentTimeMillis();
        ShareState previous = next == null ? states.remove(key) : states.put(key, next);
        CompletableFuture<Errors> done = new CompletableFuture<>();
        try {
            AppendResult result = partition.appendAsLeader(
                    ShareRecords.batch(List.of(
                            next == null ? ShareRecords.tombstone(now, key) : ShareRecords.record(now, key, next))),
                    (short) -1);
            partition
                    .awaitAcknowledgement(result.lastOffset() + 1, (short) -1)
                    .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                    .whenComplete((v, e) -> executor.execute(
                            () -> {
                                if (e != null) {
                                    undo(key, next, previous);
                                }
                                done.complete(e == null ? Errors.NONE : appendError(e));
                            },
                            () -> done.complete(Errors.NOT_COORDINATOR)));
        } catch (RuntimeException e) {
            undo(key, next, previous);
            done.complete(appendError(e));
        }
        return done;
    }

    private void undo(ShareRecords.Key key, ShareState applied, ShareState previous) {
        if (states.get(key) != applied) {
            return; // changed again since
        }
        if (previous == null) {
            states.remove(key);
        } else {
            states.put(key, previous);
        }
    }

    /** The coordinator error for a failed write, as Kafka's coordinator runtime maps it. */
    static Errors appendError(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof TimeoutException) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        return switch (Errors.forException(cause)) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT ->
                Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR, FENCED_LEADER_EPOCH -> Errors.NOT_COORDINATOR;
            default -> Errors.UNKNOWN_SERVER_ERROR;
        };
    }

    /**
     * {@code incoming} written over {@code stored} (Kafka's merge of state batches): the new start offset,
     * stored ranges at or above it, overlaid by the incoming ranges where they overlap.
     */
    static ShareState merge(ShareState stored, ShareState incoming) {
        TreeMap<Long, ShareState.Batch> byFirst = new TreeMap<>();
        if (stored != null) {
            for (ShareState.Batch b : stored.batches()) {
                if (b.lastOffset() >= incoming.startOffset()) {
                    long first = Math.max(b.firstOffset(), incoming.startOffset());
                    byFirst.put(first, new ShareState.Batch(first, b.lastOffset(), b.state(), b.deliveryCount()));
                }
            }
        }
        for (ShareState.Batch in : incoming.batches()) {
            if (in.lastOffset() < incoming.startOffset()) {
                continue;
            }
            List<ShareState.Batch> overlapping = new ArrayList<>();
            var floor = byFirst.floorEntry(in.firstOffset());
            if (floor != null && floor.getValue().lastOffset() >= in.firstOffset()) {
                overlapping.add(floor.getValue());
            }
            overlapping.addAll(byFirst.subMap(in.firstOffset(), true, in.lastOffset(), true)
                    .values());
            for (ShareState.Batch o : overlapping) {
                byFirst.remove(o.firstOffset());
                if (o.firstOffset() < in.firstOffset()) {
                    byFirst.put(
                            o.firstOffset(),
                            new ShareState.Batch(o.firstOffset(), in.firstOffset() - 1, o.state(), o.deliveryCount()));
                }
                if (o.lastOffset() > in.lastOffset()) {
                    byFirst.put(
                            in.lastOffset() + 1,
                            new ShareState.Batch(in.lastOffset() + 1, o.lastOffset(), o.state(), o.deliveryCount()));
                }
            }
            byFirst.put(in.firstOffset(), in);
        }
        return new ShareState(
                incoming.stateEpoch(),
                incoming.leaderEpoch(),
                incoming.startOffset(),
                incoming.deliveryCompleteCount(),
                List.copyOf(byFirst.values()));
    }

    @Override
    public String toString() {
        return "ShareStateShard{" + tp + ", epoch " + epoch + ", " + status + "}";
    }
}
