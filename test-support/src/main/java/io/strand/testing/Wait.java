package io.strand.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one way tests wait for something to happen: poll a condition until it holds, and fail with a
 * message saying what did not happen (Kafka's {@code TestUtils.waitForCondition}). A condition
 * that throws an {@link Exception} counts as "not yet" (a broker that is still starting, a
 * connection refused); the last such exception is reported as the cause if time runs out. An
 * {@link Error} (an {@link AssertionError} from inside the condition) ends the wait at once.
 *
 * <p>{@link #assertStaysTrue} is the only sanctioned "nothing happened" check: a bounded observation,
 * for the rare claim that no event can prove; its caller says in a comment why the period is enough.
 *
 * <p>Threading: static methods; the condition runs on the calling thread, between short pauses
 * (10 ms growing to 100 ms).
 */
public final class Wait {
    private static final long FIRST_PAUSE_MS = 10;
    private static final long MAX_PAUSE_MS = 100;

    private Wait() {}

    /** A condition to poll; throwing an {@link Exception} means "not yet". */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A value to poll; throwing an {@link Exception} means "not yet". */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    /**
     * Waits until {@code condition} holds; after {@code timeout} fails with "timed out after
     * {@code timeout} waiting until {@code what}".
     */
    public static void waitUntil(String what, Duration timeout, Condition condition) throws InterruptedException {
        waitUntil(what, timeout, condition, null);
    }

    /**
     * As {@link #waitUntil(String, Duration, Condition)}; on timeout the message also carries
     * {@code details} (what the test saw last: the missing records, a command's output…).
     */
    public static void waitUntil(String what, Duration timeout, Condition condition, Supplier<String> details)
            throws InterruptedException {
        Objects.requireNonNull(condition, "condition");
        waitFor(what, timeout, condition::holds, Boolean.TRUE::equals, details);
    }

    /**
     * Polls {@code probe} until its value is {@code accepted} and returns that value, e.g. the
     * description of a partition once it names a new leader.
     */
    public static <T> T waitFor(String what, Duration timeout, Probe<T> probe, Predicate<? super T> accepted)
            throws InterruptedException {
        return waitFor(what, timeout, probe, accepted, null);
    }

    /** As {@link #waitFor(String, Duration, Probe, Predicate)}, with {@code details} in the failure message. */
    public static <T> T waitFor(
            String what, Duration timeout, Probe<T> probe, Predicate<? super T> accepted, Supplier<String> details)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_MS;
        Exception last = null;
        while (true) {
            try {
                T value = probe.get();
                if (accepted.test(value)) {
                    return value;
                }
                last = null;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                throw timedOut(what, timeout, details, last);
            }
            Thread.sleep(pause);
            pause = Math.min(MAX_PAUSE_MS, pause * 2);
        }
    }

    /**
     * A bounded observation: checks {@code condition} for {@code period} and fails at once, naming
     * {@code what}, when it stops holding. Only for claims no event can prove (that something does
     * <em>not</em> happen); prefer waiting for the event that proves the claim.
     */
    public static void assertStaysTrue(String what, Duration period, Condition condition) throws InterruptedException {
        long end = System.nanoTime() + period.toNanos();
        do {
            boolean holds;
            try {
                holds = condition.holds();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError("stopped holding (the check threw): " + what, e);
            }
            if (!holds) {
                throw new AssertionError("stopped holding within " + describe(period) + ": " + what);
            }
            Thread.sleep(MAX_PAUSE_MS / 2);
        } while (System.nanoTime() - end < 0);
    }

    private static AssertionError timedOut(String what, Duration timeout, Supplier<String> details, Exception last) {
        StringBuilder message = new StringBuilder("timed out after ")
                .append(describe(timeout))
                .append(" waiting until ")
                .append(what);
        if (details != null) {
            String d;
            try {
                d = details.get();
            } catch (RuntimeException e) {
                d = "(details unavailable: " + e + ")";
            }
            message.append(": ").append(d);
        }
        if (last != null) {
            message.append(" (last check threw ").append(last).append(')');
        }
        return new AssertionError(message.toString(), last);
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
