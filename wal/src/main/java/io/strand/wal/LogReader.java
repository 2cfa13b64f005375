package io.strand.wal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The read side of one partition log: fetch reads as zero-copy slices, the aborted transactions of a fetched range,
 * batches for rebuilding producer state, and ListOffsets lookups by timestamp.
 *
 * <p>Thread-safety: any number of threads, concurrently with the writer, without the log lock. The caller reads the
 * log's (volatile) log start and end offsets first and passes them in; everything below the end offset was
 * published before it (segment sizes, index entries), so a read never sees a partial batch. I/O errors are mapped by
 * the log ({@code readFailure}), which knows whether it was closed meanwhile.
 */
final class LogReader {
    private final LogSegments segments;
    private final LeaderEpochCache epochCache;
    private final Function<IOException, KafkaStorageException> readFailure;

    LogReader(
            LogSegments segments,
            LeaderEpochCache epochCache,
            Function<IOException, KafkaStorageException> readFailure) {
        this.segments = segments;
        this.epochCache = epochCache;
        this.readFailure = readFailure;
    }

    /**
     * See {@link PartitionLog#abortedTransactions}: the transaction indexes of the segments from the one holding
     * {@code startOffset} to the last (a transaction that ends in a segment is indexed there, so none before it can
     * hold a match). Each index is skipped without I/O when its in-memory bounds exclude a match.
     */
    List<AbortedTxn> abortedTransactions(long startOffset, long upperBoundOffset) {
        List<AbortedTxn> out = new ArrayList<>();
        try {
            for (LogSegment seg : segments.from(startOffset))
                seg.indexes().txnIndex().collect(startOffset, upperBoundOffset, out);
        } catch (IOException e) {
            throw readFailure.apply(e);
        }
        return out;
    }

    /**
     * See {@link PartitionLog#read}: whole batches from the one holding {@code startOffset} (in range, checked by
     * the caller) within one segment, none whose last offset is at or above {@code maxOffset}; null when the
     * segment that held {@code startOffset} was removed after the caller's range check.
     */
    LogReadResult read(long startOffset, int maxBytes, long maxOffset, boolean minOneBatch, long start, long end) {
        try {
            Map.Entry<Long, LogSegment> e = segments.floorEntry(startOffset);
            if (e == null) return null; // retention or a full truncation removed it meanwhile
            while (e != null) {
                LogSegment seg = e.getValue();
                FileSlice slice = seg.read(startOffset, maxBytes, maxOffset, minOneBatch, seg.size());
                if (slice != null)
                    return new LogReadResult(slice.sizeInBytes() == 0 ? MemoryRecords.EMPTY : slice, start, end);
                e = segments.higherEntry(e.getKey());
            }
        } catch (IOException ex) {
            throw readFailure.apply(ex);
        }
        return new LogReadResult(MemoryRecords.EMPTY, start, end);
    }

    /**
     * Batches from the one containing {@code offset} to {@code end} (the log end offset at the time of the call),
     * read onto the heap one at a time and CRC-checked.
     */
    Iterable<RecordBatch> batchesFrom(long offset, long end) {
        return () -> new Iterator<>() {
            private Map.Entry<Long, LogSegment> entry = initialEntry();
            private long pos = -1;
            private RecordBatch nextBatch;

            private Map.Entry<Long, LogSegment> initialEntry() {
                Map.Entry<Long, LogSegment> e = segments.floorEntry(offset);
                return e != null ? e : segments.firstEntry();
            }

            @Override
            public boolean hasNext() {
                if (nextBatch != null) return true;
                try {
                    while (entry != null) {
                        LogSegment seg = entry.getValue();
                        int limit = seg.size();
                        if (pos < 0) {
                            BatchHeader h = seg.findBatch(offset, limit);
                            pos = h == null ? limit : h.position();
                        }
                        if (pos < limit) {
                            BatchHeader h = seg.readValidHeader(pos, limit);
                            if (h.baseOffset() >= end) return false;
                            pos = h.nextPosition();
                            if (h.lastOffset() < offset) continue;
                            nextBatch = seg.readBatch(h);
                            return true;
                        }
                        entry = segments.higherEntry(entry.getKey());
                        pos = entry == null ? -1 : 0;
                    }
                    return false;
                } catch (IOException e) {
                    throw readFailure.apply(e);
                }
            }

            @Override
            public RecordBatch next() {
                if (!hasNext()) throw new NoSuchElementException();
                RecordBatch b = nextBatch;
                nextBatch = null;
                return b;
            }
        };
    }

    /** See {@link PartitionLog#offsetForTimestamp}; {@code timestamp} is not one of the special values. */
    Optional<TimestampOffset> offsetForTimestamp(long timestamp, long start, long end) {
        try {
            for (LogSegment seg : segments.from(start)) {
                if (seg.maxTimestampSoFar() < timestamp) continue;
                TimestampOffset r = seg.findOffsetByTimestamp(timestamp, start);
                if (r != null && r.offset() < end)
                    return Optional.of(
                            new TimestampOffset(r.timestamp(), Math.max(r.offset(), start), r.leaderEpoch()));
            }
        } catch (IOException e) {
            throw readFailure.apply(e);
        }
        return Optional.empty();
    }

    /** ListOffsets for the earliest offsets (-2, -4): the log start with the epoch that covers it. */
    TimestampOffset earliest(long start) {
        return new TimestampOffset(RecordBatch.NO_TIMESTAMP, start, epochCache.epochForOffset(start));
    }

    /** ListOffsets LATEST (-1): the log end with the latest epoch. */
    TimestampOffset latest(long end) {
        return new TimestampOffset(
                RecordBatch.NO_TIMESTAMP, end, epochCache.latestEpoch().orElse(-1));
    }

    /** The first record with the largest timestamp in the log at or above {@code start}, or empty. */
    Optional<TimestampOffset> offsetOfMaxTimestamp(long start) {
        LogSegment best = null;
        for (LogSegment seg : segments.all()) {
            if (seg.maxTimestampSoFar() >= 0 && (best == null || seg.maxTimestampSoFar() > best.maxTimestampSoFar()))
                best = seg;
        }
        if (best == null) return Optional.empty();
        try {
            TimestampOffset r = best.maxTimestampAndOffset();
            if (r == null || r.offset() < start) return Optional.empty();
            return Optional.of(r);
        } catch (IOException e) {
            throw readFailure.apply(e);
        }
    }
}
