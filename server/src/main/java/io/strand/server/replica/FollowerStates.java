package io.strand.server.replica;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a leader knows of its followers in its current epoch (Kafka's per-replica state): each follower's durable
 * log end (the offset it fetches from, or less when it reports that its log is fsynced only that far:
 * {@link DurabilityReports}), when it last fetched, and when it last caught up with the leader's log end. The leader's {@link Partition} asks it which followers may join the ISR, which ISR members lag,
 * and how far every ISR member has the log (for the high watermark).
 *
 * <p>Thread-safe: fetches are recorded by request threads, lag is checked by the ISR thread, and the replica set is
 * changed by the replica-state thread (under the partition's role lock); per follower, the fields are volatile and
 * written by the fetches of that follower.
 */
final class FollowerStates {
    /** One follower. */
    private static final class Follower {
        volatile long logEnd = -1;
        volatile long lastCaughtUpMs;
        volatile long lastFetchMs;
        /**
         * {@code {timeMs, leaderEnd}} at this follower's recent fetches that its durable end has not reached yet,
         * oldest first (leader ends grow within an epoch), at most one per millisecond and {@link #MAX_PENDING}.
         * Guarded by the follower.
         */
        final ArrayDeque<long[]> leaderEndsAtFetches = new ArrayDeque<>();

        Follower(long nowMs) {
            this.lastCaughtUpMs = nowMs;
        }
    }

    /** A follower's fetches remembered until its durable end passes the leader's end at them. */
    private static final int MAX_PENDING = 64;

    /** How stale a still-caught-up follower's caught-up time may get before it is written again. */
    static final long STILL_CAUGHT_UP_RESOLUTION_MS = 100;

    private final int localBrokerId;
    private final ConcurrentHashMap<Integer, Follower> followers = new ConcurrentHashMap<>();
    /** The ISR members found lagging by the last ISR check: their removal is asked for, maybe not done yet. */
    private volatile List<Integer> laggingIsr = List.of();

    FollowerStates(int localBrokerId) {
        this.localBrokerId = localBrokerId;
    }

    /** Forgets every follower (a new epoch, or no longer leader). */
    void clear() {
        followers.clear();
        laggingIsr = List.of();
    }

    /** Remembers the ISR members found lagging, until the next check. */
    void noteLagging(List<Integer> lagging) {
        laggingIsr = List.copyOf(lagging);
    }

    /**
     * The members of {@code isr} that are in sync as far as the leader can tell: all but those the last
     * check found lagging. Below min.insync.replicas while their removal cannot be written (ZooKeeper
     * unreachable), acks=all is refused at once instead of waiting for replicas that do not fetch.
     */
    List<Integer> inSync(List<Integer> isr) {
        List<Integer> lagging = laggingIsr;
        return lagging.isEmpty()
                ? isr
                : isr.stream().filter(r -> !lagging.contains(r)).toList();
    }

    /** Tracks exactly the other members of {@code replicas}; a new one counts as caught up now. */
    void track(List<Integer> replicas, long nowMs) {
        followers.keySet().retainAll(replicas);
        for (int r : replicas) {
            if (r != localBrokerId) {
                followers.computeIfAbsent(r, id -> new Follower(nowMs));
            }
        }
    }

    /**
     * A follower fetched while the leader's log ended at {@code leaderEnd}, and its log is durable up to
     * {@code durableEnd} (its fetch offset, unless it reported less): that is its log end for the high watermark.
     * It caught up at the newest earlier fetch whose leader end it has durably reached — now, if it has the leader's
     * whole log (Kafka's rule, generalised to a durable end that trails the fetch offset by an fsync). Returns false
     * for a replica that is not a tracked follower.
     */
    boolean onFetch(int replicaId, long durableEnd, long leaderEnd, long nowMs) {
        Follower s = followers.get(replicaId);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            ArrayDeque<long[]> pending = s.leaderEndsAtFetches;
            if (durableEnd >= leaderEnd) {
                s.lastCaughtUpMs = nowMs;
                pending.clear();
            } else {
                long caughtUpAt = -1;
                while (!pending.isEmpty() && pending.peekFirst()[1] <= durableEnd) {
                    caughtUpAt = pending.pollFirst()[0];
                }
                if (caughtUpAt >= 0) {
                    s.lastCaughtUpMs = Math.max(s.lastCaughtUpMs, caughtUpAt);
                }
                long[] last = pending.peekLast();
                if (last == null || last[0] < nowMs) {
                    if (pending.size() == MAX_PENDING) {
                        pending.pollFirst();
                    }
                    pending.addLast(new long[] {nowMs, leaderEnd});
                }
            }
            s.lastFetchMs = nowMs;
            s.logEnd = durableEnd;
        }
        return true;
    }

    /**
     * A follower that was caught up fetched again and nothing changed: it is caught up now. Written at most every
     * {@link #STILL_CAUGHT_UP_RESOLUTION_MS} (a follower of thousands of idle partitions says so at every fetch),
     * which the ISR's lag limit ({@code replica.lag.time.max.ms}, seconds) does not notice.
     */
    void stillCaughtUp(int replicaId, long nowMs) {
        Follower s = followers.get(replicaId);
        if (s != null && nowMs - s.lastCaughtUpMs >= STILL_CAUGHT_UP_RESOLUTION_MS) {
            s.lastCaughtUpMs = nowMs;
            s.lastFetchMs = nowMs;
        }
    }

    /** The members of {@code isr} other than this broker that have not caught up within {@code maxLagMs}. */
    List<Integer> lagging(List<Integer> isr, long nowMs, long maxLagMs) {
        List<Integer> lagging = new ArrayList<>();
        for (int r : isr) {
            Follower s = followers.get(r);
            if (r != localBrokerId && s != null && nowMs - s.lastCaughtUpMs > maxLagMs) {
                lagging.add(r);
            }
        }
        return lagging;
    }

    /**
     * The smallest log end over {@code isr}, where this broker's own counts as {@code localEnd}; -1 when an ISR
     * member has not fetched yet in this epoch (nothing is known of it).
     */
    long minLogEnd(List<Integer> isr, long localEnd) {
        long min = localEnd;
        for (int replica : isr) {
            if (replica != localBrokerId) {
                Follower s = followers.get(replica);
                if (s == null || s.logEnd < 0) {
                    return -1;
                }
                min = Math.min(min, s.logEnd);
            }
        }
        return min;
    }
}
