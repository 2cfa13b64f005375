package io.strand.server;

import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The broker settings of the group protocols beyond the classic one (KIP-848 consumer groups), with
 * Kafka's names and defaults; part of {@link BrokerConfigDefinition#DEFINITION}. Read through
 * {@link io.strand.server.group.GroupConfig#from}. Immutable.
 */
public final class GroupSettingsDefinition {
    private GroupSettingsDefinition() {}

    public static final String REBALANCE_PROTOCOLS = "group.coordinator.rebalance.protocols";
    public static final String CONSUMER_SESSION_TIMEOUT_MS = "group.consumer.session.timeout.ms";
    public static final String CONSUMER_MIN_SESSION_TIMEOUT_MS = "group.consumer.min.session.timeout.ms";
    public static final String CONSUMER_MAX_SESSION_TIMEOUT_MS = "group.consumer.max.session.timeout.ms";
    public static final String CONSUMER_HEARTBEAT_INTERVAL_MS = "group.consumer.heartbeat.interval.ms";
    public static final String CONSUMER_MAX_SIZE = "group.consumer.max.size";
    public static final String CONSUMER_ASSIGNORS = "group.consumer.assignors";
    public static final String SHARE_SESSION_TIMEOUT_MS = "group.share.session.timeout.ms";
    public static final String SHARE_HEARTBEAT_INTERVAL_MS = "group.share.heartbeat.interval.ms";
    public static final String SHARE_MAX_SIZE = "group.share.max.size";

    static ConfigDef addTo(ConfigDef def) {
        return def.define(
                        REBALANCE_PROTOCOLS,
                        Type.LIST,
                        List.of("classic", "consumer", "share"),
                        ConfigDef.ValidList.in("classic", "consumer", "share"),
                        Importance.MEDIUM,
                        "The group protocols the group coordinator serves: classic (JoinGroup/SyncGroup),"
                                + " consumer (KIP-848: ConsumerGroupHeartbeat, server-side assignment, advertised as"
                                + " the group.version feature) and share (KIP-932 share groups, advertised as the"
                                + " share.version feature). classic cannot be left out.")
                .define(
                        CONSUMER_SESSION_TIMEOUT_MS,
                        Type.INT,
                        45000,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "How long a consumer-group (KIP-848) member may go without a heartbeat before it is removed"
                                + " and its partitions reassigned.")
                .define(
                        CONSUMER_MIN_SESSION_TIMEOUT_MS,
                        Type.INT,
                        45000,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Smallest value group.consumer.session.timeout.ms may take.")
                .define(
                        CONSUMER_MAX_SESSION_TIMEOUT_MS,
                        Type.INT,
                        60000,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Largest value group.consumer.session.timeout.ms may take.")
                .define(
                        CONSUMER_HEARTBEAT_INTERVAL_MS,
                        Type.INT,
                        5000,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "How often consumer-group (KIP-848) members are told to heartbeat; a member learns of a"
                                + " new assignment at its next heartbeat.")
                .define(
                        CONSUMER_MAX_SIZE,
                        Type.INT,
                        Integer.MAX_VALUE,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Most members a consumer group (KIP-848) may have; a member joining beyond it gets"
                                + " GROUP_MAX_SIZE_REACHED.")
                .define(
                        CONSUMER_ASSIGNORS,
                        Type.LIST,
                        List.of("uniform", "range"),
                        Importance.MEDIUM,
                        "The server-side assignors consumer groups may use (uniform, range; Kafka's class names"
                                + " of them are accepted too), the first the default; a member picks one with"
                                + " group.remote.assignor.")
                .define(
                        SHARE_SESSION_TIMEOUT_MS,
                        Type.INT,
                        45000,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "How long a share-group member may go without a heartbeat before it is removed and its"
                                + " partitions given to the other members.")
                .define(
                        SHARE_HEARTBEAT_INTERVAL_MS,
                        Type.INT,
                        5000,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "How often share-group members are told to heartbeat.")
                .define(
                        SHARE_MAX_SIZE,
                        Type.INT,
                        200,
                        Range.between(1, 1000),
                        Importance.MEDIUM,
                        "Most members a share group may have; a member joining beyond it gets"
                                + " GROUP_MAX_SIZE_REACHED.");
    }
}
