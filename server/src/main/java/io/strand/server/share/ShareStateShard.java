package io.strand.server.share;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strand.server.coordinator.InternalShard;
import io.strand.server.replica.Partition;
import io.strand.wal.AppendResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The share-partition states of one {@code __share_group_state} partition this broker leads, at one
 * leader epoch: loaded from the partition's log when leadership arrives (newest record per key wins,
 * a tombstone removes it), changed by acks=all appends. A change is applied in memory when its record
 * is appended (later operations on the shard see it) and undone if the append fails.
 *
 * <p>Threading: everything that reads or changes the states runs on this shard's ordered executor;
 * {@link #status()} is the only state read from other threads.
 */
final class ShareStateShard extends InternalShard {
    final Map<ShareRecords.Key, ShareState> states = new ConcurrentHashMap<>();

    ShareStateShard(Partition partition, int epoch, Executor pool) {
        super(partition, epoch, pool, "share-coordinator", null);
    }

    @Override
    protected void logLoadFailure(RuntimeException e) {
        log.error("{}: could not load share-group state (epoch {})", tp, leaderEpoch, e);
    }

    @Override
    protected void logLoaded(int records, long endOffset, long millis) {
        log.info(
                "{}: loaded {} share-partition states from {} records up to offset {} in {} ms (epoch {})",
                tp,
                states.size(),
                records,
                endOffset,
                millis,
                leaderEpoch);
    }

    @Override
    protected void replay(Record r, RecordBatch batch) {
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

    @Override
    protected void unloadState() {
        int n = states.size();
        states.clear();
        log.info("{}: unloaded {} share-partition states (epoch {})", tp, n, leaderEpoch);
    }

    /**
     * Sets {@code key}'s state to {@code next} (null deletes it) and appends its record with acks=all;
     * NONE once the ISR has it, else the coordinator error (the change is undone). On the executor.
     */
    CompletableFuture<Errors> put(ShareRecords.Key key, ShareState next, long timeoutMs) {
        if (!isActive()) {
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
            awaitAcknowledged(
                    result,
                    timeoutMs,
                    e -> {
                        if (e != null) {
                            undo(key, next, previous);
                        }
                        done.complete(e == null ? Errors.NONE : appendError(e));
                    },
                    () -> done.complete(Errors.NOT_COORDINATOR));
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
}
