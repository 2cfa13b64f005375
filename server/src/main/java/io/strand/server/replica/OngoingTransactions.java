package io.strand.server.replica;

import java.util.Map;
import java.util.TreeMap;

/**
 * The transactions of one partition that are not yet stable, for its last stable offset (LSO): those
 * still open (by the offset of their first record) and those whose commit or abort marker is written
 * but not yet below the high watermark (Kafka's "unreplicated" completed transactions). The LSO is
 * the smallest first offset among them, or the high watermark when there is none; read_committed
 * consumers read up to it.
 *
 * <p>Completed transactions are forgotten once the high watermark passes their marker: at each ask
 * for the LSO, which the partition makes whenever its high watermark moves (leader and follower
 * alike), so the map holds only transactions near the log end.
 *
 * <p>Thread-safe: appenders change it under the partition's append lock, readers ask for the LSO from
 * request threads.
 */
final class OngoingTransactions {
    /** first offset -> producer id, for transactions without a marker yet. */
    private final TreeMap<Long, Long> open = new TreeMap<>();
    /** first offset -> marker offset, for completed transactions whose marker may be above the high watermark. */
    private final TreeMap<Long, Long> completed = new TreeMap<>();

    synchronized void begin(long producerId, long firstOffset) {
        open.put(firstOffset, producerId);
    }

    /** The transaction that began at {@code firstOffset} got its marker at {@code markerOffset}. */
    synchronized void complete(long firstOffset, long markerOffset) {
        open.remove(firstOffset);
        completed.put(firstOffset, markerOffset);
    }

    /** The first offset of the oldest transaction still open, if any, else {@code otherwise}. */
    synchronized long firstOpenOffset(long otherwise) {
        return open.isEmpty() ? otherwise : open.firstKey();
    }

    /** The last stable offset for high watermark {@code hw}: completed transactions whose marker is below it are stable. */
    synchronized long lastStableOffset(long hw) {
        completed.values().removeIf(marker -> marker < hw);
        long lso = hw;
        if (!open.isEmpty()) {
            lso = Math.min(lso, open.firstKey());
        }
        if (!completed.isEmpty()) {
            lso = Math.min(lso, completed.firstKey());
        }
        return lso;
    }

    /** Completed transactions whose marker was not yet below the high watermark when last asked. */
    synchronized int completedNotYetStable() {
        return completed.size();
    }

    synchronized int openCount() {
        return open.size();
    }

    synchronized void clear() {
        open.clear();
        completed.clear();
    }

    /** Open transactions by first offset (a copy). */
    synchronized Map<Long, Long> open() {
        return new TreeMap<>(open);
    }
}
