package io.strand.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WaitTest {
    @Test
    void shouldReturnOnceTheConditionHolds() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        Wait.waitUntil("the third poll", Duration.ofSeconds(5), () -> polls.incrementAndGet() == 3);
        assertEquals(3, polls.get());
    }

    @Test
    void shouldSayWhatDidNotHappenWithTheDetailsAndTheLastException() {
        AtomicInteger polls = new AtomicInteger();
        AssertionError e = assertThrows(
                AssertionError.class,
                () -> Wait.waitUntil(
                        "the broker answers",
                        Duration.ofMillis(200),
                        () -> {
                            if (polls.incrementAndGet() % 2 == 0) {
                                throw new IOException("connection refused");
                            }
                            return false;
                        },
                        () -> "polled " + polls.get() + " times"));
        assertTrue(
                e.getMessage().startsWith("timed out after 200 ms waiting until the broker answers: polled "),
                e.getMessage());
        assertTrue(polls.get() > 1, "polled until the deadline");
    }

    @Test
    void shouldTreatAnExceptionAsNotYetAndReportItAsTheCause() {
        IOException refused = new IOException("connection refused");
        AssertionError e = assertThrows(
                AssertionError.class,
                () -> Wait.waitUntil("connected", Duration.ofMillis(100), () -> {
                    throw refused;
                }));
        assertSame(refused, e.getCause());
        assertTrue(e.getMessage().contains("last check threw java.io.IOException: connection refused"), e.getMessage());
    }

    @Test
    void shouldEndTheWaitAtOnceOnAnAssertionErrorInTheCondition() {
        long start = System.nanoTime();
        AssertionError e = assertThrows(
                AssertionError.class,
                () -> Wait.waitUntil("never", Duration.ofSeconds(30), () -> {
                    throw new AssertionError("the process ended");
                }));
        assertEquals("the process ended", e.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
    }

    @Test
    void shouldReturnTheAcceptedValue() throws Exception {
        AtomicInteger n = new AtomicInteger();
        assertEquals(4, Wait.waitFor("n reaches 4", Duration.ofSeconds(5), n::incrementAndGet, v -> v >= 4));
    }

    @Test
    void shouldFailABoundedObservationAsSoonAsTheConditionStopsHolding() {
        AtomicInteger polls = new AtomicInteger();
        AssertionError e = assertThrows(
                AssertionError.class,
                () -> Wait.assertStaysTrue(
                        "one controller", Duration.ofSeconds(30), () -> polls.incrementAndGet() < 3));
        assertTrue(e.getMessage().contains("one controller"), e.getMessage());
        assertEquals(3, polls.get());
    }

    @Test
    void shouldPassABoundedObservationThatHoldsThroughout() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        Wait.assertStaysTrue("still true", Duration.ofMillis(200), () -> polls.incrementAndGet() > 0);
        assertTrue(polls.get() >= 2, "checked more than once: " + polls.get());
    }
}
