package io.strand.wal;

import java.util.Objects;
import org.apache.kafka.common.record.TimestampType;

/**
 * Immutable per-log configuration. Field names follow Kafka's broker/topic configuration keys (given in the
 * comments); {@link #defaults()} gives Kafka's defaults except for {@code fsyncBeforeAck}, which is Strand's durable
 * mode and on by default.
 *
 * @param segmentBytes          {@code log.segment.bytes} / {@code segment.bytes}: roll the active segment at this size (1 GiB)
 * @param segmentMs             {@code log.roll.ms} / {@code segment.ms}: roll the active segment after this age (7 days)
 * @param indexIntervalBytes    {@code log.index.interval.bytes} / {@code index.interval.bytes}: bytes between sparse index entries (4096)
 * @param maxIndexSizeBytes     {@code log.index.size.max.bytes} / {@code segment.index.bytes}: size of each index file; a full index rolls the segment (10 MiB)
 * @param maxMessageBytes       {@code message.max.bytes} / {@code max.message.bytes}: largest record batch accepted (1048588)
 * @param retentionMs           {@code log.retention.ms} / {@code retention.ms}: delete closed segments older than this; -1 = forever (7 days)
 * @param retentionBytes        {@code log.retention.bytes} / {@code retention.bytes}: delete closed segments while the log is larger; -1 = unbounded
 * @param flushIntervalMessages {@code log.flush.interval.messages} / {@code flush.messages}: in relaxed mode, fsync after this many messages (Long.MAX_VALUE = never)
 * @param flushIntervalMs       {@code log.flush.interval.ms} / {@code flush.ms}: in relaxed mode, fsync when the last flush is older than this (Long.MAX_VALUE = never)
 * @param fsyncBeforeAck        Strand's durable mode: every append is fsynced (group commit) before {@link PartitionLog#durableEndOffset()} passes it (true)
 * @param messageTimestampType  {@code log.message.timestamp.type} / {@code message.timestamp.type} (CREATE_TIME)
 * @param compaction            {@code cleanup.policy} and the log cleaner's topic configs ({@link CompactionConfig}); Kafka's
 *                              default is {@code delete} only
 */
