package io.strand.wal.cleaner;

/**
 * Holds the cleaner threads to {@code log.cleaner.io.max.bytes.per.second} together: each reports the bytes it read
 * or wrote, and sleeps when the rate over the current window is above the limit.
 *
 * <p>Thread-safe.
 */
final class Throttler {
    private static final long WINDOW_NS = 300_000_000L;
    private final double bytesPerSecond;
    private long windowStart = System.nanoTime();
    private long windowBytes;

    Throttler(double bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    void maybeThrottle(long bytes) throws InterruptedException {
        if (bytesPerSecond >= Double.MAX_VALUE) return;
        long sleepMs;
        synchronized (this) {
            windowBytes += bytes;
            long now = System.nanoTime();
            long elapsed = now - windowStart;
            if (elapsed < WINDOW_NS) return;
            double rate = windowBytes * 1e9 / elapsed;
            sleepMs = rate > bytesPerSecond ? (long) ((windowBytes / bytesPerSecond) * 1000 - elapsed / 1e6) : 0;
            windowStart = now;
            windowBytes = 0;
        }
        if (sleepMs > 0) Thread.sleep(sleepMs);
    }
}
