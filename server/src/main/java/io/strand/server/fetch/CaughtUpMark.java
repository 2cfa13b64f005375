package io.strand.server.fetch;

/**
 * A follower's session partition that was caught up with the leader at a fetch: the leader's partition as it was
 * then (log end, high watermark, last stable offset, log start offset, and the version of its replica state, which
 * moves with its leader epoch and ISR). While the partition is as marked and the follower's requests do not name it
 * again, the follower still has all of it: a fetch need not read it, and its response would not carry it. The mark
 * is cleared when the follower names the partition (its fetch position moved).
 *
 * <p>With 10,000 partitions in a follower's session, this is what keeps a fetch's work to the partitions that
 * changed rather than all of them.
 *
 * <p>Thread-safe: the mark is one immutable value, replaced whole.
 */
public final class CaughtUpMark {
    private record At(long logEnd, long highWatermark, long lastStableOffset, long logStartOffset, int stateVersion) {}

    private volatile At at;

    /** Whether the leader's partition is still exactly as it was when the follower was marked caught up. */
    public boolean unchanged(long logEnd, long highWatermark, long lastStableOffset, long logStartOffset, int state) {
        At a = at;
        return a != null
                && a.logEnd == logEnd
                && a.highWatermark == highWatermark
                && a.lastStableOffset == lastStableOffset
                && a.logStartOffset == logStartOffset
                && a.stateVersion == state;
    }

    /** The follower had the whole log of the leader's partition, which was as given (read before the fetch read it). */
    public void mark(long logEnd, long highWatermark, long lastStableOffset, long logStartOffset, int state) {
        at = new At(logEnd, highWatermark, lastStableOffset, logStartOffset, state);
    }

    /** The follower's fetch position moved, or the partition needs a full read again. */
    public void clear() {
        at = null;
    }
}