public record LogConfig(
        int segmentBytes,
        long segmentMs,
        int indexIntervalBytes,
        int maxIndexSizeBytes,
        int maxMessageBytes,
        long retentionMs,
        long retentionBytes,
        long flushIntervalMessages,
        long flushIntervalMs,
        boolean fsyncBeforeAck,
        TimestampType messageTimestampType,
        CompactionConfig compaction) {

    public static final int DEFAULT_SEGMENT_BYTES = 1024 * 1024 * 1024;
    public static final long DEFAULT_SEGMENT_MS = 7L * 24 * 60 * 60 * 1000;
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;
    public static final int DEFAULT_MAX_INDEX_SIZE_BYTES = 10 * 1024 * 1024;
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 + 12;
    public static final long DEFAULT_RETENTION_MS = 7L * 24 * 60 * 60 * 1000;
    public static final long DEFAULT_RETENTION_BYTES = -1L;

    /** Smallest segment size accepted (Kafka's minimum for {@code segment.bytes} is 14 bytes; we want at least a batch header). */
    public static final int MIN_SEGMENT_BYTES = 64;

    private static final LogConfig DEFAULTS = new LogConfig(
            DEFAULT_SEGMENT_BYTES,
            DEFAULT_SEGMENT_MS,
            DEFAULT_INDEX_INTERVAL_BYTES,
            DEFAULT_MAX_INDEX_SIZE_BYTES,
            DEFAULT_MAX_MESSAGE_BYTES,
            DEFAULT_RETENTION_MS,
            DEFAULT_RETENTION_BYTES,
            Long.MAX_VALUE,
            Long.MAX_VALUE,
            true,
            TimestampType.CREATE_TIME,
            CompactionConfig.deleteOnly());

    public LogConfig {
        Objects.requireNonNull(messageTimestampType, "messageTimestampType");
        Objects.requireNonNull(compaction, "compaction");
        if (segmentBytes < MIN_SEGMENT_BYTES)
            throw new IllegalArgumentException(
                    "log.segment.bytes must be at least " + MIN_SEGMENT_BYTES + ": " + segmentBytes);
        if (segmentMs < 1) throw new IllegalArgumentException("log.roll.ms must be positive: " + segmentMs);
        if (indexIntervalBytes < 0)
            throw new IllegalArgumentException("log.index.interval.bytes must not be negative: " + indexIntervalBytes);
        if (maxIndexSizeBytes < 12 * 4)
            throw new IllegalArgumentException("log.index.size.max.bytes must be at least 48: " + maxIndexSizeBytes);
        if (maxMessageBytes < 0)
            throw new IllegalArgumentException("message.max.bytes must not be negative: " + maxMessageBytes);
        if (retentionMs < -1)
            throw new IllegalArgumentException("log.retention.ms must be -1 or non-negative: " + retentionMs);
        if (flushIntervalMessages < 1)
            throw new IllegalArgumentException(
                    "log.flush.interval.messages must be positive: " + flushIntervalMessages);
        if (flushIntervalMs < 0)
            throw new IllegalArgumentException("log.flush.interval.ms must not be negative: " + flushIntervalMs);
        if (messageTimestampType == TimestampType.NO_TIMESTAMP_TYPE)
            throw new IllegalArgumentException("message.timestamp.type must be CreateTime or LogAppendTime");
    }

    /** Kafka's defaults, with Strand's durable mode on. */
    public static LogConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public LogConfig withSegmentBytes(int v) {
        return toBuilder().segmentBytes(v).build();
    }

    public LogConfig withSegmentMs(long v) {
        return toBuilder().segmentMs(v).build();
    }

    public LogConfig withIndexIntervalBytes(int v) {
        return toBuilder().indexIntervalBytes(v).build();
    }

    public LogConfig withMaxIndexSizeBytes(int v) {
        return toBuilder().maxIndexSizeBytes(v).build();
    }

    public LogConfig withMaxMessageBytes(int v) {
        return toBuilder().maxMessageBytes(v).build();
    }

    public LogConfig withRetentionMs(long v) {
        return toBuilder().retentionMs(v).build();
    }

    public LogConfig withRetentionBytes(long v) {
        return toBuilder().retentionBytes(v).build();
    }

    public LogConfig withFlushIntervalMessages(long v) {
        return toBuilder().flushIntervalMessages(v).build();
    }

    public LogConfig withFlushIntervalMs(long v) {
        return toBuilder().flushIntervalMs(v).build();
    }

    public LogConfig withFsyncBeforeAck(boolean v) {
        return toBuilder().fsyncBeforeAck(v).build();
    }

    public LogConfig withMessageTimestampType(TimestampType v) {
        return toBuilder().messageTimestampType(v).build();
    }

    public LogConfig withCompaction(CompactionConfig v) {
        return toBuilder().compaction(v).build();
    }

    /** Whether the log cleaner compacts this log ({@code cleanup.policy} contains {@code compact}). */
    public boolean compact() {
        return compaction.compact();
    }

    /** Whether the relaxed (Kafka) flush policy asks for an fsync after {@code unflushedMessages}. */
    boolean flushDueByMessages(long unflushedMessages) {
        return !fsyncBeforeAck && flushIntervalMessages != Long.MAX_VALUE && unflushedMessages >= flushIntervalMessages;
    }

    /** Mutable builder; unset fields keep the values of the config it was made from. */
    public static final class Builder {
        private int segmentBytes;
        private long segmentMs;
        private int indexIntervalBytes;
        private int maxIndexSizeBytes;
        private int maxMessageBytes;
        private long retentionMs;
        private long retentionBytes;
        private long flushIntervalMessages;
        private long flushIntervalMs;
        private boolean fsyncBeforeAck;
        private TimestampType messageTimestampType;
        private CompactionConfig compaction;

        private Builder(LogConfig c) {
            segmentBytes = c.segmentBytes;
            segmentMs = c.segmentMs;
            indexIntervalBytes = c.indexIntervalBytes;
            maxIndexSizeBytes = c.maxIndexSizeBytes;
            maxMessageBytes = c.maxMessageBytes;
            retentionMs = c.retentionMs;
            retentionBytes = c.retentionBytes;
            flushIntervalMessages = c.flushIntervalMessages;
            flushIntervalMs = c.flushIntervalMs;
            fsyncBeforeAck = c.fsyncBeforeAck;
            messageTimestampType = c.messageTimestampType;
            compaction = c.compaction;
        }

        public Builder segmentBytes(int v) {
            segmentBytes = v;
            return this;
        }

        public Builder segmentMs(long v) {
            segmentMs = v;
            return this;
        }

        public Builder indexIntervalBytes(int v) {
            indexIntervalBytes = v;
            return this;
        }

        public Builder maxIndexSizeBytes(int v) {
            maxIndexSizeBytes = v;
            return this;
        }

        public Builder maxMessageBytes(int v) {
            maxMessageBytes = v;
            return this;
        }

        public Builder retentionMs(long v) {
            retentionMs = v;
            return this;
        }

        public Builder retentionBytes(long v) {
            retentionBytes = v;
            return this;
        }

        public Builder flushIntervalMessages(long v) {
            flushIntervalMessages = v;
            return this;
        }

        public Builder flushIntervalMs(long v) {
            flushIntervalMs = v;
            return this;
        }

        public Builder fsyncBeforeAck(boolean v) {
            fsyncBeforeAck = v;
            return this;
        }

        public Builder messageTimestampType(TimestampType v) {
            messageTimestampType = v;
            return this;
        }

        public Builder compaction(CompactionConfig v) {
            compaction = v;
            return this;
        }

        public LogConfig build() {
            return new LogConfig(
                    segmentBytes,
                    segmentMs,
                    indexIntervalBytes,
                    maxIndexSizeBytes,
                    maxMessageBytes,
                    retentionMs,
                    retentionBytes,
                    flushIntervalMessages,
                    flushIntervalMs,
                    fsyncBeforeAck,
                    messageTimestampType,
                    compaction);
        }
    }
}
