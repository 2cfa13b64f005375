package io.strand.server;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * The broker settings of the partition logs on this broker's disks: where they live ({@code log.dirs}), the
 * broker-wide defaults of their segments, indexes, retention and flushing (Kafka's {@code log.*}), how the
 * log manager loads, checkpoints and deletes them, and the free-space floor; with Kafka's names and
 * defaults, part of {@link BrokerConfigDefinition#DEFINITION}. Read through {@link StorageSettings}
 * ({@link BrokerConfig#storage()}); the log cleaner's settings are in {@link CleanerSettingsDefinition}.
 * A new setting of the log, the log manager or the write-ahead journal goes here. Immutable.
 */
public final class StorageSettingsDefinition {
    private StorageSettingsDefinition() {}

    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String LOG_SEGMENT_BYTES = "log.segment.bytes";
    public static final String LOG_ROLL_MS = "log.roll.ms";
    public static final String LOG_ROLL_HOURS = "log.roll.hours";
    public static final String LOG_RETENTION_MS = "log.retention.ms";
    public static final String LOG_RETENTION_MINUTES = "log.retention.minutes";
    public static final String LOG_RETENTION_HOURS = "log.retention.hours";
    public static final String LOG_RETENTION_BYTES = "log.retention.bytes";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_CLEANUP_POLICY = "log.cleanup.policy";
    public static final String LOG_FLUSH_INTERVAL_MESSAGES = "log.flush.interval.messages";
    public static final String LOG_FLUSH_INTERVAL_MS = "log.flush.interval.ms";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS = "log.flush.offset.checkpoint.interval.ms";
    public static final String LOG_SEGMENT_DELETE_DELAY_MS = "log.segment.delete.delay.ms";
    public static final String NUM_RECOVERY_THREADS_PER_DATA_DIR = "num.recovery.threads.per.data.dir";
    public static final String LOG_INDEX_INTERVAL_BYTES = "log.index.interval.bytes";
    public static final String LOG_INDEX_SIZE_MAX_BYTES = "log.index.size.max.bytes";
    public static final String LOG_MESSAGE_TIMESTAMP_TYPE = "log.message.timestamp.type";
    public static final String LOG_DIR_FREE_BYTES_MIN = "log.dir.free.bytes.min";
    public static final String LOG_DIR_FREE_PERCENT_MIN = "log.dir.free.percent.min";
    public static final String JOURNAL_ENABLE = "strand.wal.journal.enable";
    public static final String JOURNAL_FILE_BYTES = "strand.wal.journal.file.bytes";
    public static final String JOURNAL_CHECKPOINT_INTERVAL_MS = "strand.wal.journal.checkpoint.interval.ms";
    public static final String JOURNAL_CHECKPOINT_BYTES = "strand.wal.journal.checkpoint.bytes";

    static ConfigDef addTo(ConfigDef def) {
        return def.define(LOG_DIRS, Type.LIST, null, Importance.HIGH, "Directories holding partition logs.")
                .define(
                        LOG_DIR,
                        Type.STRING,
                        "/tmp/strand-logs",
                        Importance.HIGH,
                        "Log directory when log.dirs is not set.")
                .define(LOG_SEGMENT_BYTES, Type.INT, 1 << 30, Range.atLeast(14), Importance.HIGH, "Segment size.")
                .define(LOG_ROLL_MS, Type.LONG, null, Importance.MEDIUM, "Roll a segment after this long.")
                .define(
                        LOG_ROLL_HOURS,
                        Type.INT,
                        168,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Roll a segment after this many hours.")
                .define(
                        LOG_RETENTION_MS,
                        Type.LONG,
                        null,
                        Importance.HIGH,
                        "Delete segments older than this; -1 keeps forever.")
                .define(LOG_RETENTION_MINUTES, Type.INT, null, Importance.HIGH, "Retention in minutes.")
                .define(LOG_RETENTION_HOURS, Type.INT, 168, Importance.HIGH, "Retention in hours.")
                .define(LOG_RETENTION_BYTES, Type.LONG, -1L, Importance.HIGH, "Per-partition size limit; -1 = none.")
                .define(
                        LOG_RETENTION_CHECK_INTERVAL_MS,
                        Type.LONG,
                        300_000L,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "How often retention runs.")
                .define(
                        LOG_CLEANUP_POLICY,
                        Type.LIST,
                        "delete",
                        ConfigDef.ValidList.in(false, "compact", "delete"),
                        Importance.MEDIUM,
                        "Default cleanup.policy of a topic: delete (retention by time and size), compact (the log"
                                + " cleaner keeps the latest record per key) or both.")
                .define(
                        LOG_FLUSH_INTERVAL_MESSAGES,
                        Type.LONG,
                        null,
                        Importance.HIGH,
                        "Set to relax Strand's fsync-before-ack default to Kafka's flush-every-N-messages.")
                .define(
                        LOG_FLUSH_INTERVAL_MS,
                        Type.LONG,
                        null,
                        Importance.HIGH,
                        "Set to relax Strand's fsync-before-ack default to Kafka's flush-every-N-ms.")
                .define(
                        LOG_FLUSH_SCHEDULER_INTERVAL_MS,
                        Type.LONG,
                        1000L,
                        Range.atLeast(1),
                        Importance.LOW,
                        "How often logs are checked against flush.ms (relaxed durability). Kafka's default is never; "
                                + "Strand checks every second so that flush.ms works when set on a topic.")
                .define(
                        LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS,
                        Type.LONG,
                        60_000L,
                        Range.atLeast(1),
                        Importance.LOW,
                        "How often each log's recovery point, high watermark and log start offset are checkpointed.")
                .define(
                        LOG_SEGMENT_DELETE_DELAY_MS,
                        Type.LONG,
                        60_000L,
                        Range.atLeast(0),
                        Importance.LOW,
                        "How long the files of a deleted segment (retention, truncation, topic deletion) stay renamed "
                                + "with .deleted before they are removed, so that reads already under way finish.")
                .define(
                        NUM_RECOVERY_THREADS_PER_DATA_DIR,
                        Type.INT,
                        2,
                        Range.atLeast(1),
                        Importance.LOW,
                        "Threads per log directory that load (and, after a crash, recover) logs at start.")
                .define(
                        LOG_INDEX_INTERVAL_BYTES,
                        Type.INT,
                        4096,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "Bytes between offset-index entries.")
                .define(
                        LOG_INDEX_SIZE_MAX_BYTES,
                        Type.INT,
                        10 * 1024 * 1024,
                        Range.atLeast(4),
                        Importance.MEDIUM,
                        "Maximum size of an offset index.")
                .define(
                        LOG_MESSAGE_TIMESTAMP_TYPE,
                        Type.STRING,
                        "CreateTime",
                        ValidString.in("CreateTime", "LogAppendTime"),
                        Importance.MEDIUM,
                        "Timestamp kept in appended batches.")
                .define(
                        LOG_DIR_FREE_BYTES_MIN,
                        Type.LONG,
                        128L << 20,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "Free space, in bytes, that an append must leave on a log directory's file system: below it the"
                                + " leader refuses appends with KAFKA_STORAGE_ERROR (clients retry) and followers back off,"
                                + " nothing is written and nothing goes offline; appends resume by themselves once space"
                                + " is freed. 0 = no floor.")
                .define(
                        LOG_DIR_FREE_PERCENT_MIN,
                        Type.INT,
                        0,
                        Range.between(0, 50),
                        Importance.MEDIUM,
                        "The free-space floor as a percentage of the log directory's file system; the larger of this"
                                + " and log.dir.free.bytes.min applies. 0 = none.")
                .define(
                        JOURNAL_ENABLE,
                        Type.BOOLEAN,
                        true,
                        Importance.MEDIUM,
                        "Make durable-mode appends durable through one write-ahead journal per log directory (one"
                                + " fsync per group commit for all partitions) instead of an fsync of each partition's"
                                + " segment; segments are then fsynced at journal checkpoints, and the journal is"
                                + " replayed into them after a crash. See docs/storage.md.")
                .define(
                        JOURNAL_FILE_BYTES,
                        Type.INT,
                        64 * 1024 * 1024,
                        Range.atLeast(1024 * 1024),
                        Importance.LOW,
                        "Size of one journal file, preallocated with zeros (the files are recycled).")
                .define(
                        JOURNAL_CHECKPOINT_INTERVAL_MS,
                        Type.LONG,
                        30_000L,
                        Range.atLeast(1),
                        Importance.LOW,
                        "How often the journaled logs' segments are fsynced and their checkpoints moved, so that"
                                + " older journal files can be released.")
                .define(
                        JOURNAL_CHECKPOINT_BYTES,
                        Type.LONG,
                        512L * 1024 * 1024,
                        Range.atLeast(1024 * 1024),
                        Importance.LOW,
                        "Journal bytes written since the last journal checkpoint that start one before its interval"
                                + " (at least strand.wal.journal.file.bytes).");
    }
}
