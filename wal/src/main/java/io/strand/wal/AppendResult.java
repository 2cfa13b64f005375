package io.strand.wal;

/**
 * What an append did.
 *
 * @param firstOffset     offset of the first record appended (the log end offset before the append)
 * @param lastOffset      offset of the last record appended ({@code firstOffset - 1} when nothing was appended)
 * @param logAppendTimeMs the broker time stamped into the batches, or -1 unless the log uses LOG_APPEND_TIME
 * @param maxTimestamp    largest timestamp among the appended batches (-1 if none)
 * @param recordCount     number of records appended
 * @param validBytes      bytes appended
 * @param logStartOffset  the log start offset after the append
 */
public record AppendResult(
        long firstOffset,
        long lastOffset,
        long logAppendTimeMs,
        long maxTimestamp,
        int recordCount,
        int validBytes,
        long logStartOffset) {

    /** The offset after the last appended record: hand it to {@link PartitionLog#awaitDurable(long)}. */
    public long nextOffset() {
        return lastOffset + 1;
    }
}
