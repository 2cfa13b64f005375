package io.strand.server.share;

import io.strand.server.BrokerConfig;

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
                c.shareRecordLockDurationMs(),
                c.shareDeliveryCountLimit(),
                c.sharePartitionMaxRecordLocks(),
                c.shareMaxShareSessions(),
                c.shareCoordinatorStateTopicNumPartitions(),
                c.shareCoordinatorStateTopicReplicationFactor(),
                c.shareCoordinatorStateTopicMinIsr(),
                c.shareCoordinatorWriteTimeoutMs());
    }
}
