package io.strand.wal.cleaner;

/**
 * The log cleaner's broker settings, with Kafka's names and defaults.
 *
 * @param enabled            {@code log.cleaner.enable} (true)
 * @param threads            {@code log.cleaner.threads} (1)
 * @param dedupeBufferSize   {@code log.cleaner.dedupe.buffer.size}: memory of the key maps of all threads (128 MiB)
 * @param ioBufferSize       {@code log.cleaner.io.buffer.size}: read and write buffer of each thread (512 KiB)
 * @param maxIoBytesPerSecond {@code log.cleaner.io.max.bytes.per.second}: reads plus writes of all threads
 * @param backoffMs          {@code log.cleaner.backoff.ms}: sleep when no log needs cleaning (15 s)
 */
public record CleanerConfig(
        boolean enabled,
        int threads,
        long dedupeBufferSize,
        int ioBufferSize,
        double maxIoBytesPerSecond,
        long backoffMs) {

    /** Kafka's {@code log.cleaner.io.buffer.load.factor}: how full a key map may get. */
    static final double LOAD_FACTOR = 0.9;

    public CleanerConfig {
        if (threads < 0) throw new IllegalArgumentException("log.cleaner.threads must not be negative: " + threads);
        if (dedupeBufferSize < 1 << 16)
            throw new IllegalArgumentException(
                    "log.cleaner.dedupe.buffer.size must be at least 65536: " + dedupeBufferSize);
        if (ioBufferSize < 1024)
            throw new IllegalArgumentException("log.cleaner.io.buffer.size must be at least 1024: " + ioBufferSize);
        if (!(maxIoBytesPerSecond > 0))
            throw new IllegalArgumentException(
                    "log.cleaner.io.max.bytes.per.second must be positive: " + maxIoBytesPerSecond);
        if (backoffMs < 0)
            throw new IllegalArgumentException("log.cleaner.backoff.ms must not be negative: " + backoffMs);
    }

    public static CleanerConfig defaults() {
        return new CleanerConfig(true, 1, 128L << 20, 512 * 1024, Double.MAX_VALUE, 15_000);
    }

    public CleanerConfig withThreads(int v) {
        return new CleanerConfig(enabled, v, dedupeBufferSize, ioBufferSize, maxIoBytesPerSecond, backoffMs);
    }

    public CleanerConfig withDedupeBufferSize(long v) {
        return new CleanerConfig(enabled, threads, v, ioBufferSize, maxIoBytesPerSecond, backoffMs);
    }

    public CleanerConfig withBackoffMs(long v) {
        return new CleanerConfig(enabled, threads, dedupeBufferSize, ioBufferSize, maxIoBytesPerSecond, v);
    }

    public CleanerConfig withMaxIoBytesPerSecond(double v) {
        return new CleanerConfig(enabled, threads, dedupeBufferSize, ioBufferSize, v, backoffMs);
    }

    /** Memory of one thread's key map. */
    long dedupeBufferPerThread() {
        return dedupeBufferSize / Math.max(1, threads);
    }
}
