package io.strand.wal;

import org.apache.kafka.common.utils.Time;

/**
 * Broker-wide settings of the {@link LogManager} (Kafka names in the comments).
 *
 * @param retentionCheckIntervalMs {@code log.retention.check.interval.ms}: how often retention runs (5 min)
 * @param flushCheckIntervalMs     {@code log.flush.scheduler.interval.ms}: how often {@code flush.ms} is checked (1 s here; Kafka's default never)
 * @param checkpointIntervalMs     {@code log.flush.offset.checkpoint.interval.ms}: how often recovery point, high watermark and log start offset are checkpointed (60 s)
 * @param fileDeleteDelayMs        {@code file.delete.delay.ms}: delay before deleted segment files are removed (60 s)
 * @param flusherThreads           threads running group-commit fsyncs, shared by all partitions (4)
 * @param recoveryThreads          {@code num.recovery.threads.per.data.dir} times the number of dirs: threads loading logs at startup (2)
 * @param time                     the clock
 * @param freeBytesMin             {@code log.dir.free.bytes.min}: free bytes an append must leave in its log directory (0 = no floor)
 * @param freePercentMin           {@code log.dir.free.percent.min}: the same as a percentage of the file system (0 = none)
 * @param journal                  the write-ahead journal per log directory ({@link JournalConfig}; off by default)
 */
public record LogManagerConfig(
        long retentionCheckIntervalMs,
        long flushCheckIntervalMs,
        long checkpointIntervalMs,
        long fileDeleteDelayMs,
        int flusherThreads,
        int recoveryThreads,
        Time time,
        long freeBytesMin,
        int freePercentMin,
        JournalConfig journal) {
    public static final long DEFAULT_RETENTION_CHECK_INTERVAL_MS = 5 * 60 * 1000L;
    public static final long DEFAULT_FLUSH_CHECK_INTERVAL_MS = 1000L;
    public static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000L;
    public static final long DEFAULT_FILE_DELETE_DELAY_MS = 60_000L;

    public LogManagerConfig {
        if (retentionCheckIntervalMs < 1 || flushCheckIntervalMs < 1 || checkpointIntervalMs < 1)
            throw new IllegalArgumentException("intervals must be positive");
        if (fileDeleteDelayMs < 0) throw new IllegalArgumentException("file.delete.delay.ms must not be negative");
        if (flusherThreads < 1 || recoveryThreads < 1)
            throw new IllegalArgumentException("thread counts must be positive");
        if (time == null) throw new IllegalArgumentException("time");
        if (journal == null) throw new IllegalArgumentException("journal");
        if (freeBytesMin < 0 || freePercentMin < 0 || freePercentMin > 100)
            throw new IllegalArgumentException("free-space floor out of range");
    }

    public static LogManagerConfig defaults() {
        return new LogManagerConfig(
                DEFAULT_RETENTION_CHECK_INTERVAL_MS,
                DEFAULT_FLUSH_CHECK_INTERVAL_MS,
                DEFAULT_CHECKPOINT_INTERVAL_MS,
                DEFAULT_FILE_DELETE_DELAY_MS,
                4,
                2,
                Time.SYSTEM,
                0,
                0,
                JournalConfig.DISABLED);
    }

    public LogManagerConfig withRetentionCheckIntervalMs(long v) {
        return new LogManagerConfig(
                v,
                flushCheckIntervalMs,
                checkpointIntervalMs,
                fileDeleteDelayMs,
                flusherThreads,
                recoveryThreads,
                time,
                freeBytesMin,
                freePercentMin,
                journal);
    }

    public LogManagerConfig withCheckpointIntervalMs(long v) {
        return new LogManagerConfig(
                retentionCheckIntervalMs,
                flushCheckIntervalMs,
                v,
                fileDeleteDelayMs,
                flusherThreads,
                recoveryThreads,
                time,
                freeBytesMin,
                freePercentMin,
                journal);
    }

    public LogManagerConfig withFlushCheckIntervalMs(long v) {
        return new LogManagerConfig(
                retentionCheckIntervalMs,
                v,
                checkpointIntervalMs,
                fileDeleteDelayMs,
                flusherThreads,
                recoveryThreads,
                time,
                freeBytesMin,
                freePercentMin,
                journal);
    }

    public LogManagerConfig withFileDeleteDelayMs(long v) {
        return new LogManagerConfig(
                retentionCheckIntervalMs,
                flushCheckIntervalMs,
                checkpointIntervalMs,
                v,
                flusherThreads,
                recoveryThreads,
                time,
                freeBytesMin,
                freePercentMin,
                journal);
    }

    public LogManagerConfig withFlusherThreads(int v) {
        return new LogManagerConfig(
                retentionCheckIntervalMs,
                flushCheckIntervalMs,
                checkpointIntervalMs,
                fileDeleteDelayMs,
                v,
                recoveryThreads,
                time,
                freeBytesMin,
                freePercentMin,
                journal);
    }

    public LogManagerConfig withRecoveryThreads(int v) {
        return new LogManagerConfig(
                retentionCheckIntervalMs,
                flushCheckIntervalMs,
                checkpointIntervalMs,
                fileDeleteDelayMs,
                flusherThreads,
                v,
                time,
                freeBytesMin,
                freePercentMin,
                journal);
    }

    public LogManagerConfig withTime(Time v) {
        return new LogManagerConfig(
                retentionCheckIntervalMs,
                flushCheckIntervalMs,
                checkpointIntervalMs,
                fileDeleteDelayMs,
                flusherThreads,
                recoveryThreads,
                v,
                freeBytesMin,
                freePercentMin,
                journal);
    }

    public LogManagerConfig withFreeSpaceFloor(long minBytes, int minPercent) {
        return new LogManagerConfig(
                retentionCheckIntervalMs,
                flushCheckIntervalMs,
                checkpointIntervalMs,
                fileDeleteDelayMs,
                flusherThreads,
                recoveryThreads,
                time,
                minBytes,
                minPercent,
                journal);
    }

    public LogManagerConfig withJournal(JournalConfig v) {
        return new LogManagerConfig(
                retentionCheckIntervalMs,
                flushCheckIntervalMs,
                checkpointIntervalMs,
                fileDeleteDelayMs,
                flusherThreads,
                recoveryThreads,
                time,
                freeBytesMin,
                freePercentMin,
                v);
    }
}
