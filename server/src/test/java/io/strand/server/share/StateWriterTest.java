package io.strand.server.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * One share partition's state writes: one at a time, the changes made while a write is in flight
 * coalesced into the next single write, and every caller answered only by a write that started after
 * its change (so it contains it).
 */
class StateWriterTest {
    /** A state version counter stands for the share partition's state; each write carries the version it saw. */
    private final AtomicInteger version = new AtomicInteger();

    private final List<Integer> sent = new ArrayList<>();
    private final List<CompletableFuture<Errors>> inFlight = new ArrayList<>();

    private StateWriter writer() {
        return new StateWriter(
                () -> new ShareState(0, 0, version.get(), 0, List.of()),
                state -> {
                    synchronized (this) {
                        sent.add((int) state.startOffset());
                        CompletableFuture<Errors> f = new CompletableFuture<>();
                        inFlight.add(f);
                        return f;
                    }
                },
                e -> {});
    }

    private synchronized CompletableFuture<Errors> last() {
        return inFlight.get(inFlight.size() - 1);
    }

    @Test
    void shouldCoalesceTheChangesMadeDuringAWriteIntoOneNextWriteAndAnswerEachAfterAWriteContainingIt() {
        StateWriter w = writer();
        version.set(1);
        CompletableFuture<Errors> first = w.write();
        assertEquals(List.of(1), sent);
        List<CompletableFuture<Errors>> waiting = new ArrayList<>();
        for (int i = 2; i <= 50; i++) { // 49 acknowledgements while the first write is in flight
            version.set(i);
            waiting.add(w.write());
        }
        assertEquals(List.of(1), sent); // none sent yet: one at a time
        assertTrue(w.busy());
        last().complete(Errors.NONE);
        assertEquals(Errors.NONE, first.join());
        waiting.forEach(f -> assertFalse(f.isDone())); // their changes are not in the first write
        assertEquals(List.of(1, 50), sent); // one write for all 49, with the state as it is then
        last().complete(Errors.NONE);
        waiting.forEach(f -> assertEquals(Errors.NONE, f.join()));
        assertFalse(w.busy());
        assertEquals(2, sent.size());
    }

    @Test
    void shouldAnswerTheCoalescedCallersWithTheOutcomeOfTheWriteThatCarriedTheirChanges() {
        StateWriter w = writer();
        version.set(1);
        CompletableFuture<Errors> first = w.write();
        version.set(2);
        CompletableFuture<Errors> second = w.write();
        last().complete(Errors.NONE);
        assertEquals(Errors.NONE, first.join());
        last().complete(Errors.COORDINATOR_NOT_AVAILABLE); // the write carrying version 2 failed
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, second.join());
        version.set(3);
        CompletableFuture<Errors> third = w.write(); // idle again: sent at once
        assertEquals(List.of(1, 2, 3), sent);
        last().complete(Errors.NONE);
        assertEquals(Errors.NONE, third.join());
    }

    @Test
    void shouldNeverAnswerNoneToACallerWhoseChangeWasNotWrittenOnceStopped() {
        StateWriter w = writer();
        version.set(1);
        CompletableFuture<Errors> first = w.write();
        CompletableFuture<Errors> queued = w.write();
        w.stop();
        last().complete(Errors.NONE);
        assertEquals(Errors.NONE, first.join());
        // its change was not in the write that succeeded and no write follows: not NONE
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, queued.join());
        assertEquals(1, sent.size());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, w.write().join());
    }
}
