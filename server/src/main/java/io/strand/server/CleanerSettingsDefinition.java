package io.strand.server;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The broker settings of the log cleaner (compaction of {@code cleanup.policy=compact} topics): its threads
 * and buffers ({@code log.cleaner.*}), the broker-wide defaults of the topics' compaction settings, and how
 * often its status is published; with Kafka's names and defaults, part of {@link
 * BrokerConfigDefinition#DEFINITION}. Read through {@link CleanerSettings} ({@link BrokerConfig#cleaner()}).
 * Immutable.
 */
public final class CleanerSettingsDefinition {
    private CleanerSettingsDefinition() {}

    public static final String LOG_CLEANER_ENABLE = "log.cleaner.enable";
    public static final String LOG_CLEANER_THREADS = "log.cleaner.threads";
    public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String LOG_CLEANER_IO_BUFFER_SIZE = "log.cleaner.io.buffer.size";
    public static final String LOG_CLEANER_IO_MAX_BYTES_PER_SECOND = "log.cleaner.io.max.bytes.per.second";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String LOG_CLEANER_MIN_CLEANABLE_RATIO = "log.cleaner.min.cleanable.ratio";
    public static final String LOG_CLEANER_DELETE_RETENTION_MS = "log.cleaner.delete.retention.ms";
    public static final String LOG_CLEANER_MIN_COMPACTION_LAG_MS = "log.cleaner.min.compaction.lag.ms";
    public static final String LOG_CLEANER_MAX_COMPACTION_LAG_MS = "log.cleaner.max.compaction.lag.ms";
    public static final String LOG_CLEANER_STATUS_INTERVAL_MS = "strand.log.cleaner.status.interval.ms";

    static ConfigDef addTo(ConfigDef def) {
        return def.define(
                        LOG_CLEANER_ENABLE,
                        Type.BOOLEAN,
                        true,
                        Importance.MEDIUM,
                        "Run the log cleaner, which compacts topics with cleanup.policy=compact (__consumer_offsets"
                                + " and __transaction_state among them). Off: compacted topics grow without bound.")
                .define(
                        LOG_CLEANER_THREADS,
                        Type.INT,
                        1,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "Log cleaner threads; each cleans one log at a time.")
                .define(
                        LOG_CLEANER_DEDUPE_BUFFER_SIZE,
                        Type.LONG,
                        128L << 20,
                        Range.atLeast(1 << 16),
                        Importance.MEDIUM,
                        "Memory for the cleaners' key-to-offset maps, shared among the threads (24 bytes per key);"
                                + " a dirty section with more keys is cleaned in several passes.")
                .define(
                        LOG_CLEANER_IO_BUFFER_SIZE,
                        Type.INT,
                        512 * 1024,
                        Range.atLeast(64 * 1024),
                        Importance.LOW,
                        "Read and write buffer of each cleaner thread (each doubles up to message.max.bytes for a"
                                + " larger batch).")
                .define(
                        LOG_CLEANER_IO_MAX_BYTES_PER_SECOND,
                        Type.DOUBLE,
                        Double.MAX_VALUE,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "I/O the cleaner threads may do per second (reads plus writes).")
                .define(
                        LOG_CLEANER_BACKOFF_MS,
                        Type.LONG,
                        15_000L,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "How long a cleaner thread sleeps when no log needs cleaning.")
                .define(
                        LOG_CLEANER_MIN_CLEANABLE_RATIO,
                        Type.DOUBLE,
                        0.5,
                        Range.between(0, 1),
                        Importance.MEDIUM,
                        "Default min.cleanable.dirty.ratio: clean a log when its dirty share exceeds this.")
                .define(
                        LOG_CLEANER_DELETE_RETENTION_MS,
                        Type.LONG,
                        86_400_000L,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "Default delete.retention.ms: tombstones and empty transaction markers are kept this long"
                                + " after the cleaning that first saw them.")
                .define(
                        LOG_CLEANER_MIN_COMPACTION_LAG_MS,
                        Type.LONG,
                        0L,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "Default min.compaction.lag.ms: records younger than this are not compacted.")
                .define(
                        LOG_CLEANER_MAX_COMPACTION_LAG_MS,
                        Type.LONG,
                        Long.MAX_VALUE,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Default max.compaction.lag.ms: a log with a dirty record older than this is cleaned whatever"
                                + " its dirty ratio.")
                .define(
                        LOG_CLEANER_STATUS_INTERVAL_MS,
                        Type.LONG,
                        30_000L,
                        Range.atLeast(100),
                        Importance.LOW,
                        "How often the broker checks its log cleaner's view of the compacted logs it holds (policy,"
                                + " dirty ratio, first dirty offset, last cleaning, why a log is uncleanable) and, when it"
                                + " changed, writes it to its ephemeral znode /log_cleaner/<broker.id>, which strand"
                                + " topics describe --zookeeper and strand zk get show.");
    }
}
