package io.strand.server.share;

import io.strand.server.replica.Partition;
import io.strand.wal.FileSlice;
import io.strand.wal.LogReadResult;
import io.strand.wal.PartitionLog;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * What a share partition reads of its data partition's log: whole batches below the high watermark
 * (share groups read uncommitted-isolation records that are replicated, as a Kafka consumer with
 * {@code read_uncommitted} does). Reads are copied onto the heap: a share fetch answers a chosen
 * subset of the batches read, so it is not sent zero-copy.
 */
public interface ShareLog {
    long logStartOffset();

    long highWatermark();

    /**
     * Batches from the one containing {@code offset}, up to {@code maxBytes} (the first one whole with
     * {@code minOneBatch}), never past the high watermark.
     *
     * @throws org.apache.kafka.common.errors.OffsetOutOfRangeException below the log start
     */
    MemoryRecords read(long offset, int maxBytes, boolean minOneBatch);

    static ShareLog of(Partition p) {
        return new ShareLog() {
            @Override
            public long logStartOffset() {
                return p.log().logStartOffset();
            }

            @Override
            public long highWatermark() {
                return p.highWatermark();
            }

            @Override
            public MemoryRecords read(long offset, int maxBytes, boolean minOneBatch) {
                return onHeap(p.readCommitted(offset, maxBytes, minOneBatch));
            }
        };
    }

    /** A log read directly (unit tests on real logs): reads stop at the log's high watermark. */
    static ShareLog of(PartitionLog log) {
        return new ShareLog() {
            @Override
            public long logStartOffset() {
                return log.logStartOffset();
            }

            @Override
            public long highWatermark() {
                return log.highWatermark();
            }

            @Override
            public MemoryRecords read(long offset, int maxBytes, boolean minOneBatch) {
                return onHeap(log.read(offset, maxBytes, log.highWatermark(), minOneBatch));
            }
        };
    }

    private static MemoryRecords onHeap(LogReadResult r) {
        BaseRecords records = r.records();
        if (records instanceof MemoryRecords m) {
            return m;
        }
        if (records instanceof FileSlice f) {
            return f.readIntoMemory();
        }
        throw new IllegalStateException("unexpected records " + records.getClass());
    }
}
