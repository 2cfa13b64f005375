package io.strand.wal.cleaner;

import io.strand.wal.CleanableLog;
import io.strand.wal.CleanableSegment;
import io.strand.wal.CleanedSegment;
import io.strand.wal.CleanerHints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * One cleaning of one log (Kafka's {@code Cleaner}): builds the key map over the dirty section
 * [{@code firstDirty}, {@code firstUncleanable}) — as far as the map holds — then rewrites every closed segment from
 * the log start up to the end of what the map covers, in groups that fit one segment, keeping what
 * {@link CleaningFilter} keeps, and swaps each group's cleaned segment in ({@link CleanableLog#replace}). Offsets never
 * change; the next cleaning's first dirty offset is where the map stopped.
 *
 * <p>Not thread-safe: each cleaner thread has its own, with its own map and buffers.
 */
final class Cleaner {
    /** The cleaning was stopped (shutdown) or the log changed under it (truncation). */
    static final class AbortedException extends RuntimeException {
        AbortedException(String why) {
            super(why, null, false, false);
        }
    }

    /** What a cleaning achieved: the next first dirty offset, and its statistics. */
    record Result(long endOffset, CleanerStats stats) {}

    private final OffsetMap map;
    private final Throttler throttler;
    private final int ioBufferSize;
    private final BooleanSupplier stopping;
    private final BufferSupplier decompression = BufferSupplier.create();
    private ByteBuffer readBuffer;
    private ByteBuffer writeBuffer;

    Cleaner(OffsetMap map, Throttler throttler, int ioBufferSize, BooleanSupplier stopping) {
        this.map = map;
        this.throttler = throttler;
        this.ioBufferSize = ioBufferSize;
        this.stopping = stopping;
        this.readBuffer = ByteBuffer.allocate(ioBufferSize);
        this.writeBuffer = ByteBuffer.allocate(ioBufferSize);
    }

    Result clean(CleanableLog log, long firstDirty, long firstUncleanable, long nowMs)
            throws IOException, InterruptedException {
        long truncations = log.truncations();
        CleanerStats stats = new CleanerStats();
        buildOffsetMap(log, firstDirty, firstUncleanable, stats);
        long endOffset = Math.max(firstDirty, map.latestOffset() + 1);
        stats.mapDoneNs = System.nanoTime();
        stats.mapUtilization = map.utilization();
        if (endOffset == firstDirty) { // nothing mapped: rewriting the clean part would change nothing
            stats.endNs = stats.mapDoneNs;
            return new Result(endOffset, stats);
        }
        Map<Long, CleanerHints.LastProducerEntry> producers = log.activeProducers();
        long deleteRetentionMs = log.config().compaction().deleteRetentionMs();
        TransactionTracker transactions = new TransactionTracker();
        for (List<CleanableSegment> group : groups(log, endOffset)) {
            CleaningFilter filter =
                    new CleaningFilter(nowMs, deleteRetentionMs, map, transactions, producers, endOffset);
            cleanGroup(log, group, filter, transactions, stats, truncations);
        }
        stats.endNs = System.nanoTime();
        return new Result(endOffset, stats);
    }

    // ============================================================================================== the key map

    private void buildOffsetMap(CleanableLog log, long start, long end, CleanerStats stats)
            throws IOException, InterruptedException {
        map.clear();
        List<CleanableSegment> dirty = log.segments(start, end);
        TransactionTracker transactions = new TransactionTracker();
        transactions.addAborted(log.abortedTransactions(start, end));
        for (int i = 0; i < dirty.size(); i++) {
            long nextStart = i + 1 < dirty.size() ? dirty.get(i + 1).baseOffset() : end;
            if (!mapSegment(dirty.get(i), start, Math.min(nextStart, end), transactions, stats)) break;
        }
    }

    /** Adds a segment's keys; returns false when the map is full or the end was reached inside the segment. */
    private boolean mapSegment(
            CleanableSegment seg, long start, long end, TransactionTracker transactions, CleanerStats stats)
            throws IOException, InterruptedException {
        int position = seg.positionFor(start);
        while (position < seg.sizeInBytes()) {
            checkStopping();
            MemoryRecords records = read(seg, position);
            int consumed = 0;
            for (MutableRecordBatch batch : records.batches()) {
                if (batch.lastOffset() >= end) return false; // beyond the cleanable range (an unstable batch)
                ensureValid(batch, seg);
                if (batch.isControlBatch()) {
                    transactions.onControlBatch(batch);
                } else if (!transactions.onBatch(batch)) {
                    try (CloseableIterator<Record> it = batch.streamingIterator(decompression)) {
                        while (it.hasNext()) {
                            Record r = it.next();
                            stats.mapRecordsRead++;
                            if (!r.hasKey() || r.offset() < start) continue;
                            if (map.isFull()) return false;
                            map.put(r.key(), r.offset());
                        }
                    }
                }
                if (batch.lastOffset() >= start) map.updateLatestOffset(batch.lastOffset());
                consumed += batch.sizeInBytes();
            }
            if (consumed == 0) {
                grow(records, seg, position);
                continue;
            }
            position += consumed;
            stats.mapBytesRead += consumed;
            throttler.maybeThrottle(consumed);
        }
        map.updateLatestOffset(end - 1); // offsets of the segment after its last batch (gaps) are covered too
        return true;
    }

    // ============================================================================================== the rewrite

    /** The closed segments from the log start up to {@code endOffset}, in runs whose cleaned result fits one segment. */
    private static List<List<CleanableSegment>> groups(CleanableLog log, long endOffset) {
        List<CleanableSegment> segs = log.segments(log.logStartOffset(), endOffset);
        long maxBytes = log.config().segmentBytes();
        long maxIndexEntries = log.config().maxIndexSizeBytes() / 12;
        List<List<CleanableSegment>> out = new ArrayList<>();
        int i = 0;
        while (i < segs.size()) {
            List<CleanableSegment> group = new ArrayList<>();
            CleanableSegment first = segs.get(i++);
            group.add(first);
            long bytes = first.sizeInBytes();
            long entries = first.indexEntries();
            while (i < segs.size()) {
                CleanableSegment next = segs.get(i);
                long lastOffsetBound = (i + 1 < segs.size() ? segs.get(i + 1).baseOffset() : endOffset) - 1;
                if (bytes + next.sizeInBytes() > maxBytes
                        || entries + next.indexEntries() > maxIndexEntries
                        || lastOffsetBound - first.baseOffset() > Integer.MAX_VALUE) break;
                group.add(next);
                bytes += next.sizeInBytes();
                entries += next.indexEntries();
                i++;
            }
            out.add(group);
        }
        return out;
    }

    private void cleanGroup(
            CleanableLog log,
            List<CleanableSegment> group,
            CleaningFilter filter,
            TransactionTracker transactions,
            CleanerStats stats,
            long truncations)
            throws IOException, InterruptedException {
        CleanedSegment cleaned = log.newCleanedSegment(group.get(0).baseOffset());
        boolean handedOver = false;
        try {
            transactions.cleanedInto(cleaned);
            for (int i = 0; i < group.size(); i++) {
                CleanableSegment seg = group.get(i);
                long upper = i + 1 < group.size() ? group.get(i + 1).baseOffset() : log.nextOffset(seg);
                transactions.addAborted(log.abortedTransactions(seg.baseOffset(), upper));
                cleanInto(seg, cleaned, filter, stats);
            }
            cleaned.finish(group.get(group.size() - 1).lastModified());
            handedOver = true;
            if (!log.replace(group, cleaned, truncations))
                throw new AbortedException(
                        "the log was truncated, or lost segments to retention, while it was cleaned");
        } finally {
            transactions.cleanedInto(null);
            if (!handedOver) cleaned.delete();
        }
    }

    private void cleanInto(CleanableSegment seg, CleanedSegment cleaned, CleaningFilter filter, CleanerStats stats)
            throws IOException, InterruptedException {
        int position = 0;
        while (position < seg.sizeInBytes()) {
            checkStopping();
            MemoryRecords records = read(seg, position);
            for (MutableRecordBatch batch : records.batches()) ensureValid(batch, seg); // never copy a corrupt batch
            writeBuffer.clear();
            MemoryRecords.FilterResult result = records.filterTo(filter, writeBuffer, decompression, Integer.MAX_VALUE);
            if (result.bytesRead() == 0) {
                grow(records, seg, position);
                continue;
            }
            position += result.bytesRead();
            stats.bytesRead += result.bytesRead();
            stats.recordsRead += result.messagesRead();
            stats.recordsRetained += result.messagesRetained();
            ByteBuffer out = result.outputBuffer();
            if (out.position() > 0) {
                out.flip();
                cleaned.append(out);
                stats.bytesWritten += out.limit();
            }
            if (out.capacity() > writeBuffer.capacity()) writeBuffer = ByteBuffer.allocate(out.capacity());
            throttler.maybeThrottle(result.bytesRead() + (long) out.limit());
        }
        if (readBuffer.capacity() > ioBufferSize) readBuffer = ByteBuffer.allocate(ioBufferSize);
        if (writeBuffer.capacity() > ioBufferSize) writeBuffer = ByteBuffer.allocate(ioBufferSize);
    }

    // ============================================================================================== I/O

    private MemoryRecords read(CleanableSegment seg, int position) throws IOException {
        readBuffer.clear();
        seg.readInto(readBuffer, position);
        return MemoryRecords.readableRecords(readBuffer);
    }

    /** The next batch is larger than the buffers: grow both to hold it, or fail on a batch that cannot be whole. */
    private void grow(MemoryRecords records, CleanableSegment seg, int position) {
        Integer next = records.firstBatchSize();
        int left = seg.sizeInBytes() - position;
        if (next == null || next <= readBuffer.capacity() || next > left)
            throw new CorruptRecordException("Corrupt batch in " + seg + " at position " + position + " (size " + next
                    + ", " + left + " bytes left in the segment)");
        readBuffer = ByteBuffer.allocate(next);
        writeBuffer = ByteBuffer.allocate(Math.max(next, writeBuffer.capacity()));
    }

    private static void ensureValid(MutableRecordBatch batch, CleanableSegment seg) {
        if (!batch.isValid())
            throw new CorruptRecordException("Batch at offset " + batch.baseOffset() + " of " + seg
                    + " fails its CRC check: the cleaner leaves" + " the log as it is");
    }

    private void checkStopping() throws InterruptedException {
        if (Thread.interrupted()) throw new InterruptedException();
        if (stopping.getAsBoolean()) throw new AbortedException("the cleaner is stopping");
    }
}
