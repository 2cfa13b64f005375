package io.strand.server.replica;

import io.strand.wal.AbortedTxn;
import io.strand.wal.AppendResult;
import io.strand.wal.CleanerHints;
import io.strand.wal.PartitionLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything that writes one partition's log together with its producer state, under one lock: a
 * client's batches (checked against the producer state: retries answered with their first offsets,
 * fenced epochs and sequence gaps refused), a coordinator's batches (group records, transactional
 * offset commits: no sequence checks), transaction markers, a follower's replicated batches, and
 * truncations (which rebuild the producer state from the log). Aborted transactions go into the
 * log's index as their ABORT markers are appended; a snapshot of the producer state is taken at
 * each new segment.
 *
 * <p>Thread-safe: every method holds the append lock; the {@link Partition} calls it inside its role
 * lock.
 */
final class PartitionWriter {
    private static final Logger log = LoggerFactory.getLogger(PartitionWriter.class);

    private final TopicPartition tp;
    private final PartitionLog wal;
    private final Object lock = new Object();
    private final ProducerStateTable producerState;

    PartitionWriter(TopicPartition tp, PartitionLog wal) {
        this.tp = tp;
        this.wal = wal;
        this.producerState = new ProducerStateTable(tp, wal.dir());
        synchronized (lock) {
            producerState.rebuild(wal);
        }
    }

    /** A client's batches, as leader at {@code leaderEpoch}. */
    AppendResult appendFromClient(MemoryRecords records, int leaderEpoch) {
        synchronized (lock) {
            RecordBatch idempotent = ProducerStateTable.idempotentBatch(records);
            if (idempotent != null) {
                Optional<ProducerStateTable.BatchMetadata> dup = producerState.findDuplicate(idempotent);
                if (dup.isPresent()) {
                    ProducerStateTable.BatchMetadata d = dup.get();
                    log.debug(
                            "{}: batch of producer {} with sequences {}-{} is a retry of offsets {}-{}",
                            tp,
                            idempotent.producerId(),
                            d.firstSeq(),
                            d.lastSeq(),
                            d.firstOffset(),
                            d.lastOffset());
                    return new AppendResult(
                            d.firstOffset(), d.lastOffset(), -1, d.timestamp(), 0, 0, wal.logStartOffset());
                }
                producerState.validate(idempotent, wal.logEndOffset(), wal.logStartOffset());
            }
            return appendAndTrack(records, () -> wal.appendAsLeader(records, leaderEpoch));
        }
    }

    /** A coordinator's own batches (group records, transactional offset commits), as leader: no sequence checks. */
    AppendResult appendFromCoordinator(MemoryRecords records, int leaderEpoch) {
        synchronized (lock) {
            return appendAndTrack(records, () -> wal.appendAsLeader(records, leaderEpoch));
        }
    }

    /**
     * A transaction marker for {@code producerId}, as leader: refused when the producer's epoch or the
     * coordinator's epoch is older than the last one seen here.
     */
    AppendResult appendMarker(
            long producerId, short producerEpoch, boolean commit, int coordinatorEpoch, int leaderEpoch, long nowMs) {
        synchronized (lock) {
            producerState.validateMarker(producerId, producerEpoch, coordinatorEpoch);
            MemoryRecords marker = MemoryRecords.withEndTransactionMarker(
                    0L,
                    nowMs,
                    leaderEpoch,
                    producerId,
                    producerEpoch,
                    new EndTransactionMarker(
                            commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, coordinatorEpoch));
            return appendAndTrack(marker, () -> wal.appendControlAsLeader(marker, leaderEpoch));
        }
    }

    /** Batches fetched from the leader. */
    AppendResult appendReplicated(MemoryRecords records) {
        synchronized (lock) {
            int segmentsBefore = wal.numberOfSegments();
            AppendResult result = wal.appendAsFollower(records);
            for (RecordBatch b : records.batches()) {
                AbortedTxn aborted = producerState.update(b, b.baseOffset(), b.lastOffset(), b.maxTimestamp());
                if (aborted != null) {
                    wal.appendAbortedTransaction(aborted);
                }
            }
            if (wal.numberOfSegments() != segmentsBefore) {
                producerState.takeSnapshot();
            }
            return result;
        }
    }

