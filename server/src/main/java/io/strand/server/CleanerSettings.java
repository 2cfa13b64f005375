package io.strand.server;

import static io.strand.server.CleanerSettingsDefinition.*;

/**
 * Typed getters of the broker's log cleaner settings ({@link CleanerSettingsDefinition}). Each
 * getter reads its setting from the validated {@link BrokerConfig} when called, so that the
 * broker's record of the keys it read stays exact. Obtained from {@link BrokerConfig#cleaner()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class CleanerSettings {
    private final BrokerConfig c;

    CleanerSettings(BrokerConfig c) {
        this.c = c;
    }

    public boolean logCleanerEnable() {
        return c.getBoolean(LOG_CLEANER_ENABLE);
    }

    public int logCleanerThreads() {
        return c.getInt(LOG_CLEANER_THREADS);
    }

    public long logCleanerDedupeBufferSize() {
        return c.getLong(LOG_CLEANER_DEDUPE_BUFFER_SIZE);
    }

    public int logCleanerIoBufferSize() {
        return c.getInt(LOG_CLEANER_IO_BUFFER_SIZE);
    }

    public double logCleanerIoMaxBytesPerSecond() {
        return c.getDouble(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND);
    }

    public long logCleanerBackoffMs() {
        return c.getLong(LOG_CLEANER_BACKOFF_MS);
    }

    public double logCleanerMinCleanableRatio() {
        return c.getDouble(LOG_CLEANER_MIN_CLEANABLE_RATIO);
    }

    public long logCleanerDeleteRetentionMs() {
        return c.getLong(LOG_CLEANER_DELETE_RETENTION_MS);
    }

    public long logCleanerMinCompactionLagMs() {
        return c.getLong(LOG_CLEANER_MIN_COMPACTION_LAG_MS);
    }

    public long logCleanerMaxCompactionLagMs() {
        return c.getLong(LOG_CLEANER_MAX_COMPACTION_LAG_MS);
    }

    /** How often the log cleaner's status is checked and, if it changed, written to /log_cleaner/<id>. */
    public long logCleanerStatusIntervalMs() {
        return c.getLong(LOG_CLEANER_STATUS_INTERVAL_MS);
    }
}
