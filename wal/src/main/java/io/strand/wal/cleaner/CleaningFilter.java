package io.strand.wal.cleaner;

import io.strand.wal.CleanerHints;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Which batches and records of a cleaned range survive, for {@link MemoryRecords#filterTo} (which rewrites the
 * survivors with their original base offsets, producer ids, epochs, sequences and timestamps, and stamps a delete
 * horizon of now + {@code delete.retention.ms} on a batch holding a tombstone or a removable marker the first time it
 * is cleaned). Kafka's rules:
 * <ul>
 *   <li>a record survives when it is the latest of its key in the offset map (or beyond the map), and has a value
 *       or is a tombstone whose batch's delete horizon has not passed; a record without a key goes;
 *   <li>records of aborted transactions go ({@link TransactionTracker}); a marker goes once no data of its
 *       transaction is left and its delete horizon passed;
 *   <li>the batch holding an active producer's last data record stays, emptied if need be, so its sequence numbers
 *       and epoch survive (deduplication and fencing work after cleaning), as does an active producer's last marker;
 *       so does the last batch of the cleaned range.
 * </ul>
 *
 * <p>Not thread-safe: one per cleaning of a group.
 */
final class CleaningFilter extends MemoryRecords.RecordFilter {
    private final OffsetMap map;
    private final TransactionTracker transactions;
    private final Map<Long, CleanerHints.LastProducerEntry> activeProducers;
    private final long endOffset;
    private boolean discardBatchRecords;

    CleaningFilter(
            long nowMs,
            long deleteRetentionMs,
            OffsetMap map,
            TransactionTracker transactions,
            Map<Long, CleanerHints.LastProducerEntry> activeProducers,
            long endOffset) {
        super(nowMs, deleteRetentionMs);
        this.map = map;
        this.transactions = transactions;
        this.activeProducers = activeProducers;
        this.endOffset = endOffset;
    }

    @Override
    protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
        boolean canDiscard = batch.isControlBatch() ? transactions.onControlBatch(batch) : transactions.onBatch(batch);
        if (batch.isControlBatch()) {
            discardBatchRecords = canDiscard
                    && batch.deleteHorizonMs().isPresent()
                    && batch.deleteHorizonMs().getAsLong() <= currentTime;
        } else {
            discardBatchRecords = canDiscard;
        }
        BatchRetention retention;
        if (batch.hasProducerId() && isLastEntryOfActiveProducer(batch)) {
            retention = BatchRetention.RETAIN_EMPTY;
        } else if (batch.nextOffset() == endOffset) {
            retention = BatchRetention.RETAIN_EMPTY;
        } else if (discardBatchRecords) {
            retention = BatchRetention.DELETE;
        } else {
            retention = BatchRetention.DELETE_EMPTY;
        }
        return new BatchRetentionResult(retention, canDiscard && batch.isControlBatch());
    }

    private boolean isLastEntryOfActiveProducer(RecordBatch batch) {
        CleanerHints.LastProducerEntry last = activeProducers.get(batch.producerId());
        if (last == null) return false;
        if (last.lastDataOffset() >= 0) return batch.lastOffset() == last.lastDataOffset();
        return batch.isControlBatch() && batch.producerEpoch() == last.epoch();
    }

    @Override
    protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
        if (discardBatchRecords) return false;
        if (batch.isControlBatch()) return true;
        if (record.offset() > map.latestOffset()) return true;
        if (!record.hasKey()) return false;
        ByteBuffer key = record.key();
        boolean latest = record.offset() >= map.get(key);
        boolean keepTombstone = batch.deleteHorizonMs().isEmpty()
                || currentTime < batch.deleteHorizonMs().getAsLong();
        return latest && (record.hasValue() || keepTombstone);
    }
}
