package io.strand.server;

import io.strand.coordinator.security.ZooKeeperClientOptions;
import io.strand.coordinator.security.ZooKeeperSecuritySettingsDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A broker's configuration, read from a Java properties file with Kafka's names: the key names and
 * a typed getter per setting. The definitions (types, defaults, valid values, documentation) are in
 * {@link BrokerConfigDefinition}. Every value is type-checked and range-checked at start; an
 * unknown key or a bad value throws {@link ConfigException} whose message names the key, and the
 * broker does not start.
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
    public static final String LOG_CLEANUP_POLICY = "log.cleanup.policy";
    public static final String LOG_CLEANER_ENABLE = "log.cleaner.enable";
    public static final String LOG_CLEANER_THREADS = "log.cleaner.threads";
    public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String LOG_CLEANER_IO_BUFFER_SIZE = "log.cleaner.io.buffer.size";
    public static final String LOG_CLEANER_IO_MAX_BYTES_PER_SECOND = "log.cleaner.io.max.bytes.per.second";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String LOG_CLEANER_MIN_CLEANABLE_RATIO = "log.cleaner.min.cleanable.ratio";
    public static final String LOG_CLEANER_DELETE_RETENTION_MS = "log.cleaner.delete.retention.ms";
    public static final String LOG_CLEANER_MIN_COMPACTION_LAG_MS = "log.cleaner.min.compaction.lag.ms";
    public static final String LOG_CLEANER_MAX_COMPACTION_LAG_MS = "log.cleaner.max.compaction.lag.ms";
    public static final String LOG_FLUSH_INTERVAL_MESSAGES = "log.flush.interval.messages";
    public static final String LOG_FLUSH_INTERVAL_MS = "log.flush.interval.ms";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS = "log.flush.offset.checkpoint.interval.ms";
    public static final String LOG_SEGMENT_DELETE_DELAY_MS = "log.segment.delete.delay.ms";
    public static final String NUM_RECOVERY_THREADS_PER_DATA_DIR = "num.recovery.threads.per.data.dir";
    public static final String LOG_INDEX_INTERVAL_BYTES = "log.index.interval.bytes";
    public static final String LOG_INDEX_SIZE_MAX_BYTES = "log.index.size.max.bytes";
    public static final String LOG_MESSAGE_TIMESTAMP_TYPE = "log.message.timestamp.type";
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
    public static final String REPLICA_FETCH_RESPONSE_MAX_BYTES = "replica.fetch.response.max.bytes";
    public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
    public static final String REPLICA_FETCH_MIN_BYTES = "replica.fetch.min.bytes";
    public static final String REPLICA_FETCH_AHEAD_ENABLE = "strand.replica.fetch.ahead.enable";
    public static final String REPLICA_FETCH_AHEAD_WAIT_MS = "strand.replica.fetch.ahead.wait.ms";
    public static final String REPLICA_FETCH_BACKOFF_MS = "replica.fetch.backoff.ms";
    public static final String MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS = "max.incremental.fetch.session.cache.slots";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String NUM_IO_THREADS = "num.io.threads";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String QUEUED_MAX_REQUESTS = "queued.max.requests";
    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";
    public static final String OFFSETS_TOPIC_SEGMENT_BYTES = "offsets.topic.segment.bytes";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String OFFSETS_COMMIT_TIMEOUT_MS = "offsets.commit.timeout.ms";
    public static final String TRANSACTION_STATE_LOG_NUM_PARTITIONS = "transaction.state.log.num.partitions";
    public static final String TRANSACTION_STATE_LOG_REPLICATION_FACTOR = "transaction.state.log.replication.factor";
    public static final String TRANSACTION_STATE_LOG_MIN_ISR = "transaction.state.log.min.isr";
    public static final String TRANSACTION_MAX_TIMEOUT_MS = "transaction.max.timeout.ms";
    public static final String TRANSACTIONAL_ID_EXPIRATION_MS = "transactional.id.expiration.ms";
    public static final String TRANSACTION_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS =
            "transaction.abort.timed.out.transaction.cleanup.interval.ms";
    public static final String TRANSACTION_REMOVE_EXPIRED_TRANSACTION_CLEANUP_INTERVAL_MS =
            "transaction.remove.expired.transaction.cleanup.interval.ms";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_PER_BROKER_PERCENTAGE = "leader.imbalance.per.broker.percentage";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";
    public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
    public static final String PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = "producer.id.expiration.check.interval.ms";
    public static final String METRICS_JMX_ENABLE = "strand.metrics.jmx.enable";
    public static final String LIVENESS_PROBE_INTERVAL_MS = "strand.liveness.probe.interval.ms";
    public static final String LOG_CLEANER_STATUS_INTERVAL_MS = "strand.log.cleaner.status.interval.ms";
    public static final String LOG_DIR_FREE_BYTES_MIN = "log.dir.free.bytes.min";
    public static final String LOG_DIR_FREE_PERCENT_MIN = "log.dir.free.percent.min";
    public static final String LEADER_REPLICATION_THROTTLED_RATE = "leader.replication.throttled.rate";

    /** Keys read through a getter since {@link #of} validated the file: what the running broker used. */
    private final Set<String> keysRead = ConcurrentHashMap.newKeySet();

    private volatile boolean validated;

    private BrokerConfig(Map<String, String> props) {
        super(BrokerConfigDefinition.DEFINITION, props, false);
    }

    @Override
    protected Object get(String key) {
        if (validated) {
            keysRead.add(key);
        }
        return super.get(key);
    }

    /**
     * The keys the broker has read since start-up validation: a defined setting that never shows up
     * here has no code that reads it (a test holds every setting to that).
     */
    public Set<String> keysRead() {
        return Set.copyOf(keysRead);
    }

    /**
     * @throws ConfigException naming the key of the first unknown key or bad value
     */
    public static BrokerConfig of(Map<String, String> props) {
        for (String key : new TreeSet<>(props.keySet())) {
            if (!BrokerConfigDefinition.DEFINITION.names().contains(key)
                    && !BrokerConfigDefinition.ACCEPTED_WITHOUT_EFFECT.contains(key)
                    && !ListenerOverrides.isOverride(key)) {
                // the value is not quoted: a misspelled key may hold a password
                throw new ConfigException("Unknown configuration key '" + key + "'; remove it or fix its spelling");
            }
        }
        Map<String, String> known = new HashMap<>(props);
        known.keySet().removeAll(BrokerConfigDefinition.ACCEPTED_WITHOUT_EFFECT);
        BrokerConfig c = new BrokerConfig(known);
        c.validate();
        c.validated = true;
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
        zookeeperClientOptions();
        listenerConfig();
        ListenerOverrides.validate(this);
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

    public int brokerId() {
        return getInt(BROKER_ID);
    }

    public String rack() {
        String r = getString(BROKER_RACK);
        return r == null ? "" : r;
    }

    /** The listeners, their security protocols and the inter-broker listener. */
    public ListenerConfig listenerConfig() {
        return new ListenerConfig(
                getList(LISTENERS),
                getList(ADVERTISED_LISTENERS),
                getList(ListenerSettingsDefinition.LISTENER_SECURITY_PROTOCOL_MAP),
                getString(ListenerSettingsDefinition.INTER_BROKER_LISTENER_NAME),
                getString(ListenerSettingsDefinition.SECURITY_INTER_BROKER_PROTOCOL));
    }

    public List<ListenerConfig.Listener> listeners() {
        return listenerConfig().listeners();
    }

    public List<ListenerConfig.Listener> advertisedListeners() {
        return listenerConfig().advertisedListeners();
    }

    /** The listener brokers use to reach each other. */
    public String interBrokerListenerName() {
        return listenerConfig().interBrokerListenerName();
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

    /**
     * How this broker's ZooKeeper clients authenticate, protect what they create and connect ({@code
     * zookeeper.set.acl}, {@code zookeeper.digest.credentials.file}, {@code zookeeper.ssl.*}); reads the
     * credentials file anew.
     *
     * @throws ConfigException naming the key of a setting that cannot work
     */
    public ZooKeeperClientOptions zookeeperClientOptions() {
        return ZooKeeperSecuritySettingsDefinition.options(this);
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

    /** The default {@code cleanup.policy} of a topic, as Kafka writes it ({@code delete}, {@code compact}, both). */
    public String logCleanupPolicy() {
        return String.join(",", getList(LOG_CLEANUP_POLICY));
    }

    public boolean logCleanerEnable() {
        return getBoolean(LOG_CLEANER_ENABLE);
    }

    public int logCleanerThreads() {
        return getInt(LOG_CLEANER_THREADS);
    }

    public long logCleanerDedupeBufferSize() {
        return getLong(LOG_CLEANER_DEDUPE_BUFFER_SIZE);
    }

    public int logCleanerIoBufferSize() {
        return getInt(LOG_CLEANER_IO_BUFFER_SIZE);
    }

    public double logCleanerIoMaxBytesPerSecond() {
        return getDouble(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND);
    }

    public long logCleanerBackoffMs() {
        return getLong(LOG_CLEANER_BACKOFF_MS);
    }

    public double logCleanerMinCleanableRatio() {
        return getDouble(LOG_CLEANER_MIN_CLEANABLE_RATIO);
    }

    public long logCleanerDeleteRetentionMs() {
        return getLong(LOG_CLEANER_DELETE_RETENTION_MS);
    }

    public long logCleanerMinCompactionLagMs() {
        return getLong(LOG_CLEANER_MIN_COMPACTION_LAG_MS);
    }

    public long logCleanerMaxCompactionLagMs() {
        return getLong(LOG_CLEANER_MAX_COMPACTION_LAG_MS);
    }

    /** Kafka's flush-every-N-messages, if set; setting it (or the ms variant) turns off fsync-before-ack. */
    public Long logFlushIntervalMessages() {
        return getLong(LOG_FLUSH_INTERVAL_MESSAGES);
    }

    public Long logFlushIntervalMs() {
        return getLong(LOG_FLUSH_INTERVAL_MS);
    }

    /** How often the relaxed-durability {@code flush.ms} policy is checked. */
    public long logFlushSchedulerIntervalMs() {
        return getLong(LOG_FLUSH_SCHEDULER_INTERVAL_MS);
    }

    /** How often recovery points, high watermarks and log start offsets are checkpointed. */
    public long logFlushOffsetCheckpointIntervalMs() {
        return getLong(LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS);
    }

    /** How long a deleted segment's files stay (renamed) before they are removed. */
    public long logSegmentDeleteDelayMs() {
        return getLong(LOG_SEGMENT_DELETE_DELAY_MS);
    }

    public int numRecoveryThreadsPerDataDir() {
        return getInt(NUM_RECOVERY_THREADS_PER_DATA_DIR);
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

    public boolean replicaFetchAheadEnable() {
        return getBoolean(REPLICA_FETCH_AHEAD_ENABLE);
    }

    public int replicaFetchAheadWaitMs() {
        return getInt(REPLICA_FETCH_AHEAD_WAIT_MS);
    }

    public int replicaFetchMinBytes() {
        return getInt(REPLICA_FETCH_MIN_BYTES);
    }

    public int replicaFetchBackoffMs() {
        return getInt(REPLICA_FETCH_BACKOFF_MS);
    }

    public int maxIncrementalFetchSessionCacheSlots() {
        return getInt(MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS);
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

    public int offsetsTopicSegmentBytes() {
        return getInt(OFFSETS_TOPIC_SEGMENT_BYTES);
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

    public int transactionStateLogNumPartitions() {
        return getInt(TRANSACTION_STATE_LOG_NUM_PARTITIONS);
    }

    public int transactionStateLogReplicationFactor() {
        return getShort(TRANSACTION_STATE_LOG_REPLICATION_FACTOR);
    }

    public int transactionStateLogMinIsr() {
        return getInt(TRANSACTION_STATE_LOG_MIN_ISR);
    }

    public int transactionMaxTimeoutMs() {
        return getInt(TRANSACTION_MAX_TIMEOUT_MS);
    }

    public long transactionalIdExpirationMs() {
        return getInt(TRANSACTIONAL_ID_EXPIRATION_MS);
    }

    public long transactionAbortTimedOutTransactionCleanupIntervalMs() {
        return getInt(TRANSACTION_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS);
    }

    public long transactionRemoveExpiredTransactionCleanupIntervalMs() {
        return getInt(TRANSACTION_REMOVE_EXPIRED_TRANSACTION_CLEANUP_INTERVAL_MS);
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

    /** Free bytes an append must leave in its log directory's file system (0 = no floor). */
    public long logDirFreeBytesMin() {
        return getLong(LOG_DIR_FREE_BYTES_MIN);
    }

    /** The same floor as a percentage of the file system's size (0 = none); the larger floor applies. */
    public int logDirFreePercentMin() {
        return getInt(LOG_DIR_FREE_PERCENT_MIN);
    }

    /** How often the gone-broker probe connects to the brokers it watches; 0 = no probe (wait for sessions). */
    public long livenessProbeIntervalMs() {
        return getLong(LIVENESS_PROBE_INTERVAL_MS);
    }

    /** How often the log cleaner's status is checked and, if it changed, written to /log_cleaner/<id>. */
    public long logCleanerStatusIntervalMs() {
        return getLong(LOG_CLEANER_STATUS_INTERVAL_MS);
    }

    /** Bytes/s for replicas catching up in a reassignment, from the properties file (Long.MAX_VALUE = unlimited). */
    public long leaderReplicationThrottledRate() {
        return getLong(LEADER_REPLICATION_THROTTLED_RATE);
    }

    /** The definition of every key this broker reads (names, types, defaults), for DescribeConfigs. */
    public static ConfigDef definition() {
        return BrokerConfigDefinition.DEFINITION;
    }

    /** Every key and its effective value, for the start-up log. */
    public Map<String, Object> effectiveValues() {
        return new java.util.TreeMap<>(values());
    }
}
