package io.strand.wal.cleaner;

import io.strand.wal.AbortedTxn;
import io.strand.wal.CleanedSegment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Transactions as the cleaner walks a range of the log in offset order (Kafka's
 * {@code CleanedTransactionMetadata}): from the aborted transactions of the range (the transaction index) it knows
 * which transactional batches belong to aborted transactions, so their records go; an ABORT marker stays while data
 * of its transaction is still in the log (and its entry goes into the cleaned segment's transaction index), a
 * COMMIT marker while the cleaner saw data of its transaction in this pass. A marker that may go is first kept with
 * a delete horizon ({@code delete.retention.ms}) so that consumers mid-read still see it, and removed by a later
 * cleaning after the horizon.
 *
 * <p>Not thread-safe: one per cleaning of a group of segments.
 */
final class TransactionTracker {
    private final ArrayDeque<AbortedTxn> aborted = new ArrayDeque<>();
    /** producer id → the aborted transaction it is in, and whether a batch of it was seen. */
    private final Map<Long, OngoingAbort> ongoingAborted = new HashMap<>();

    private final Set<Long> ongoingCommitted = new HashSet<>();
    private CleanedSegment cleaned;

    private static final class OngoingAbort {
        final AbortedTxn txn;
        boolean sawBatch;

        OngoingAbort(AbortedTxn txn) {
            this.txn = txn;
        }
    }

    /** Adds aborted transactions of the next range, in first-offset order. */
    void addAborted(List<AbortedTxn> txns) {
        txns.stream()
                .sorted(java.util.Comparator.comparingLong(AbortedTxn::firstOffset))
                .forEach(aborted::add);
    }

    /** Where kept ABORT markers are indexed (null while building the offset map). */
    void cleanedInto(CleanedSegment segment) {
        this.cleaned = segment;
    }

    /** A data batch: returns whether it belongs to an aborted transaction (its records can go). */
    boolean onBatch(RecordBatch batch) {
        consumeAbortedUpTo(batch.lastOffset());
        if (!batch.isTransactional()) return false;
        OngoingAbort a = ongoingAborted.get(batch.producerId());
        if (a != null) {
            a.sawBatch = true;
            return true;
        }
        ongoingCommitted.add(batch.producerId());
        return false;
    }

    /** A control batch: returns whether the marker may go (no data of its transaction left behind it). */
    boolean onControlBatch(RecordBatch batch) {
        consumeAbortedUpTo(batch.lastOffset());
        Iterator<Record> it = batch.iterator();
        if (!it.hasNext()) return true; // an emptied marker batch
        Record r = it.next();
        long pid = batch.producerId();
        ControlRecordType type = ControlRecordType.parse(r.key());
        switch (type) {
            case ABORT -> {
                OngoingAbort a = ongoingAborted.remove(pid);
                if (a != null && a.sawBatch) {
                    if (cleaned != null) {
                        try {
                            cleaned.addAbortedTransaction(a.txn);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    return false;
                }
                return true;
            }
            case COMMIT -> {
                return !ongoingCommitted.remove(pid);
            }
            default -> {
                return false;
            }
        }
    }

    private void consumeAbortedUpTo(long offset) {
        while (!aborted.isEmpty() && aborted.peek().firstOffset() <= offset) {
            AbortedTxn t = aborted.poll();
            ongoingAborted.putIfAbsent(t.producerId(), new OngoingAbort(t));
        }
    }
}
