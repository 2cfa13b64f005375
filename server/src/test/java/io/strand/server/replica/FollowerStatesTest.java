package io.strand.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When a follower is caught up, for the ISR: with a durable end that trails its fetches by an fsync (a follower that
 * fetches ahead), it stays in sync as long as it becomes durable within the lag time; with a durable end that stops,
 * it lags, however often it fetches.
 */
class FollowerStatesTest {
    private static final int LEADER = 1;
    private static final int FOLLOWER = 2;
    private static final long MAX_LAG_MS = 1_000;

    @Test
    void shouldKeepAFollowerWhoseDurableEndTrailsItsFetchesInSync() {
        FollowerStates states = new FollowerStates(LEADER);
        states.track(List.of(LEADER, FOLLOWER), 0);
        // a record every ms at the leader; the follower fetches every ms and is durable 50 ms behind
        for (long now = 1; now <= 10_000; now++) {
            long leaderEnd = now;
            states.onFetch(FOLLOWER, Math.max(0, leaderEnd - 50), leaderEnd, now);
            if (now % 100 == 0) {
                assertEquals(List.of(), states.lagging(List.of(LEADER, FOLLOWER), now, MAX_LAG_MS), "at " + now);
            }
        }
        assertEquals(9_950, states.minLogEnd(List.of(LEADER, FOLLOWER), 10_000));
    }

    @Test
    void shouldFindAFollowerLaggingWhenItsDurableEndStops() {
        FollowerStates states = new FollowerStates(LEADER);
        states.track(List.of(LEADER, FOLLOWER), 0);
        for (long now = 1; now <= 3_000; now++) {
            long leaderEnd = now;
            long durable = Math.min(leaderEnd, 500); // its fsyncs stop at 500
            states.onFetch(FOLLOWER, durable, leaderEnd, now);
        }
        assertEquals(List.of(FOLLOWER), states.lagging(List.of(LEADER, FOLLOWER), 3_000, MAX_LAG_MS));
        assertEquals(500, states.minLogEnd(List.of(LEADER, FOLLOWER), 3_000));
    }

    @Test
    void shouldCountAFollowerCaughtUpWhenItHasTheLeadersWholeLog() {
        FollowerStates states = new FollowerStates(LEADER);
        states.track(List.of(LEADER, FOLLOWER), 0);
        states.onFetch(FOLLOWER, 10, 10, 5_000);
        assertEquals(List.of(), states.lagging(List.of(LEADER, FOLLOWER), 5_900, MAX_LAG_MS));
        assertEquals(List.of(FOLLOWER), states.lagging(List.of(LEADER, FOLLOWER), 6_100, MAX_LAG_MS));
    }

    @Test
    void shouldKeepAFollowerThatStaysCaughtUpOnAnIdlePartitionInSync() {
        FollowerStates states = new FollowerStates(LEADER);
        states.track(List.of(LEADER, FOLLOWER), 0);
        states.onFetch(FOLLOWER, 10, 10, 1_000); // caught up; nothing is appended after
        for (long now = 1_010; now <= 10_000; now += 10) { // its fetches skip the unchanged partition
            states.stillCaughtUp(FOLLOWER, now);
        }
        // written at most every 100 ms: still in sync well within the lag limit after the last fetch
        assertEquals(List.of(), states.lagging(List.of(LEADER, FOLLOWER), 10_900, MAX_LAG_MS));
        // and lagging once it stops fetching for longer than the limit
        assertEquals(List.of(FOLLOWER), states.lagging(List.of(LEADER, FOLLOWER), 11_200, MAX_LAG_MS));
        states.stillCaughtUp(99, 11_200); // a replica it does not track: ignored
        assertEquals(10, states.minLogEnd(List.of(LEADER, FOLLOWER), 10));
    }
}
