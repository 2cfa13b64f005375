package io.strand.wal;

import java.util.Map;

/**
 * What the log cleaner must know of a partition beyond its log, from the broker that owns the partition's producer
 * state ({@link CleanableLog#setHints}). Without hints the cleaner stops at the high watermark and keeps no batch for
 * any producer's sake.
 *
 * <p>Called from cleaner threads: implementations are thread-safe.
 */
public interface CleanerHints {
    /**
     * The first offset the cleaner may neither clean nor read keys from: the last stable offset (an open
     * transaction's first offset), never above the high watermark, so that nothing the cleaner relies on can be
     * truncated or aborted later.
     */
    long firstUnstableOffset();

    /**
     * The last entry of every producer whose state the partition still keeps, by producer id: the batch holding its
     * last data record is retained (emptied if need be) so that its sequence numbers and epoch survive cleaning, and
     * a producer whose last entry is a transaction marker keeps that marker.
     */
    Map<Long, LastProducerEntry> activeProducers();

    /**
     * A producer's last entry in the log.
     *
     * @param lastDataOffset the last offset of its last data batch, or -1 when its last entry is a marker
     * @param epoch          its epoch
     */
    record LastProducerEntry(long lastDataOffset, short epoch) {}
}
