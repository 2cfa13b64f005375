package io.strand.server.group;

import io.strand.server.BrokerConfig;

/** The broker settings the group coordinator reads (Kafka's names in {@link BrokerConfig}). Immutable. */
public record GroupConfig(
        int offsetsTopicPartitions,
        int offsetsTopicReplicationFactor,
        int offsetsTopicSegmentBytes,
        int initialRebalanceDelayMs,
        int minSessionTimeoutMs,
        int maxSessionTimeoutMs,
        int maxSize,
        long offsetsRetentionMs,
        long retentionCheckIntervalMs,
        int commitTimeoutMs,
        int metadataMaxBytes,
        ConsumerGroupConfig consumer,
        ShareGroupConfig share) {

    /** The classic settings, with consumer and share groups at their defaults. */
    public GroupConfig(
            int offsetsTopicPartitions,
            int offsetsTopicReplicationFactor,
            int offsetsTopicSegmentBytes,
            int initialRebalanceDelayMs,
            int minSessionTimeoutMs,
            int maxSessionTimeoutMs,
            int maxSize,
            long offsetsRetentionMs,
            long retentionCheckIntervalMs,
            int commitTimeoutMs,
            int metadataMaxBytes) {
        this(
                offsetsTopicPartitions,
                offsetsTopicReplicationFactor,
                offsetsTopicSegmentBytes,
                initialRebalanceDelayMs,
                minSessionTimeoutMs,
                maxSessionTimeoutMs,
                maxSize,
                offsetsRetentionMs,
                retentionCheckIntervalMs,
                commitTimeoutMs,
                metadataMaxBytes,
                ConsumerGroupConfig.DEFAULTS,
                ShareGroupConfig.DEFAULTS);
    }

    public static GroupConfig from(BrokerConfig c) {
        return new GroupConfig(
                c.offsetsTopicNumPartitions(),
                c.offsetsTopicReplicationFactor(),
                c.offsetsTopicSegmentBytes(),
                c.groupInitialRebalanceDelayMs(),
                c.groupMinSessionTimeoutMs(),
                c.groupMaxSessionTimeoutMs(),
                c.groupMaxSize(),
                c.offsetsRetentionMs(),
                c.offsetsRetentionCheckIntervalMs(),
                c.offsetsCommitTimeoutMs(),
                c.offsetMetadataMaxBytes(),
                ConsumerGroupConfig.from(c),
                ShareGroupConfig.from(c));
    }
}
