package io.strand.server;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The broker settings of replication: how many replicas a topic gets and how many must be in sync,
 * how followers fetch from leaders (Kafka's {@code replica.*}, Strand's {@code strand.replica.*}),
 * when a follower leaves the ISR, how leaders are elected and rebalanced, and the reassignment
 * throttle; with Kafka's names and defaults, part of {@link BrokerConfigDefinition#DEFINITION}. Read
 * through {@link ReplicationSettings} ({@link BrokerConfig#replication()}). A new replication
 * setting goes here. Immutable.
 */
public final class ReplicationSettingsDefinition {
    private ReplicationSettingsDefinition() {}

    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
    public static final String REPLICA_FETCH_RESPONSE_MAX_BYTES = "replica.fetch.response.max.bytes";
    public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
    public static final String REPLICA_FETCH_AHEAD_ENABLE = "strand.replica.fetch.ahead.enable";
    public static final String REPLICA_FETCH_AHEAD_WAIT_MS = "strand.replica.fetch.ahead.wait.ms";
    public static final String REPLICA_FETCH_MIN_BYTES = "replica.fetch.min.bytes";
    public static final String REPLICA_FETCH_BACKOFF_MS = "replica.fetch.backoff.ms";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_PER_BROKER_PERCENTAGE = "leader.imbalance.per.broker.percentage";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";
    public static final String LEADER_REPLICATION_THROTTLED_RATE = "leader.replication.throttled.rate";

    static ConfigDef addTo(ConfigDef def) {
        return def.define(
                        DEFAULT_REPLICATION_FACTOR,
                        Type.SHORT,
                        (short) 1,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Default replication factor of a new topic.")
                .define(
                        MIN_INSYNC_REPLICAS,
                        Type.INT,
                        1,
                        Range.atLeast(1),
                        Importance.HIGH,
                        "Minimum ISR size for acks=all produce.")
                .define(
                        REPLICA_LAG_TIME_MAX_MS,
                        Type.LONG,
                        30_000L,
                        Range.atLeast(1),
                        Importance.HIGH,
                        "A follower not caught up for this long leaves the ISR.")
                .define(
                        REPLICA_FETCH_MAX_BYTES,
                        Type.INT,
                        1024 * 1024,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "Bytes per partition a follower asks for.")
                .define(
                        REPLICA_FETCH_RESPONSE_MAX_BYTES,
                        Type.INT,
                        10 * 1024 * 1024,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "Bytes per follower fetch response.")
                .define(
                        REPLICA_FETCH_WAIT_MAX_MS,
                        Type.INT,
                        500,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "Long-poll time of follower fetches.")
                .define(
                        REPLICA_FETCH_AHEAD_ENABLE,
                        Type.BOOLEAN,
                        false,
                        Importance.MEDIUM,
                        "true: a follower fetches on while its last appends are being fsynced, and tells a Strand"
                                + " leader separately how far each log is durable (the leader counts that, not the fetch"
                                + " offset, for the high watermark and the ISR); false (the default, faster on the"
                                + " disks measured so far: docs/performance.md): it fetches only from a fsynced log end."
                                + " A leader that does not read the report (an older Strand) always gets the latter.")
                .define(
                        REPLICA_FETCH_AHEAD_WAIT_MS,
                        Type.INT,
                        1,
                        Range.between(0, 500),
                        Importance.LOW,
                        "Fetching ahead: how long a follower waits for its last appends to be fsynced before it"
                                + " fetches again anyway, and how long such a fetch, listing what is not durable yet,"
                                + " then waits at the leader (taking what arrives meanwhile in one response); the"
                                + " fetch after the fsync reports it.")
                .define(
                        REPLICA_FETCH_MIN_BYTES,
                        Type.INT,
                        1,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Bytes a follower fetch waits for.")
                .define(
                        REPLICA_FETCH_BACKOFF_MS,
                        Type.INT,
                        1000,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "Back-off after a failed follower fetch.")
                .define(
                        UNCLEAN_LEADER_ELECTION_ENABLE,
                        Type.BOOLEAN,
                        false,
                        Importance.HIGH,
                        "Elect an out-of-sync replica when no ISR member is alive (may lose data).")
                .define(
                        AUTO_LEADER_REBALANCE_ENABLE,
                        Type.BOOLEAN,
                        true,
                        Importance.MEDIUM,
                        "Move leadership back to preferred replicas.")
                .define(
                        LEADER_IMBALANCE_PER_BROKER_PERCENTAGE,
                        Type.INT,
                        10,
                        Range.between(0, 100),
                        Importance.MEDIUM,
                        "Leader imbalance per broker (percent of its preferred partitions it does not lead) that triggers a rebalance.")
                .define(
                        LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS,
                        Type.LONG,
                        300L,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "How often the controller checks leader imbalance.")
                .define(
                        LEADER_REPLICATION_THROTTLED_RATE,
                        Type.LONG,
                        Long.MAX_VALUE,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Bytes/s this broker, as leader, sends to replicas catching up in a partition reassignment; the default "
                                + "is unlimited. Can be changed at run time (kafka-configs / strand configs set --broker).");
    }
}
