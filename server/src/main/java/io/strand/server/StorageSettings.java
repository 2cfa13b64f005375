package io.strand.server;

import static io.strand.server.StorageSettingsDefinition.*;

import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.config.ConfigException;

/**
 * Typed getters of the broker's storage settings ({@link StorageSettingsDefinition}): the log
 * directories, the broker-wide log defaults and the log manager's settings. Each getter reads its
 * setting from the validated {@link BrokerConfig} when called, so that the broker's record of the
 * keys it read stays exact. Obtained from {@link BrokerConfig#storage()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class StorageSettings {
    private final BrokerConfig c;

    StorageSettings(BrokerConfig c) {
        this.c = c;
    }

    /** @throws ConfigException naming the key of a value the definitions alone cannot reject */
    void validate() {
        if (c.getLong(JOURNAL_CHECKPOINT_BYTES) < c.getInt(JOURNAL_FILE_BYTES))
            throw new ConfigException(
                    JOURNAL_CHECKPOINT_BYTES,
                    c.getLong(JOURNAL_CHECKPOINT_BYTES),
                    "must be at least " + JOURNAL_FILE_BYTES + " (" + c.getInt(JOURNAL_FILE_BYTES) + ")");
        longOrNull(LOG_FLUSH_INTERVAL_MESSAGES, 1);
        longOrNull(LOG_FLUSH_INTERVAL_MS, 0);
        if (logRetentionMs() < -1) {
            throw new ConfigException(LOG_RETENTION_MS, logRetentionMs(), "must be -1 (forever) or a duration");
        }
        if (logDirs().isEmpty()) {
            throw new ConfigException(LOG_DIRS, c.getList(LOG_DIRS), "must name at least one directory");
        }
    }

    private Long longOrNull(String key, long min) {
        Long v = c.getLong(key);
        if (v != null && v < min) {
            throw new ConfigException(key, v, "must be at least " + min);
        }
        return v;
    }

    public List<Path> logDirs() {
        List<String> dirs = c.getList(LOG_DIRS);
        if (dirs == null || dirs.isEmpty()) {
            return List.of(Path.of(c.getString(LOG_DIR)));
        }
        return dirs.stream().map(Path::of).toList();
    }

    public int logSegmentBytes() {
        return c.getInt(LOG_SEGMENT_BYTES);
    }

    public long logRollMs() {
        Long ms = c.getLong(LOG_ROLL_MS);
        return ms != null ? ms : c.getInt(LOG_ROLL_HOURS) * 3_600_000L;
    }

    public long logRetentionMs() {
        Long ms = c.getLong(LOG_RETENTION_MS);
        if (ms != null) {
            return ms < 0 ? -1 : ms;
        }
        Integer minutes = c.getInt(LOG_RETENTION_MINUTES);
        if (minutes != null) {
            return minutes < 0 ? -1 : minutes * 60_000L;
        }
        int hours = c.getInt(LOG_RETENTION_HOURS);
        return hours < 0 ? -1 : hours * 3_600_000L;
    }

    public long logRetentionBytes() {
        return c.getLong(LOG_RETENTION_BYTES);
    }

    public long logRetentionCheckIntervalMs() {
        return c.getLong(LOG_RETENTION_CHECK_INTERVAL_MS);
    }

    /** The default {@code cleanup.policy} of a topic, as Kafka writes it ({@code delete}, {@code compact}, both). */
    public String logCleanupPolicy() {
        return String.join(",", c.getList(LOG_CLEANUP_POLICY));
    }

    /** Kafka's flush-every-N-messages, if set; setting it (or the ms variant) turns off fsync-before-ack. */
    public Long logFlushIntervalMessages() {
        return c.getLong(LOG_FLUSH_INTERVAL_MESSAGES);
    }

    public Long logFlushIntervalMs() {
        return c.getLong(LOG_FLUSH_INTERVAL_MS);
    }

    /** Strand's default: an acknowledged record has been fsynced. Kafka's flush settings relax it. */
    public boolean fsyncBeforeAck() {
        return logFlushIntervalMessages() == null && logFlushIntervalMs() == null;
    }

    /** How often the relaxed-durability {@code flush.ms} policy is checked. */
    public long logFlushSchedulerIntervalMs() {
        return c.getLong(LOG_FLUSH_SCHEDULER_INTERVAL_MS);
    }

    /** How often recovery points, high watermarks and log start offsets are checkpointed. */
    public long logFlushOffsetCheckpointIntervalMs() {
        return c.getLong(LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS);
    }

    /** How long a deleted segment's files stay (renamed) before they are removed. */
    public long logSegmentDeleteDelayMs() {
        return c.getLong(LOG_SEGMENT_DELETE_DELAY_MS);
    }

    /** The write-ahead journal's settings ({@code strand.wal.journal.*}). */
    public io.strand.wal.JournalConfig journal() {
        return new io.strand.wal.JournalConfig(
                c.getBoolean(JOURNAL_ENABLE),
                c.getInt(JOURNAL_FILE_BYTES),
                c.getLong(JOURNAL_CHECKPOINT_INTERVAL_MS),
                c.getLong(JOURNAL_CHECKPOINT_BYTES));
    }

    public int numRecoveryThreadsPerDataDir() {
        return c.getInt(NUM_RECOVERY_THREADS_PER_DATA_DIR);
    }

    public int logIndexIntervalBytes() {
        return c.getInt(LOG_INDEX_INTERVAL_BYTES);
    }

    public int logIndexSizeMaxBytes() {
        return c.getInt(LOG_INDEX_SIZE_MAX_BYTES);
    }

    public String logMessageTimestampType() {
        return c.getString(LOG_MESSAGE_TIMESTAMP_TYPE);
    }

    /** Free bytes an append must leave in its log directory's file system (0 = no floor). */
    public long logDirFreeBytesMin() {
        return c.getLong(LOG_DIR_FREE_BYTES_MIN);
    }

    /** The same floor as a percentage of the file system's size (0 = none); the larger floor applies. */
    public int logDirFreePercentMin() {
        return c.getInt(LOG_DIR_FREE_PERCENT_MIN);
    }
}
