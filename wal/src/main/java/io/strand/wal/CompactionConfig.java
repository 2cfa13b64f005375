package io.strand.wal;

/**
 * The cleanup side of a log's configuration, with Kafka's topic config names and defaults.
 *
 * @param compact                {@code cleanup.policy} contains {@code compact}: the log cleaner keeps the latest record
 *                               per key
 * @param delete                 {@code cleanup.policy} contains {@code delete}: {@code retention.ms} and
 *                               {@code retention.bytes} remove whole old segments (without it they do nothing)
 * @param minCompactionLagMs     {@code min.compaction.lag.ms}: a record stays uncompacted at least this long (0)
 * @param maxCompactionLagMs     {@code max.compaction.lag.ms}: a log whose oldest dirty record is older than this is
 *                               cleaned whatever its dirty ratio (Long.MAX_VALUE)
 * @param deleteRetentionMs      {@code delete.retention.ms}: how long a tombstone (a record with a null value) and a
 *                               transaction marker with no data left are kept after the cleaning that first saw them
 *                               (1 day)
 * @param minCleanableDirtyRatio {@code min.cleanable.dirty.ratio}: the dirty share of the cleanable log above which
 *                               the log is cleaned (0.5)
 */
public record CompactionConfig(
        boolean compact,
        boolean delete,
        long minCompactionLagMs,
        long maxCompactionLagMs,
        long deleteRetentionMs,
        double minCleanableDirtyRatio) {

    public static final long DEFAULT_DELETE_RETENTION_MS = 24L * 60 * 60 * 1000;
    public static final double DEFAULT_MIN_CLEANABLE_DIRTY_RATIO = 0.5;

    private static final CompactionConfig DELETE_ONLY =
            new CompactionConfig(false, true, 0, Long.MAX_VALUE, DEFAULT_DELETE_RETENTION_MS, 0.5);

    public CompactionConfig {
        if (!compact && !delete)
            throw new IllegalArgumentException("cleanup.policy must contain compact, delete or both");
        if (minCompactionLagMs < 0)
            throw new IllegalArgumentException("min.compaction.lag.ms must not be negative: " + minCompactionLagMs);
        if (maxCompactionLagMs < 1)
            throw new IllegalArgumentException("max.compaction.lag.ms must be positive: " + maxCompactionLagMs);
        if (minCompactionLagMs > maxCompactionLagMs)
            throw new IllegalArgumentException("min.compaction.lag.ms " + minCompactionLagMs
                    + " must not be larger than max.compaction.lag.ms " + maxCompactionLagMs);
        if (deleteRetentionMs < 0)
            throw new IllegalArgumentException("delete.retention.ms must not be negative: " + deleteRetentionMs);
        if (!(minCleanableDirtyRatio >= 0 && minCleanableDirtyRatio <= 1))
            throw new IllegalArgumentException(
                    "min.cleanable.dirty.ratio must be between 0 and 1: " + minCleanableDirtyRatio);
    }

    /** Kafka's default: {@code cleanup.policy=delete}. */
    public static CompactionConfig deleteOnly() {
        return DELETE_ONLY;
    }

    /**
     * Parses {@code cleanup.policy} ("compact", "delete", "compact,delete" in any order, case-insensitive).
     *
     * @throws IllegalArgumentException naming the value for anything else
     */
    public CompactionConfig withPolicy(String cleanupPolicy) {
        boolean c = false;
        boolean d = false;
        for (String p : cleanupPolicy.split(",")) {
            switch (p.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "compact" -> c = true;
                case "delete" -> d = true;
                case "" -> {}
                default ->
                    throw new IllegalArgumentException(
                            "cleanup.policy must be compact, delete or compact,delete: " + cleanupPolicy);
            }
        }
        return new CompactionConfig(
                c, d, minCompactionLagMs, maxCompactionLagMs, deleteRetentionMs, minCleanableDirtyRatio);
    }

    public CompactionConfig withCompact(boolean v) {
        return new CompactionConfig(
                v, delete, minCompactionLagMs, maxCompactionLagMs, deleteRetentionMs, minCleanableDirtyRatio);
    }

    public CompactionConfig withDelete(boolean v) {
        return new CompactionConfig(
                compact, v, minCompactionLagMs, maxCompactionLagMs, deleteRetentionMs, minCleanableDirtyRatio);
    }

    public CompactionConfig withMinCompactionLagMs(long v) {
        return new CompactionConfig(compact, delete, v, maxCompactionLagMs, deleteRetentionMs, minCleanableDirtyRatio);
    }

    public CompactionConfig withMaxCompactionLagMs(long v) {
        return new CompactionConfig(compact, delete, minCompactionLagMs, v, deleteRetentionMs, minCleanableDirtyRatio);
    }

    public CompactionConfig withDeleteRetentionMs(long v) {
        return new CompactionConfig(compact, delete, minCompactionLagMs, maxCompactionLagMs, v, minCleanableDirtyRatio);
    }

    public CompactionConfig withMinCleanableDirtyRatio(double v) {
        return new CompactionConfig(compact, delete, minCompactionLagMs, maxCompactionLagMs, deleteRetentionMs, v);
    }

    /** The policy as Kafka writes it: {@code compact}, {@code delete} or {@code compact,delete}. */
    public String policy() {
        return compact && delete ? "compact,delete" : compact ? "compact" : "delete";
    }
}
