package io.strand.server.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.share.ShareSessions.SessionPartition;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Share sessions: epochs, incremental partitions, the final epoch, and the session limit. */
class ShareSessionsTest {
    private static final Uuid T = Uuid.randomUuid();
    private static final SessionPartition P0 = new SessionPartition(T, 0);
    private static final SessionPartition P1 = new SessionPartition(T, 1);

    @Test
    void shouldFollowKafkasEpochRules() {
        ShareSessions s = new ShareSessions(10, 30_000, (g, m) -> {});
        assertEquals(
                Errors.SHARE_SESSION_NOT_FOUND,
                s.fetch("g", "m", 1, List.of(P0), List.of(), false).error());
        assertEquals(
                Errors.INVALID_REQUEST,
                s.fetch("g", "m", 0, List.of(P0), List.of(), true).error());
        ShareSessions.Context open = s.fetch("g", "m", 0, List.of(P0), List.of(), false);
        assertTrue(open.full());
        assertEquals(List.of(P0), open.partitions());
        assertEquals(
                Errors.INVALID_SHARE_SESSION_EPOCH,
                s.fetch("g", "m", 2, List.of(), List.of(), false).error());
        assertEquals(
                List.of(P0, P1),
                s.fetch("g", "m", 1, List.of(P1), List.of(), false).partitions());
        assertEquals(
                List.of(P1), s.fetch("g", "m", 2, List.of(), List.of(P0), false).partitions());
        assertEquals(Errors.NONE, s.acknowledge("g", "m", 3));
        assertEquals(Errors.INVALID_SHARE_SESSION_EPOCH, s.acknowledge("g", "m", 0));
        assertEquals(Errors.INVALID_SHARE_SESSION_EPOCH, s.acknowledge("g", "m", 3));
        assertEquals(
                Errors.INVALID_REQUEST,
                s.fetch("g", "m", -1, List.of(P0), List.of(), false).error());
        assertTrue(s.fetch("g", "m", -1, List.of(), List.of(), true).closing());
        assertTrue(s.close("g", "m"));
        assertEquals(Errors.SHARE_SESSION_NOT_FOUND, s.acknowledge("g", "m", 5));
    }

    @Test
    void shouldRefuseANewSessionBeyondTheLimitUnlessTheOldestIsIdle() throws Exception {
        List<String> released = new ArrayList<>();
        ShareSessions busy = new ShareSessions(2, 60_000, (g, m) -> released.add(m));
        busy.fetch("g", "a", 0, List.of(P0), List.of(), false);
        busy.fetch("g", "b", 0, List.of(P0), List.of(), false);
        assertEquals(
                Errors.SHARE_SESSION_LIMIT_REACHED,
                busy.fetch("g", "c", 0, List.of(P0), List.of(), false).error());
        assertTrue(released.isEmpty());

        long[] now = {1_000};
        ShareSessions idle = new ShareSessions(2, 500, (g, m) -> released.add(m), () -> now[0]);
        idle.fetch("g", "a", 0, List.of(P0), List.of(), false);
        idle.fetch("g", "b", 0, List.of(P0), List.of(), false);
        now[0] += 499;
        idle.fetch("g", "a", 1, List.of(), List.of(), false); // a used last: b is the least recently used
        assertEquals(
                Errors.SHARE_SESSION_LIMIT_REACHED,
                idle.fetch("g", "c", 0, List.of(P0), List.of(), false).error(),
                "b has been idle 499 ms, under the 500 ms that allow its eviction");
        now[0] += 1;
        assertEquals(
                Errors.NONE,
                idle.fetch("g", "c", 0, List.of(P0), List.of(), false).error());
        assertEquals(List.of("b"), released);
        assertEquals(2, idle.size());
    }
}
