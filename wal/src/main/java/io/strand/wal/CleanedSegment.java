package io.strand.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A segment the log cleaner is writing: files named {@code <base>.log.cleaned} etc. until
 * {@link CleanableLog#replace} swaps it in ({@link SegmentSwap}). Batches are appended as the cleaner rewrote them
 * (whole v2 batches with their original offsets, in offset order); the offset and time indexes are built as they
 * come, and the cleaner adds the aborted transactions whose markers it keeps.
 *
 * <p>Not thread-safe: one cleaner thread owns it until the swap.
 */
public final class CleanedSegment {
    final LogSegment segment;
    private final int indexIntervalBytes;
    private long nextOffset;

    CleanedSegment(LogSegment segment, int indexIntervalBytes) {
        this.segment = segment;
        this.indexIntervalBytes = indexIntervalBytes;
        this.nextOffset = segment.baseOffset();
    }

    public long baseOffset() {
        return segment.baseOffset();
    }

    public int sizeInBytes() {
        return segment.size();
    }

    /**
     * Appends the whole batches in {@code batches} (position to limit).
     *
     * @throws IllegalArgumentException when they are not whole batches above everything appended before
     */
    public void append(ByteBuffer batches) throws IOException {
        ByteBuffer data = batches.slice();
        List<BatchHeader> headers = new ArrayList<>();
        int pos = 0;
        while (pos < data.limit()) {
            if (data.limit() - pos < BatchHeader.HEADER_SIZE)
                throw new IllegalArgumentException("Partial batch header at position " + pos);
            BatchHeader h = BatchHeader.parse(data, pos, pos);
            if (!h.isStructurallyValid() || h.nextPosition() > data.limit() || h.baseOffset() < nextOffset)
                throw new IllegalArgumentException("Batch at offset " + h.baseOffset() + " of " + h.sizeInBytes()
                        + " bytes does not follow offset " + (nextOffset - 1));
            headers.add(h);
            nextOffset = h.nextOffset();
            pos = (int) h.nextPosition();
        }
        if (!headers.isEmpty()) segment.append(data, headers, indexIntervalBytes);
    }

    /** Records an aborted transaction whose marker this segment keeps. */
    public void addAbortedTransaction(AbortedTxn txn) throws IOException {
        TransactionIndex idx = segment.indexes().txnIndex();
        if (txn.lastOffset() > idx.lastOffset()) idx.append(txn);
    }

    /**
     * Closes it for writing: final time index entry, indexes trimmed, everything fsynced, and the log file's
     * modification time set to {@code lastModifiedMs} (retention by time goes by it for segments without timestamps).
     */
    public void finish(long lastModifiedMs) throws IOException {
        segment.onBecomeInactive();
        segment.flush();
        segment.setLastModified(lastModifiedMs);
    }

    /** Abandons it: files closed and deleted (a cleaning that was aborted or not swapped in). */
    public void delete() {
        try {
            segment.closeAndDelete();
        } catch (IOException e) {
            segment.closeQuietly();
        }
    }
}
