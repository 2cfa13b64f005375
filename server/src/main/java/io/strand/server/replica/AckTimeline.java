package io.strand.server.replica;

import io.strand.server.replica.AckLatency.Phase;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A leader's acks=all appends waiting for their acknowledgement, each with the time its append ended, so that
 * {@link AckLatency} can be told how long each step took: the leader's own durability, each follower's report,
 * the high watermark. An append leaves at the high watermark (or when leadership ends); at most {@link #MAX_PENDING}
 * are followed at a time (beyond that an append is not measured, which only happens when the ISR is far behind).
 *
 * <p>Thread-safe (its monitor): appended by request threads, advanced by fetches and the durable-listener pool.
 */
final class AckTimeline {
    static final int MAX_PENDING = 4096;

    /** One append: where it ends, when its append ended, and which steps are done. */
    private static final class Pending {
        final long endOffset;
        final long appendedNanos;
        boolean leaderDurable;
        /** The followers that reported it, as broker ids (few replicas: a short array). */
        int[] reported = new int[0];

        Pending(long endOffset, long appendedNanos) {
            this.endOffset = endOffset;
            this.appendedNanos = appendedNanos;
        }

        boolean reportedBy(int replicaId) {
            for (int r : reported) if (r == replicaId) return true;
            return false;
        }
    }

    private final AckLatency latency;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    AckTimeline(AckLatency latency) {
        this.latency = latency;
    }

    /** An acks=all append that started at {@code startNanos} ended now, before {@code endOffset}. */
    void appended(long endOffset, long startNanos) {
        long now = System.nanoTime();
        latency.record(Phase.LEADER_APPEND, now - startNanos);
        synchronized (this) {
            if (pending.size() < MAX_PENDING) pending.addLast(new Pending(endOffset, now));
        }
    }

    /** The leader's own log is durable below {@code durableEnd}. */
    void leaderDurable(long durableEnd) {
        long now = System.nanoTime();
        synchronized (this) {
            for (Pending p : pending) {
                if (p.endOffset > durableEnd) break;
                if (!p.leaderDurable) {
                    p.leaderDurable = true;
                    latency.record(Phase.LEADER_DURABLE, now - p.appendedNanos);
                }
            }
        }
    }

    /** Follower {@code replicaId} fetched from {@code fetchOffset}: it has (durably) everything below it. */
    void followerReported(int replicaId, long fetchOffset) {
        long now = System.nanoTime();
        synchronized (this) {
            for (Pending p : pending) {
                if (p.endOffset > fetchOffset) break;
                if (!p.reportedBy(replicaId)) {
                    int[] r = java.util.Arrays.copyOf(p.reported, p.reported.length + 1);
                    r[r.length - 1] = replicaId;
                    p.reported = r;
                    latency.record(Phase.FOLLOWER_REPORTED, now - p.appendedNanos);
                }
            }
        }
    }

    /** The high watermark passed {@code highWatermark}: those appends are acknowledged. */
    void committed(long highWatermark) {
        long now = System.nanoTime();
        synchronized (this) {
            Iterator<Pending> it = pending.iterator();
            while (it.hasNext()) {
                Pending p = it.next();
                if (p.endOffset > highWatermark) break;
                // the high watermark can pass the leader's durable end before its listener has told us
                if (!p.leaderDurable) latency.record(Phase.LEADER_DURABLE, now - p.appendedNanos);
                latency.record(Phase.COMMITTED, now - p.appendedNanos);
                it.remove();
            }
        }
    }

    /** Leadership ended or changed epoch: nothing pending is measured further. */
    synchronized void clear() {
        pending.clear();
    }
}
