package io.strand.server;

import static io.strand.server.BrokerConfig.*;

import io.strand.coordinator.security.ZooKeeperSecuritySettingsDefinition;
import io.strand.wal.LogConfig;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Every broker setting: its Kafka name, type, default, valid values and documentation. {@link BrokerConfig}
 * validates a properties file against these definitions; DescribeConfigs, the configuration reference
 * ({@link ConfigDocs}) and the local-cluster launcher read them too. The settings of one area are defined in
 * a class of their own, added in {@code settingGroups()}: {@link StorageSettingsDefinition} (log directories,
 * log defaults, log manager), {@link CleanerSettingsDefinition}, {@link ReplicationSettingsDefinition},
 * {@link GroupSettingsDefinition} and the others named there; the rest are here. A new setting is defined
 * in its area's class, gets a typed getter in that area's reader ({@link StorageSettings}, {@link
 * ReplicationSettings}, ...) or in {@link BrokerConfig}, and must be read by the broker ({@code
 * EverySettingIsReadTest}).
 *
 * <p>Immutable; thread-safe.
 */
public final class BrokerConfigDefinition {
    private BrokerConfigDefinition() {}

    /** Kafka broker settings Strand accepts so that an existing server.properties starts, but which change nothing here. */
    public static final Set<String> ACCEPTED_WITHOUT_EFFECT =
            Set.of("socket.send.buffer.bytes", "socket.receive.buffer.bytes", "delete.topic.enable");

