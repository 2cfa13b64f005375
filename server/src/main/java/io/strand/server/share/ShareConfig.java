package io.strand.server.share;

import io.strand.server.BrokerConfig;
import io.strand.server.ShareSettingsDefinition;

/** The broker settings share groups read (Kafka's names in {@link BrokerConfig}). Immutable. */
public record ShareConfig(
        int recordLockDurationMs,
        int deliveryCountLimit,
        int maxRecordLocks,
        int maxShareSessions,
        int stateTopicPartitions,
        int stateTopicReplicationFactor,
        int stateTopicMinIsr,
        int writeTimeoutMs) {

    public static ShareConfig from(BrokerConfig c) {
        return new ShareConfig(
                c.getInt(ShareSettingsDefinition.SHARE_RECORD_LOCK_DURATION_MS),
                c.getInt(ShareSettingsDefinition.SHARE_DELIVERY_COUNT_LIMIT),
                c.getInt(ShareSettingsDefinition.SHARE_PARTITION_MAX_RECORD_LOCKS),
                c.getInt(ShareSettingsDefinition.SHARE_MAX_SHARE_SESSIONS),
                c.getInt(ShareSettingsDefinition.SHARE_COORDINATOR_STATE_TOPIC_NUM_PARTITIONS),
                c.getShort(ShareSettingsDefinition.SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR),
                c.getShort(ShareSettingsDefinition.SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR),
                c.getInt(ShareSettingsDefinition.SHARE_COORDINATOR_WRITE_TIMEOUT_MS));
    }
}
