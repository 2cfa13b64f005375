package io.strand.wal;

import java.io.IOException;
import java.util.function.ObjIntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery scan of one segment, and the cheaper index rebuild from batch headers. Stateless; called by the
 * thread that loads the log, which owns the segment until the log is open.
 */
final class SegmentRecovery {
    private static final Logger log = LoggerFactory.getLogger(SegmentRecovery.class);

    private SegmentRecovery() {}

    /** Result of {@link #recover}: where the valid data ends and why it stopped early, if it did. */
    record Result(int validBytes, int truncatedBytes, long nextOffset, String problem, long problemOffset) {}

    /**
     * Validates every batch from the start (structure, offsets increasing from the base offset, CRC-32C), rebuilds
     * the offset and time indexes of the segment ({@link SegmentIndexes#onBatch}), truncates the file at the first
     * invalid or torn batch (or where only zeros follow: written ahead, not data, so not reported as truncated),
     * and removes the aborted transactions whose marker is not in the recovered data (at or above its end). {@code onBatch} sees each valid batch and its position (for the leader-epoch cache).
     */
    static Result recover(LogSegment seg, int indexIntervalBytes, ObjIntConsumer<BatchHeader> onBatch)
            throws IOException {
        SegmentIndexes indexes = seg.indexes();
        indexes.reset(true);
        long baseOffset = seg.baseOffset();
        long fileSize = seg.channel().size();
        int limit = (int) Math.min(fileSize, Integer.MAX_VALUE);
        long pos = 0;
        long expectedNext = baseOffset;
        String problem = null;
        long problemOffset = -1;
        boolean zeroTail = false;
        while (pos < limit) {
            if (limit - pos < BatchHeader.HEADER_SIZE) {
                problem = "torn batch header (" + (limit - pos) + " bytes)";
                break;
            }
            BatchHeader h = seg.readHeader(pos);
            if (h == null) {
                problem = "torn batch header";
                break;
            }
            problemOffset = h.baseOffset();
            if (h.isZeroed() && seg.isZeroFrom(pos, limit)) {
                // the zeros written ahead of the appends (LogSegment.zeroFillAhead): the data ends here
                zeroTail = true;
                problemOffset = -1;
                break;
            }
            if (!h.isStructurallyValid()) {
                problem = "invalid batch header (magic " + h.magic() + ", size " + h.sizeInBytes()
                        + ", last offset delta " + h.lastOffsetDelta() + ")";
                break;
            }
            if (h.nextPosition() > limit) {
                problem = "torn batch (" + (limit - pos) + " of " + h.sizeInBytes() + " bytes)";
                break;
            }
            if (h.baseOffset() < expectedNext || h.lastOffset() - baseOffset > Integer.MAX_VALUE) {
                problem = "batch offsets " + h.baseOffset() + ".." + h.lastOffset()
                        + " out of order (expected at least " + expectedNext + ")";
                break;
            }
            if (!seg.crcMatches(h)) {
                problem = "CRC mismatch";
                break;
            }
            indexes.onBatch(h, (int) pos, indexIntervalBytes);
            onBatch.accept(h, (int) pos);
            expectedNext = h.nextOffset();
            pos = h.nextPosition();
            problemOffset = -1;
        }
        if (zeroTail)
            log.debug("{}: {} bytes of zeros written ahead after the last batch", seg.logFile(), fileSize - pos);
        int truncated = zeroTail ? 0 : (int) (fileSize - pos);
        seg.recovered((int) pos);
        int droppedTxns = indexes.txnIndex().truncateTo(expectedNext);
        if (droppedTxns > 0)
            log.warn(
                    "Removed {} aborted transaction(s) at or above offset {} from {}: their markers are not in the recovered data",
                    droppedTxns,
                    expectedNext,
                    indexes.txnIndex().file());
        if (problem == null && truncated > 0) problem = "trailing bytes";
        return new Result((int) pos, truncated, expectedNext, problem, problemOffset);
    }

    /**
     * Rebuilds the indexes by scanning batch headers (no CRC): used when index files are missing or insane at open.
     * Stops at the first header that is not a plausible batch inside the file.
     */
    static void rebuildIndexes(LogSegment seg, int indexIntervalBytes) throws IOException {
        SegmentIndexes indexes = seg.indexes();
        indexes.reset(false);
        int limit = seg.size();
        long pos = 0;
        while (pos + BatchHeader.HEADER_SIZE <= limit) {
            BatchHeader h = seg.readHeader(pos);
            if (h == null || !h.isStructurallyValid() || h.nextPosition() > limit) break;
            indexes.onBatch(h, (int) pos, indexIntervalBytes);
            pos = h.nextPosition();
        }
        indexes.markChanged();
    }
}
