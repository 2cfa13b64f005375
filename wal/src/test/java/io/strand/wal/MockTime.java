package io.strand.wal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.Time;

/** A clock the test moves by hand. */
final class MockTime implements Time {
    private final AtomicLong ms;

    MockTime(long startMs) {
        ms = new AtomicLong(startMs);
    }

    void advance(long deltaMs) {
        ms.addAndGet(deltaMs);
    }

    @Override
    public long milliseconds() {
        return ms.get();
    }

    @Override
    public long nanoseconds() {
        return ms.get() * 1_000_000L;
    }

    @Override
    public void sleep(long millis) {
        advance(millis);
    }

    @Override
    public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) throws InterruptedException {
        synchronized (obj) {
            while (!condition.get() && milliseconds() < deadlineMs) obj.wait(10);
        }
    }
}
