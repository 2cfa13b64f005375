package io.strand.server.fetch;

/**
 * A follower's session partition that was caught up with the leader at a fetch: the leader's partition object and
 * its state then (log end, high watermark, log start offset, and the version of its replica state, which moves with
 * its leader epoch and ISR; the last stable offset moves only with the log end or the high watermark). While that
 * partition object still leads, its state is as marked, and the follower's requests do not name the partition
 * again, the follower still has all of it: a fetch need not resolve it, read it, or answer it. The mark is cleared
 * when the follower names the partition (its fetch position moved).
 *
 * <p>With 10,000 partitions in a follower's session, this is what keeps most of a fetch's work to the partitions
 * that changed.
 *
 * <p>Thread-safe: the mark is one immutable value, replaced whole.
 */
public final class CaughtUpMark {
    private record At(Object partition, long logEnd, long highWatermark, long logStartOffset, int stateVersion) {}

    private volatile At at;

    /** The leader's partition object the mark was taken on (the broker's own type), or null when unmarked. */
    public Object partition() {
        At a = at;
        return a == null ? null : a.partition;
    }

    /** Whether {@code partition}'s state is still exactly as when the follower was marked caught up on it. */
    public boolean unchanged(Object partition, long logEnd, long highWatermark, long logStartOffset, int state) {
        At a = at;
        return a != null
                && a.partition == partition
                && a.logEnd == logEnd
                && a.highWatermark == highWatermark
                && a.logStartOffset == logStartOffset
                && a.stateVersion == state;
    }

    /** The follower had the whole log of {@code partition}, whose state was as given (read before the fetch read it). */
    public void mark(Object partition, long logEnd, long highWatermark, long logStartOffset, int state) {
        at = new At(partition, logEnd, highWatermark, logStartOffset, state);
    }

    /** The follower's fetch position moved, or the partition needs a full read again. */
    public void clear() {
        at = null;
    }
}
