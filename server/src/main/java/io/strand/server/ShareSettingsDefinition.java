package io.strand.server;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The broker settings of share groups' delivery and persistence (KIP-932), with Kafka's names and
 * defaults; part of {@link BrokerConfigDefinition#DEFINITION}. Read through
 * {@link io.strand.server.share.ShareConfig#from}. Immutable.
 */
public final class ShareSettingsDefinition {
    private ShareSettingsDefinition() {}

    public static final String SHARE_RECORD_LOCK_DURATION_MS = "group.share.record.lock.duration.ms";
    public static final String SHARE_DELIVERY_COUNT_LIMIT = "group.share.delivery.count.limit";
    public static final String SHARE_PARTITION_MAX_RECORD_LOCKS = "group.share.partition.max.record.locks";
    public static final String SHARE_MAX_SHARE_SESSIONS = "group.share.max.share.sessions";
    public static final String SHARE_COORDINATOR_STATE_TOPIC_NUM_PARTITIONS =
            "share.coordinator.state.topic.num.partitions";
    public static final String SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR =
            "share.coordinator.state.topic.replication.factor";
    public static final String SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR = "share.coordinator.state.topic.min.isr";
    public static final String SHARE_COORDINATOR_WRITE_TIMEOUT_MS = "share.coordinator.write.timeout.ms";

    static ConfigDef addTo(ConfigDef def) {
        return def.define(
                        SHARE_RECORD_LOCK_DURATION_MS,
                        Type.INT,
                        30_000,
                        Range.between(1_000, 3_600_000),
                        Importance.MEDIUM,
                        "Share groups: how long a consumer holds the records a ShareFetch acquired for it before"
                                + " they go back to AVAILABLE (or are archived at the delivery-count limit).")
                .define(
                        SHARE_DELIVERY_COUNT_LIMIT,
                        Type.INT,
                        5,
                        Range.between(2, 10),
                        Importance.MEDIUM,
                        "Share groups: deliveries of a record after which a release or an expired lock archives it"
                                + " instead of making it available again.")
                .define(
                        SHARE_PARTITION_MAX_RECORD_LOCKS,
                        Type.INT,
                        2_000,
                        Range.between(100, 10_000),
                        Importance.MEDIUM,
                        "Share groups: records in flight (between the share-partition start and end offsets) per"
                                + " share partition; no new records are acquired beyond it until the start offset moves.")
                .define(
                        SHARE_MAX_SHARE_SESSIONS,
                        Type.INT,
                        2_000,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Share groups: share sessions (one per group member fetching from this broker) this broker"
                                + " keeps; a new session beyond it evicts the least recently used one if that was"
                                + " unused for group.share.record.lock.duration.ms, else it is refused"
                                + " (SHARE_SESSION_LIMIT_REACHED).")
                .define(
                        SHARE_COORDINATOR_STATE_TOPIC_NUM_PARTITIONS,
                        Type.INT,
                        50,
                        Range.atLeast(1),
                        Importance.HIGH,
                        "Partitions of __share_group_state (fixed once the topic exists).")
                .define(
                        SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR,
                        Type.SHORT,
                        (short) 3,
                        Range.atLeast(1),
                        Importance.HIGH,
                        "Replication factor of __share_group_state (capped at the number of live brokers when it is"
                                + " created).")
                .define(
                        SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR,
                        Type.SHORT,
                        (short) 2,
                        Range.atLeast(1),
                        Importance.HIGH,
                        "min.insync.replicas of __share_group_state (capped at its replication factor when it is"
                                + " created).")
                .define(
                        SHARE_COORDINATOR_WRITE_TIMEOUT_MS,
                        Type.INT,
                        5_000,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "How long the share coordinator waits for a share-state write to reach the ISR of its"
                                + " __share_group_state partition before it answers the write as failed.");
    }
}
