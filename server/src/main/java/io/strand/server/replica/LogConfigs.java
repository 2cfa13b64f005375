package io.strand.server.replica;

import io.strand.server.BrokerConfig;
import io.strand.wal.CompactionConfig;
import io.strand.wal.LogConfig;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;

/** A topic's effective log configuration: its overrides from ZooKeeper over the broker's defaults. */
public final class LogConfigs {
    private LogConfigs() {}

    public static LogConfig forTopic(BrokerConfig broker, Map<String, String> overrides) {
        Long flushMessages = longOr(
                overrides,
                TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG,
                broker.storage().logFlushIntervalMessages());
        Long flushMs =
                longOr(overrides, TopicConfig.FLUSH_MS_CONFIG, broker.storage().logFlushIntervalMs());
        boolean durable = flushMessages == null && flushMs == null;
        String tsType = overrides.getOrDefault(
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, broker.storage().logMessageTimestampType());
        CompactionConfig compaction = compaction(broker, overrides);
        long segmentMs = longOr(
                overrides, TopicConfig.SEGMENT_MS_CONFIG, broker.storage().logRollMs());
        if (compaction.compact()) {
            // Kafka's rule: a compacted log rolls by max.compaction.lag.ms too, so its records become cleanable in time
            segmentMs = Math.min(segmentMs, compaction.maxCompactionLagMs());
        }
        return new LogConfig(
                intOr(
                        overrides,
                        TopicConfig.SEGMENT_BYTES_CONFIG,
                        broker.storage().logSegmentBytes()),
                segmentMs,
                intOr(
                        overrides,
                        TopicConfig.INDEX_INTERVAL_BYTES_CONFIG,
                        broker.storage().logIndexIntervalBytes()),
                intOr(
                        overrides,
                        TopicConfig.SEGMENT_INDEX_BYTES_CONFIG,
                        broker.storage().logIndexSizeMaxBytes()),
                intOr(overrides, TopicConfig.MAX_MESSAGE_BYTES_CONFIG, broker.messageMaxBytes()),
                longOr(
                        overrides,
                        TopicConfig.RETENTION_MS_CONFIG,
                        broker.storage().logRetentionMs()),
                longOr(
                        overrides,
                        TopicConfig.RETENTION_BYTES_CONFIG,
                        broker.storage().logRetentionBytes()),
                flushMessages == null ? Long.MAX_VALUE : flushMessages,
                flushMs == null ? Long.MAX_VALUE : flushMs,
                durable,
                "LogAppendTime".equals(tsType) ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME,
                compaction);
    }

    /** {@code cleanup.policy} and the cleaner's topic configs, over the broker's {@code log.cleaner.*} defaults. */
    static CompactionConfig compaction(BrokerConfig broker, Map<String, String> overrides) {
        return CompactionConfig.deleteOnly()
                .withMinCompactionLagMs(longOr(
                        overrides,
                        TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
                        broker.cleaner().logCleanerMinCompactionLagMs()))
                .withMaxCompactionLagMs(longOr(
                        overrides,
                        TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG,
                        broker.cleaner().logCleanerMaxCompactionLagMs()))
                .withDeleteRetentionMs(longOr(
                        overrides,
                        TopicConfig.DELETE_RETENTION_MS_CONFIG,
                        broker.cleaner().logCleanerDeleteRetentionMs()))
                .withMinCleanableDirtyRatio(Double.parseDouble(overrides
                        .getOrDefault(
                                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG,
                                Double.toString(broker.cleaner().logCleanerMinCleanableRatio()))
                        .trim()))
                .withPolicy(overrides.getOrDefault(
                        TopicConfig.CLEANUP_POLICY_CONFIG, broker.storage().logCleanupPolicy()));
    }

    public static int minInsyncReplicas(BrokerConfig broker, Map<String, String> overrides) {
        return intOr(
                overrides,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                broker.replication().minInsyncReplicas());
    }

    private static int intOr(Map<String, String> m, String key, int dflt) {
        String v = m.get(key);
        return v == null ? dflt : Integer.parseInt(v.trim());
    }

    private static Long longOr(Map<String, String> m, String key, Long dflt) {
        String v = m.get(key);
        return v == null ? dflt : Long.valueOf(v.trim());
    }
}
