package io.strand.wal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The log cleaner's read-only view of one closed segment of a log ({@link CleanableLog#segments}): its size, its
 * timestamps, and its bytes. The segment may be removed from the log (retention, truncation) while the cleaner reads
 * it; its files stay readable until their delayed deletion, and the swap refuses segments that are no longer the
 * log's.
 *
 * <p>Thread-safety: reads are positional and lock-free; one cleaner thread uses a view at a time.
 */
public final class CleanableSegment {
    final LogSegment segment;

    CleanableSegment(LogSegment segment) {
        this.segment = segment;
    }

    public long baseOffset() {
        return segment.baseOffset();
    }

    /** Bytes of whole batches. */
    public int sizeInBytes() {
        return segment.size();
    }

    /** The largest record timestamp, or -1 when no batch has one. */
    public long largestTimestamp() {
        return segment.maxTimestampSoFar();
    }

    /** The largest timestamp of its first batch (the age of its oldest records), or -1. */
    public long firstBatchTimestamp() throws IOException {
        BatchHeader h = segment.size() >= BatchHeader.HEADER_SIZE ? segment.readHeader(0) : null;
        return h == null ? -1 : h.maxTimestamp();
    }

    /** The log file's modification time (a cleaned segment keeps that of the last segment it replaced). */
    public long lastModified() {
        return segment.lastModified();
    }

    /** Entries of its offset and time indexes together, for sizing a cleaned group's indexes. */
    public int indexEntries() {
        SegmentIndexes idx = segment.indexes();
        return Math.max(idx.offsetIndex().entries(), idx.timeIndex().entries());
    }

    /** A position at or before the batch holding {@code offset} (from the sparse offset index). */
    public int positionFor(long offset) {
        return segment.indexes().offsetIndex().lookup(offset).position();
    }

    /**
     * Reads bytes from {@code position} into {@code buf} (up to its remaining space or the segment's end), as
     * {@link org.apache.kafka.common.record.internal.FileRecords#readInto} does. Returns the bytes read.
     */
    public int readInto(ByteBuffer buf, int position) throws IOException {
        int limit = segment.size();
        int start = buf.position();
        if (buf.remaining() > limit - position) buf.limit(start + Math.max(0, limit - position));
        while (buf.hasRemaining()) {
            int n = segment.channel().read(buf, position + (buf.position() - start));
            if (n < 0) break;
        }
        int read = buf.position() - start;
        buf.flip();
        return read;
    }

    @Override
    public String toString() {
        return segment.toString();
    }
}
