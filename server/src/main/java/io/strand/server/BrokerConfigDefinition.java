package io.strand.server;

import static io.strand.server.BrokerConfig.*;

import io.strand.coordinator.security.ZooKeeperSecuritySettingsDefinition;
import io.strand.wal.LogConfig;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * Every broker setting: its Kafka name, type, default, valid values and documentation. {@link BrokerConfig}
 * validates a properties file against these definitions; DescribeConfigs, the configuration reference
 * ({@link ConfigDocs}) and the local-cluster launcher read them too. A new setting is defined here, gets
 * a typed getter in {@link BrokerConfig}, and must be read by the broker ({@code EverySettingIsReadTest}).
 *
 * <p>Immutable; thread-safe.
 */
public final class BrokerConfigDefinition {
    private BrokerConfigDefinition() {}

    /** Kafka broker settings Strand accepts so that an existing server.properties starts, but which change nothing here. */
    public static final Set<String> ACCEPTED_WITHOUT_EFFECT =
            Set.of("socket.send.buffer.bytes", "socket.receive.buffer.bytes", "delete.topic.enable");

    static final ConfigDef DEFINITION = QuotaSettingsDefinition.addTo(HttpSettingsDefinition.addTo(
                    SaslSettingsDefinition.addTo(SslSettingsDefinition.addTo(ZooKeeperSecuritySettingsDefinition.addTo(
                            AuthorizerSettingsDefinition.addTo(ListenerSettingsDefinition.addTo(
                                    ShareSettingsDefinition.addTo(GroupSettingsDefinition.addTo(new ConfigDef())))))))))
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
            .define(LOG_DIRS, Type.LIST, null, Importance.HIGH, "Directories holding partition logs.")
            .define(
                    LOG_DIR,
                    Type.STRING,
                    "/tmp/strand-logs",
                    Importance.HIGH,
                    "Log directory when log.dirs is not set.")
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
                    AUTO_CREATE_TOPICS_ENABLE,
                    Type.BOOLEAN,
                    true,
                    Importance.MEDIUM,
                    "Create a topic when a client asks Metadata for a topic that does not exist.")
            .define(LOG_SEGMENT_BYTES, Type.INT, 1 << 30, Range.atLeast(14), Importance.HIGH, "Segment size.")
            .define(LOG_ROLL_MS, Type.LONG, null, Importance.MEDIUM, "Roll a segment after this long.")
            .define(
                    LOG_ROLL_HOURS,
                    Type.INT,
                    168,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Roll a segment after this many hours.")
            .define(
                    LOG_RETENTION_MS,
                    Type.LONG,
                    null,
                    Importance.HIGH,
                    "Delete segments older than this; -1 keeps forever.")
            .define(LOG_RETENTION_MINUTES, Type.INT, null, Importance.HIGH, "Retention in minutes.")
            .define(LOG_RETENTION_HOURS, Type.INT, 168, Importance.HIGH, "Retention in hours.")
            .define(LOG_RETENTION_BYTES, Type.LONG, -1L, Importance.HIGH, "Per-partition size limit; -1 = none.")
            .define(
                    LOG_RETENTION_CHECK_INTERVAL_MS,
                    Type.LONG,
                    300_000L,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "How often retention runs.")
            .define(
                    LOG_CLEANUP_POLICY,
                    Type.LIST,
                    "delete",
                    ConfigDef.ValidList.in(false, "compact", "delete"),
                    Importance.MEDIUM,
                    "Default cleanup.policy of a topic: delete (retention by time and size), compact (the log"
                            + " cleaner keeps the latest record per key) or both.")
            .define(
                    LOG_CLEANER_ENABLE,
                    Type.BOOLEAN,
                    true,
                    Importance.MEDIUM,
                    "Run the log cleaner, which compacts topics with cleanup.policy=compact (__consumer_offsets"
                            + " and __transaction_state among them). Off: compacted topics grow without bound.")
            .define(
                    LOG_CLEANER_THREADS,
                    Type.INT,
                    1,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "Log cleaner threads; each cleans one log at a time.")
            .define(
                    LOG_CLEANER_DEDUPE_BUFFER_SIZE,
                    Type.LONG,
                    128L << 20,
                    Range.atLeast(1 << 16),
                    Importance.MEDIUM,
                    "Memory for the cleaners' key-to-offset maps, shared among the threads (24 bytes per key);"
                            + " a dirty section with more keys is cleaned in several passes.")
            .define(
                    LOG_CLEANER_IO_BUFFER_SIZE,
                    Type.INT,
                    512 * 1024,
                    Range.atLeast(64 * 1024),
                    Importance.LOW,
                    "Read and write buffer of each cleaner thread (each doubles up to message.max.bytes for a"
                            + " larger batch).")
            .define(
                    LOG_CLEANER_IO_MAX_BYTES_PER_SECOND,
                    Type.DOUBLE,
                    Double.MAX_VALUE,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "I/O the cleaner threads may do per second (reads plus writes).")
            .define(
                    LOG_CLEANER_BACKOFF_MS,
                    Type.LONG,
                    15_000L,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "How long a cleaner thread sleeps when no log needs cleaning.")
            .define(
                    LOG_CLEANER_MIN_CLEANABLE_RATIO,
                    Type.DOUBLE,
                    0.5,
                    Range.between(0, 1),
                    Importance.MEDIUM,
                    "Default min.cleanable.dirty.ratio: clean a log when its dirty share exceeds this.")
            .define(
                    LOG_CLEANER_DELETE_RETENTION_MS,
                    Type.LONG,
                    86_400_000L,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "Default delete.retention.ms: tombstones and empty transaction markers are kept this long"
                            + " after the cleaning that first saw them.")
            .define(
                    LOG_CLEANER_MIN_COMPACTION_LAG_MS,
                    Type.LONG,
                    0L,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "Default min.compaction.lag.ms: records younger than this are not compacted.")
            .define(
                    LOG_CLEANER_MAX_COMPACTION_LAG_MS,
                    Type.LONG,
                    Long.MAX_VALUE,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Default max.compaction.lag.ms: a log with a dirty record older than this is cleaned whatever"
                            + " its dirty ratio.")
            .define(
                    LOG_FLUSH_INTERVAL_MESSAGES,
                    Type.LONG,
                    null,
                    Importance.HIGH,
                    "Set to relax Strand's fsync-before-ack default to Kafka's flush-every-N-messages.")
            .define(
                    LOG_FLUSH_INTERVAL_MS,
                    Type.LONG,
                    null,
                    Importance.HIGH,
                    "Set to relax Strand's fsync-before-ack default to Kafka's flush-every-N-ms.")
            .define(
                    LOG_FLUSH_SCHEDULER_INTERVAL_MS,
                    Type.LONG,
                    1000L,
                    Range.atLeast(1),
                    Importance.LOW,
                    "How often logs are checked against flush.ms (relaxed durability). Kafka's default is never; "
                            + "Strand checks every second so that flush.ms works when set on a topic.")
            .define(
                    LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS,
                    Type.LONG,
                    60_000L,
                    Range.atLeast(1),
                    Importance.LOW,
                    "How often each log's recovery point, high watermark and log start offset are checkpointed.")
            .define(
                    LOG_SEGMENT_DELETE_DELAY_MS,
                    Type.LONG,
                    60_000L,
                    Range.atLeast(0),
                    Importance.LOW,
                    "How long the files of a deleted segment (retention, truncation, topic deletion) stay renamed "
                            + "with .deleted before they are removed, so that reads already under way finish.")
            .define(
                    NUM_RECOVERY_THREADS_PER_DATA_DIR,
                    Type.INT,
                    2,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Threads per log directory that load (and, after a crash, recover) logs at start.")
            .define(
                    LOG_INDEX_INTERVAL_BYTES,
                    Type.INT,
                    4096,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "Bytes between offset-index entries.")
            .define(
                    LOG_INDEX_SIZE_MAX_BYTES,
                    Type.INT,
                    10 * 1024 * 1024,
                    Range.atLeast(4),
                    Importance.MEDIUM,
                    "Maximum size of an offset index.")
            .define(
                    LOG_MESSAGE_TIMESTAMP_TYPE,
                    Type.STRING,
                    "CreateTime",
                    ValidString.in("CreateTime", "LogAppendTime"),
                    Importance.MEDIUM,
                    "Timestamp kept in appended batches.")
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
                    MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS,
                    Type.INT,
                    1000,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "Incremental fetch sessions (KIP-227) the broker keeps for followers and consumers; 0 turns"
                            + " them off.")
            .define(
                    UNCLEAN_LEADER_ELECTION_ENABLE,
                    Type.BOOLEAN,
                    false,
                    Importance.HIGH,
                    "Elect an out-of-sync replica when no ISR member is alive (may lose data).")
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
                    LOG_DIR_FREE_BYTES_MIN,
                    Type.LONG,
                    128L << 20,
                    Range.atLeast(0),
                    Importance.MEDIUM,
                    "Free space, in bytes, that an append must leave on a log directory's file system: below it the"
                            + " leader refuses appends with KAFKA_STORAGE_ERROR (clients retry) and followers back off,"
                            + " nothing is written and nothing goes offline; appends resume by themselves once space"
                            + " is freed. 0 = no floor.")
            .define(
                    LOG_DIR_FREE_PERCENT_MIN,
                    Type.INT,
                    0,
                    Range.between(0, 50),
                    Importance.MEDIUM,
                    "The free-space floor as a percentage of the log directory's file system; the larger of this"
                            + " and log.dir.free.bytes.min applies. 0 = none.")
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
                            + " 0 turns the probe off (a dead broker is then noticed when its session expires).")
            .define(
                    LOG_CLEANER_STATUS_INTERVAL_MS,
                    Type.LONG,
                    30_000L,
                    Range.atLeast(100),
                    Importance.LOW,
                    "How often the broker checks its log cleaner's view of the compacted logs it holds (policy,"
                            + " dirty ratio, first dirty offset, last cleaning, why a log is uncleanable) and, when it"
                            + " changed, writes it to its ephemeral znode /log_cleaner/<broker.id>, which strand"
                            + " topics describe --zookeeper and strand zk get show.")
            .define(
                    LEADER_REPLICATION_THROTTLED_RATE,
                    Type.LONG,
                    Long.MAX_VALUE,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Bytes/s this broker, as leader, sends to replicas catching up in a partition reassignment; the default "
                            + "is unlimited. Can be changed at run time (kafka-configs / strand configs set --broker).");
}
