package io.strand.wal;

import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * The result of {@link PartitionLog#read}.
 *
 * @param records        a {@link FileSlice} of whole batches, or {@link MemoryRecords#EMPTY}
 * @param logStartOffset the log start offset when the read was served
 * @param logEndOffset   the log end offset when the read was served
 */
public record LogReadResult(BaseRecords records, long logStartOffset, long logEndOffset) {

    public boolean isEmpty() {
        return records.sizeInBytes() == 0;
    }
}