    static final ConfigDef DEFINITION = settingGroups()
            .define(
                    BROKER_ID,
                    Type.INT,
                    ConfigDef.NO_DEFAULT_VALUE,
                    Range.atLeast(0),
                    Importance.HIGH,
                    "This broker's id, unique in the cluster.")
            .define(
                    BROKER_RACK,
                    Type.STRING,
                    null,
                    Importance.MEDIUM,
                    "Rack of the broker, for rack-aware replica placement.")
            .define(
                    LISTENERS,
                    Type.LIST,
                    "PLAINTEXT://127.0.0.1:9092",
                    Importance.HIGH,
                    "Listeners NAME://host:port to bind, comma-separated; see listener.security.protocol.map.")
            .define(
                    ADVERTISED_LISTENERS,
                    Type.LIST,
                    null,
                    Importance.HIGH,
                    "Listeners published in ZooKeeper for clients; defaults to listeners.")
            .define(
                    ZOOKEEPER_CONNECT,
                    Type.STRING,
                    ConfigDef.NO_DEFAULT_VALUE,
                    new ConfigDef.NonEmptyString(),
                    Importance.HIGH,
                    "ZooKeeper connect string with optional chroot, e.g. 127.0.0.1:2181/strand.")
            .define(
                    ZOOKEEPER_SESSION_TIMEOUT_MS,
                    Type.INT,
                    18_000,
                    Range.atLeast(1_000),
                    Importance.HIGH,
                    "ZooKeeper session timeout.")
            .define(
                    ZOOKEEPER_CONNECTION_TIMEOUT_MS,
                    Type.INT,
                    null,
                    Importance.MEDIUM,
                    "How long to wait for the first ZooKeeper connection; defaults to the session timeout.")
            .define(
                    NUM_PARTITIONS,
                    Type.INT,
                    1,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Default number of partitions of a new topic.")
            .define(
                    AUTO_CREATE_TOPICS_ENABLE,
                    Type.BOOLEAN,
                    true,
                    Importance.MEDIUM,
                    "Create a topic when a client asks Metadata for a topic that does not exist.")
            .define(
                    MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS,
                    Type.INT,
                    1000,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "Incremental fetch sessions (KIP-227) the broker keeps for followers and consumers; 0 turns"
                            + " them off.")
            .define(
                    MESSAGE_MAX_BYTES,
                    Type.INT,
                    1024 * 1024 + 12,
                    Range.atLeast(0),
                    Importance.HIGH,
                    "Largest record batch accepted.")
            .define(
                    SOCKET_REQUEST_MAX_BYTES,
                    Type.INT,
                    100 * 1024 * 1024,
                    Range.atLeast(1),
                    Importance.HIGH,
                    "Largest request frame; a larger frame closes the connection.")
            .define(NUM_IO_THREADS, Type.INT, 8, Range.atLeast(1), Importance.HIGH, "Request handler threads.")
            .define(NUM_NETWORK_THREADS, Type.INT, 3, Range.atLeast(1), Importance.HIGH, "Netty event-loop threads.")
            .define(
                    QUEUED_MAX_REQUESTS,
                    Type.INT,
                    500,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Requests in flight per connection before it stops reading.")
            .define(
                    OFFSETS_TOPIC_NUM_PARTITIONS,
                    Type.INT,
                    50,
                    Range.atLeast(1),
                    Importance.HIGH,
                    "Partitions of __consumer_offsets.")
            .define(
                    OFFSETS_TOPIC_REPLICATION_FACTOR,
                    Type.SHORT,
                    (short) 3,
                    Range.atLeast(1),
                    Importance.HIGH,
                    "Replication factor of __consumer_offsets (capped at the number of brokers).")
            .define(
                    OFFSETS_TOPIC_SEGMENT_BYTES,
                    Type.INT,
                    100 * 1024 * 1024,
                    Range.atLeast(LogConfig.MIN_SEGMENT_BYTES),
                    Importance.HIGH,
                    "segment.bytes of __consumer_offsets when it is created: the log cleaner compacts only closed"
                            + " segments, so smaller segments mean a smaller topic and faster coordinator loads.")
            .define(
                    GROUP_INITIAL_REBALANCE_DELAY_MS,
                    Type.INT,
                    3000,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "Delay of a new group's first rebalance.")
            .define(
                    GROUP_MIN_SESSION_TIMEOUT_MS,
                    Type.INT,
                    6000,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "Smallest session timeout a group member may ask for.")
            .define(
                    GROUP_MAX_SESSION_TIMEOUT_MS,
                    Type.INT,
                    1800000,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "Largest session timeout a group member may ask for.")
            .define(
                    GROUP_MAX_SIZE,
                    Type.INT,
                    Integer.MAX_VALUE,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Most members a classic group may have.")
            .define(
                    OFFSETS_RETENTION_MINUTES,
                    Type.INT,
                    10080,
                    Range.atLeast(1),
                    Importance.HIGH,
                    "How long committed offsets are kept after their group became empty (or, for standalone commits, after the commit).")
            .define(
                    OFFSETS_RETENTION_CHECK_INTERVAL_MS,
                    Type.LONG,
                    600000L,
                    Range.atLeast(1),
                    Importance.HIGH,
                    "How often expired offsets are removed.")
            .define(
                    OFFSETS_COMMIT_TIMEOUT_MS,
                    Type.INT,
                    5000,
                    Range.atLeast(1),
                    Importance.HIGH,
                    "How long an offset commit or group write waits for every in-sync replica of its __consumer_offsets partition.")
            .define(
                    OFFSET_METADATA_MAX_BYTES,
                    Type.INT,
                    4096,
                    Range.atLeast(0),
                    Importance.HIGH,
                    "Largest metadata string committed with an offset.")
            .define(
                    TRANSACTION_STATE_LOG_NUM_PARTITIONS,
                    Type.INT,
                    50,
                    Range.atLeast(1),
                    Importance.HIGH,
                    "Partitions of __transaction_state (fixed once the topic exists).")
            .define(
                    TRANSACTION_STATE_LOG_REPLICATION_FACTOR,
                    Type.SHORT,
                    (short) 3,
                    Range.atLeast(1),
                    Importance.HIGH,
                    "Replication factor of __transaction_state (capped at the number of live brokers when it is created).")
            .define(
                    TRANSACTION_STATE_LOG_MIN_ISR,
                    Type.INT,
                    2,
                    Range.atLeast(1),
                    Importance.HIGH,
                    "min.insync.replicas of __transaction_state: a transaction state write needs this many in-sync "
                            + "replicas, else the coordinator answers COORDINATOR_NOT_AVAILABLE.")
            .define(
                    TRANSACTION_MAX_TIMEOUT_MS,
                    Type.INT,
                    900_000,
                    Range.atLeast(1),
                    Importance.HIGH,
                    "Largest transaction timeout a producer may ask for (InitProducerId); larger → INVALID_TRANSACTION_TIMEOUT.")
            .define(
                    TRANSACTIONAL_ID_EXPIRATION_MS,
                    Type.INT,
                    604_800_000,
                    Range.atLeast(1),
                    Importance.HIGH,
                    "A transactional id with no transaction in progress and no state change for this long is removed "
                            + "(a tombstone in __transaction_state).")
            .define(
                    TRANSACTION_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS,
                    Type.INT,
                    10_000,
                    Range.atLeast(1),
                    Importance.LOW,
                    "How often the coordinator aborts transactions open longer than their timeout (fencing their producer).")
            .define(
                    TRANSACTION_REMOVE_EXPIRED_TRANSACTION_CLEANUP_INTERVAL_MS,
                    Type.INT,
                    3_600_000,
                    Range.atLeast(1),
                    Importance.LOW,
                    "How often expired transactional ids are removed.")
            .define(
                    PRODUCER_ID_EXPIRATION_MS,
                    Type.LONG,
                    86_400_000L,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "An idempotent producer silent this long is forgotten by partitions.")
            .define(
                    PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS,
                    Type.LONG,
                    600_000L,
                    Range.atLeast(1),
                    Importance.LOW,
                    "How often partitions look for expired producer ids.")
            .define(METRICS_JMX_ENABLE, Type.BOOLEAN, true, Importance.LOW, "Publish metrics over JMX.")
            .define(
                    LIVENESS_PROBE_INTERVAL_MS,
                    Type.LONG,
                    500L,
                    Range.between(0, 60_000),
                    Importance.MEDIUM,
                    "How often the controller connects to every broker's listener, and every broker to the"
                            + " controller's, to notice a process that is gone (its port refuses connections) while"
                            + " ZooKeeper still holds its session; two refusals in a row remove its registration so"
                            + " that its leaderships move at once. A paused or unreachable broker is not affected."
                            + " 0 turns the probe off (a dead broker is then noticed when its session expires).");

    /** The settings defined in a class of their own, one per group (a new group adds a line here). */
    private static ConfigDef settingGroups() {
        ConfigDef def = new ConfigDef();
        GroupSettingsDefinition.addTo(def);
        ShareSettingsDefinition.addTo(def);
        ListenerSettingsDefinition.addTo(def);
        AuthorizerSettingsDefinition.addTo(def);
        ZooKeeperSecuritySettingsDefinition.addTo(def);
        SslSettingsDefinition.addTo(def);
        SaslSettingsDefinition.addTo(def);
        HttpSettingsDefinition.addTo(def);
        QuotaSettingsDefinition.addTo(def);
        StorageSettingsDefinition.addTo(def);
        CleanerSettingsDefinition.addTo(def);
        ReplicationSettingsDefinition.addTo(def);
        return def;
    }
}
