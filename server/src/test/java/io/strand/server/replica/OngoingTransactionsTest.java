package io.strand.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OngoingTransactionsTest {
    @Test
    void shouldHoldTheLastStableOffsetUntilTheMarkerIsBelowTheHighWatermarkThenForgetTheTransaction() {
        OngoingTransactions t = new OngoingTransactions();
        t.begin(1, 10);
        t.begin(2, 12);
        assertEquals(10, t.lastStableOffset(20));
        t.complete(10, 15); // producer 1's marker at 15
        assertEquals(10, t.lastStableOffset(15), "its marker is not below the high watermark yet");
        assertEquals(1, t.completedNotYetStable());
        assertEquals(12, t.lastStableOffset(16), "stable now: producer 2's open transaction holds it");
        assertEquals(0, t.completedNotYetStable(), "forgotten once stable");
        t.complete(12, 17);
        assertEquals(18, t.lastStableOffset(18));
        assertEquals(0, t.openCount());
        assertEquals(0, t.completedNotYetStable());
    }
}
