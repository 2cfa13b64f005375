package io.strand.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

/**
 * A broker's configuration, read from a Java properties file with Kafka's names. Every value is
 * type-checked and range-checked at start; an unknown key or a bad value throws
 * {@link ConfigException} whose message names the key, and the broker does not start.
 *
 * <p>Immutable and thread-safe.
 */
public final class BrokerConfig extends AbstractConfig {
    public static final String BROKER_ID = "broker.id";
    public static final String BROKER_RACK = "broker.rack";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String ZOOKEEPER_CONNECT = "zookeeper.connect";
    public static final String ZOOKEEPER_SESSION_TIMEOUT_MS = "zookeeper.session.timeout.ms";
    public static final String ZOOKEEPER_CONNECTION_TIMEOUT_MS = "zookeeper.connection.timeout.ms";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String LOG_SEGMENT_BYTES = "log.segment.bytes";
    public static final String LOG_ROLL_MS = "log.roll.ms";
    public static final String LOG_ROLL_HOURS = "log.roll.hours";
    public static final String LOG_RETENTION_MS = "log.retention.ms";
    public static final String LOG_RETENTION_MINUTES = "log.retention.minutes";
    public static final String LOG_RETENTION_HOURS = "log.retention.hours";
    public static final String LOG_RETENTION_BYTES = "log.retention.bytes";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_FLUSH_INTERVAL_MESSAGES = "log.flush.interval.messages";
    public static final String LOG_FLUSH_INTERVAL_MS = "log.flush.interval.ms";
    public static final String LOG_INDEX_INTERVAL_BYTES = "log.index.interval.bytes";
    public static final String LOG_INDEX_SIZE_MAX_BYTES = "log.index.size.max.bytes";
    public static final String LOG_MESSAGE_TIMESTAMP_TYPE = "log.message.timestamp.type";
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
    public static final String REPLICA_FETCH_RESPONSE_MAX_BYTES = "replica.fetch.response.max.bytes";
    public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
    public static final String REPLICA_FETCH_MIN_BYTES = "replica.fetch.min.bytes";
    public static final String REPLICA_FETCH_BACKOFF_MS = "replica.fetch.backoff.ms";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String NUM_IO_THREADS = "num.io.threads";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String QUEUED_MAX_REQUESTS = "queued.max.requests";
    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String OFFSETS_COMMIT_TIMEOUT_MS = "offsets.commit.timeout.ms";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_PER_BROKER_PERCENTAGE = "leader.imbalance.per.broker.percentage";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";
    public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
    public static final String PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = "producer.id.expiration.check.interval.ms";
    public static final String TRANSACTIONAL_ID_EXPIRATION_MS = "transactional.id.expiration.ms";
    public static final String METRICS_JMX_ENABLE = "strand.metrics.jmx.enable";
    public static final String LEADER_REPLICATION_THROTTLED_RATE = "leader.replication.throttled.rate";

    /** Kafka broker settings Strand accepts so that an existing server.properties starts, but which change nothing here. */
    public static final Set<String> ACCEPTED_WITHOUT_EFFECT = Set.of(
            "socket.send.buffer.bytes",
            "socket.receive.buffer.bytes",
            "num.recovery.threads.per.data.dir",
            "log.cleaner.enable",
            "transaction.state.log.replication.factor",
            "transaction.state.log.min.isr",
            "offsets.topic.segment.bytes",
            "log.cleaner.threads",
            "delete.topic.enable",
            "zookeeper.set.acl",
            "inter.broker.listener.name",
            "listener.security.protocol.map");

