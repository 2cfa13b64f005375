package io.strand.wal;

/**
 * An aborted transaction of one producer in one partition, as the transaction index ({@code .txnindex}) stores it
 * (Kafka's {@code AbortedTxn}): Fetch at {@code read_committed} answers the entries that overlap the fetched range,
 * and consumers drop that producer's records from {@code firstOffset} up to the ABORT marker.
 *
 * @param producerId the producer whose transaction was aborted
 * @param firstOffset the offset of the transaction's first record in this partition
 * @param lastOffset the offset of its ABORT marker (a control batch already in the log)
 * @param lastStableOffset the partition's last stable offset once this transaction was complete: the first offset of
 *     the earliest transaction still open then, or {@code lastOffset + 1} when none was
 */
public record AbortedTxn(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {}