    /** Records the appended batches (offsets from {@code result}) in the producer state. Lock held. */
    private AppendResult appendAndTrack(MemoryRecords records, java.util.function.Supplier<AppendResult> append) {
        int segmentsBefore = wal.numberOfSegments();
        AppendResult result = append.get();
        long next = result.firstOffset();
        for (RecordBatch b : records.batches()) {
            long count = b.lastOffset() - b.baseOffset() + 1;
            long ts = result.logAppendTimeMs() >= 0 ? result.logAppendTimeMs() : b.maxTimestamp();
            AbortedTxn aborted = producerState.update(b, next, next + count - 1, ts);
            if (aborted != null) {
                wal.appendAbortedTransaction(aborted);
            }
            next += count;
        }
        if (wal.numberOfSegments() != segmentsBefore) {
            producerState.takeSnapshot();
        }
        return result;
    }

    /** Cuts the log at {@code offset} (and the leader epochs from there) and rebuilds the producer state. */
    void truncateTo(long offset) {
        synchronized (lock) {
            boolean cutsData = offset < wal.logEndOffset();
            wal.truncateTo(offset); // at the log end: only the leader-epoch entries from there go
            if (cutsData) {
                producerState.deleteSnapshotsAbove(offset);
                producerState.rebuild(wal);
            }
        }
    }

    /** Empties the log, which restarts at {@code offset}, and rebuilds the producer state. */
    void restartAt(long offset) {
        synchronized (lock) {
            wal.truncateFullyAndStartAt(offset);
            producerState.deleteSnapshotsAbove(-1);
            producerState.rebuild(wal);
        }
    }

    /** The last stable offset for high watermark {@code hw}: below every transaction not yet decided and replicated. */
    long lastStableOffset(long hw) {
        return producerState.transactions().lastStableOffset(hw);
    }

    int openTransactions() {
        return producerState.transactions().openCount();
    }

    /** The producers this partition knows (DescribeProducers). */
    List<Partition.ProducerSummary> producers() {
        synchronized (lock) {
            List<Partition.ProducerSummary> out = new ArrayList<>();
            for (ProducerStateTable.ProducerEntry e : producerState.producers()) {
                out.add(new Partition.ProducerSummary(
                        e.producerId,
                        e.epoch,
                        e.lastSeq(),
                        e.lastTimestamp,
                        e.lastOffset(),
                        e.coordinatorEpoch,
                        e.currentTxnFirstOffset));
            }
            return out;
        }
    }

    /**
     * What the log cleaner must respect ({@link CleanerHints}): it stops at the last stable offset, and keeps the
     * batch of every known producer's last data record (or its last marker when it has none) so that deduplication
     * and fencing survive cleaning.
     */
    CleanerHints cleanerHints() {
        return new CleanerHints() {
            @Override
            public long firstUnstableOffset() {
                return lastStableOffset(wal.highWatermark());
            }

            @Override
            public Map<Long, CleanerHints.LastProducerEntry> activeProducers() {
                synchronized (lock) {
                    Map<Long, CleanerHints.LastProducerEntry> out = new HashMap<>();
                    for (ProducerStateTable.ProducerEntry e : producerState.producers()) {
                        long lastData =
                                e.batches.isEmpty() ? -1 : e.batches.peekLast().lastOffset();
                        out.put(e.producerId, new CleanerHints.LastProducerEntry(lastData, e.epoch));
                    }
                    return out;
                }
            }
        };
    }

    /** Drops producers idle for {@code expirationMs} and without an open transaction. */
    int expireProducers(long nowMs, long expirationMs) {
        synchronized (lock) {
            return producerState.expire(nowMs, expirationMs);
        }
    }

    /** Snapshots the producer state if the log moved past the newest snapshot (on close). */
    void snapshotIfBehind() {
        synchronized (lock) {
            if (producerState.mapEndOffset() > producerState.newestSnapshot().orElse(-1)) {
                producerState.takeSnapshot();
            }
        }
    }
}