    static final ConfigDef DEFINITION = new ConfigDef()
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
                    "Comma-separated listeners NAME://host:port this broker binds (PLAINTEXT only).")
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
            .define(
                    TRANSACTIONAL_ID_EXPIRATION_MS,
                    Type.LONG,
                    604_800_000L,
                    Range.atLeast(1),
                    Importance.LOW,
                    "Accepted for compatibility; Strand has no transactions.")
            .define(METRICS_JMX_ENABLE, Type.BOOLEAN, true, Importance.LOW, "Publish metrics over JMX.")
            .define(
                    LEADER_REPLICATION_THROTTLED_RATE,
                    Type.LONG,
                    Long.MAX_VALUE,
                    Range.atLeast(1),
                    Importance.MEDIUM,
                    "Bytes/s this broker, as leader, sends to replicas catching up in a partition reassignment; the default "
                            + "is unlimited. Can be changed at run time (kafka-configs / strand configs set --broker).");

    private BrokerConfig(Map<String, String> props) {
        super(DEFINITION, props, false);
    }

    /**
     * @throws ConfigException naming the key of the first unknown key or bad value
     */
    public static BrokerConfig of(Map<String, String> props) {
        for (String key : new TreeSet<>(props.keySet())) {
            if (!DEFINITION.names().contains(key) && !ACCEPTED_WITHOUT_EFFECT.contains(key)) {
                throw new ConfigException("Unknown configuration key '" + key + "' (value '" + props.get(key)
                        + "'); remove it or fix its spelling");
            }
        }
        Map<String, String> known = new HashMap<>(props);
        known.keySet().removeAll(ACCEPTED_WITHOUT_EFFECT);
        BrokerConfig c = new BrokerConfig(known);
        c.validate();
        return c;
    }

    public static BrokerConfig load(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        Map<String, String> m = new HashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k.trim(), p.getProperty(k).trim()));
        return of(m);
    }

    private void validate() {
        listeners();
        advertisedListeners();
        longOrNull(LOG_FLUSH_INTERVAL_MESSAGES, 1);
        longOrNull(LOG_FLUSH_INTERVAL_MS, 0);
        if (logRetentionMs() < -1) {
            throw new ConfigException(LOG_RETENTION_MS, logRetentionMs(), "must be -1 (forever) or a duration");
        }
        if (logDirs().isEmpty()) {
            throw new ConfigException(LOG_DIRS, getList(LOG_DIRS), "must name at least one directory");
        }
        if (getInt(MESSAGE_MAX_BYTES) > getInt(SOCKET_REQUEST_MAX_BYTES)) {
            throw new ConfigException(
                    MESSAGE_MAX_BYTES,
                    getInt(MESSAGE_MAX_BYTES),
                    "must not exceed " + SOCKET_REQUEST_MAX_BYTES + " (" + getInt(SOCKET_REQUEST_MAX_BYTES) + ")");
        }
    }

    private Long longOrNull(String key, long min) {
        Long v = getLong(key);
        if (v != null && v < min) {
            throw new ConfigException(key, v, "must be at least " + min);
        }
        return v;
    }

    /** A listener: name (security protocol) and address. */
    public record Listener(String name, String host, int port) {
        static Listener parse(String key, String spec) {
            int sep = spec.indexOf("://");
            if (sep <= 0) {
                throw new ConfigException(key, spec, "expected NAME://host:port");
            }
            String name = spec.substring(0, sep).trim().toUpperCase(java.util.Locale.ROOT);
            String hostPort = spec.substring(sep + 3).trim();
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                throw new ConfigException(key, spec, "expected NAME://host:port");
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ConfigException(key, spec, "port is not a number");
            }
            if (port < 0 || port > 65535) {
                throw new ConfigException(key, spec, "port out of range");
            }
            if (!name.equals("PLAINTEXT")) {
                throw new ConfigException(key, spec, "only PLAINTEXT listeners are supported");
            }
            return new Listener(name, host, port);
        }
    }

    public int brokerId() {
        return getInt(BROKER_ID);
    }

    public String rack() {
        String r = getString(BROKER_RACK);
        return r == null ? "" : r;
    }

    public List<Listener> listeners() {
        List<Listener> out = new ArrayList<>();
        for (String s : getList(LISTENERS)) {
            out.add(Listener.parse(LISTENERS, s));
        }
        if (out.isEmpty()) {
            throw new ConfigException(LISTENERS, "", "at least one listener is required");
        }
        return out;
    }

    public List<Listener> advertisedListeners() {
        List<String> adv = getList(ADVERTISED_LISTENERS);
        if (adv == null || adv.isEmpty()) {
            return listeners();
        }
        List<Listener> out = new ArrayList<>();
        for (String s : adv) {
            out.add(Listener.parse(ADVERTISED_LISTENERS, s));
        }
        return out;
    }

    public List<Path> logDirs() {
        List<String> dirs = getList(LOG_DIRS);
        if (dirs == null || dirs.isEmpty()) {
            return List.of(Path.of(getString(LOG_DIR)));
        }
        return dirs.stream().map(Path::of).toList();
    }

    public String zookeeperConnect() {
        return getString(ZOOKEEPER_CONNECT);
    }

    public int zookeeperSessionTimeoutMs() {
        return getInt(ZOOKEEPER_SESSION_TIMEOUT_MS);
    }

    public int zookeeperConnectionTimeoutMs() {
        Integer v = getInt(ZOOKEEPER_CONNECTION_TIMEOUT_MS);
        return v == null ? zookeeperSessionTimeoutMs() : v;
    }

    public int numPartitions() {
        return getInt(NUM_PARTITIONS);
    }

    public int defaultReplicationFactor() {
        return getShort(DEFAULT_REPLICATION_FACTOR);
    }

    public int minInsyncReplicas() {
        return getInt(MIN_INSYNC_REPLICAS);
    }

    public boolean autoCreateTopicsEnable() {
        return getBoolean(AUTO_CREATE_TOPICS_ENABLE);
    }

    public int logSegmentBytes() {
        return getInt(LOG_SEGMENT_BYTES);
    }

    public long logRollMs() {
        Long ms = getLong(LOG_ROLL_MS);
        return ms != null ? ms : getInt(LOG_ROLL_HOURS) * 3_600_000L;
    }

    public long logRetentionMs() {
        Long ms = getLong(LOG_RETENTION_MS);
        if (ms != null) {
            return ms < 0 ? -1 : ms;
        }
        Integer minutes = getInt(LOG_RETENTION_MINUTES);
        if (minutes != null) {
            return minutes < 0 ? -1 : minutes * 60_000L;
        }
        int hours = getInt(LOG_RETENTION_HOURS);
        return hours < 0 ? -1 : hours * 3_600_000L;
    }

    public long logRetentionBytes() {
        return getLong(LOG_RETENTION_BYTES);
    }

    public long logRetentionCheckIntervalMs() {
        return getLong(LOG_RETENTION_CHECK_INTERVAL_MS);
    }

    /** Kafka's flush-every-N-messages, if set; setting it (or the ms variant) turns off fsync-before-ack. */
    public Long logFlushIntervalMessages() {
        return getLong(LOG_FLUSH_INTERVAL_MESSAGES);
    }

    public Long logFlushIntervalMs() {
        return getLong(LOG_FLUSH_INTERVAL_MS);
    }

    /** Strand's default: an acknowledged record has been fsynced. Kafka's flush settings relax it. */
    public boolean fsyncBeforeAck() {
        return logFlushIntervalMessages() == null && logFlushIntervalMs() == null;
    }

    public int logIndexIntervalBytes() {
        return getInt(LOG_INDEX_INTERVAL_BYTES);
    }

    public int logIndexSizeMaxBytes() {
        return getInt(LOG_INDEX_SIZE_MAX_BYTES);
    }

    public String logMessageTimestampType() {
        return getString(LOG_MESSAGE_TIMESTAMP_TYPE);
    }

    public long replicaLagTimeMaxMs() {
        return getLong(REPLICA_LAG_TIME_MAX_MS);
    }

    public int replicaFetchMaxBytes() {
        return getInt(REPLICA_FETCH_MAX_BYTES);
    }

    public int replicaFetchResponseMaxBytes() {
        return getInt(REPLICA_FETCH_RESPONSE_MAX_BYTES);
    }

    public int replicaFetchWaitMaxMs() {
        return getInt(REPLICA_FETCH_WAIT_MAX_MS);
    }

    public int replicaFetchMinBytes() {
        return getInt(REPLICA_FETCH_MIN_BYTES);
    }

    public int replicaFetchBackoffMs() {
        return getInt(REPLICA_FETCH_BACKOFF_MS);
    }

    public boolean uncleanLeaderElectionEnable() {
        return getBoolean(UNCLEAN_LEADER_ELECTION_ENABLE);
    }

    public int messageMaxBytes() {
        return getInt(MESSAGE_MAX_BYTES);
    }

    public int socketRequestMaxBytes() {
        return getInt(SOCKET_REQUEST_MAX_BYTES);
    }

    public int numIoThreads() {
        return getInt(NUM_IO_THREADS);
    }

    public int numNetworkThreads() {
        return getInt(NUM_NETWORK_THREADS);
    }

    public int queuedMaxRequests() {
        return getInt(QUEUED_MAX_REQUESTS);
    }

    public int offsetsTopicNumPartitions() {
        return getInt(OFFSETS_TOPIC_NUM_PARTITIONS);
    }

    public int offsetsTopicReplicationFactor() {
        return getShort(OFFSETS_TOPIC_REPLICATION_FACTOR);
    }

    public int groupInitialRebalanceDelayMs() {
        return getInt(GROUP_INITIAL_REBALANCE_DELAY_MS);
    }

    public int groupMinSessionTimeoutMs() {
        return getInt(GROUP_MIN_SESSION_TIMEOUT_MS);
    }

    public int groupMaxSessionTimeoutMs() {
        return getInt(GROUP_MAX_SESSION_TIMEOUT_MS);
    }

    public int groupMaxSize() {
        return getInt(GROUP_MAX_SIZE);
    }

    public long offsetsRetentionMs() {
        return getInt(OFFSETS_RETENTION_MINUTES) * 60_000L;
    }

    public long offsetsRetentionCheckIntervalMs() {
        return getLong(OFFSETS_RETENTION_CHECK_INTERVAL_MS);
    }

    public int offsetsCommitTimeoutMs() {
        return getInt(OFFSETS_COMMIT_TIMEOUT_MS);
    }

    public int offsetMetadataMaxBytes() {
        return getInt(OFFSET_METADATA_MAX_BYTES);
    }

    public boolean autoLeaderRebalanceEnable() {
        return getBoolean(AUTO_LEADER_REBALANCE_ENABLE);
    }

    public int leaderImbalancePerBrokerPercentage() {
        return getInt(LEADER_IMBALANCE_PER_BROKER_PERCENTAGE);
    }

    public long leaderImbalanceCheckIntervalSeconds() {
        return getLong(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS);
    }

    public long producerIdExpirationMs() {
        return getLong(PRODUCER_ID_EXPIRATION_MS);
    }

    public long producerIdExpirationCheckIntervalMs() {
        return getLong(PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS);
    }

    public boolean metricsJmxEnable() {
        return getBoolean(METRICS_JMX_ENABLE);
    }

    /** Bytes/s for replicas catching up in a reassignment, from the properties file (Long.MAX_VALUE = unlimited). */
    public long leaderReplicationThrottledRate() {
        return getLong(LEADER_REPLICATION_THROTTLED_RATE);
    }

    /** The definition of every key this broker reads (names, types, defaults), for DescribeConfigs. */
    public static ConfigDef definition() {
        return DEFINITION;
    }

    /** Every key and its effective value, for the start-up log. */
    public Map<String, Object> effectiveValues() {
        return new java.util.TreeMap<>(values());
    }
}
