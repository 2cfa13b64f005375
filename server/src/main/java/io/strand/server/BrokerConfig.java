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
 * a typed getter per setting; the storage, log cleaner and replication settings are read through
 * {@link #storage()}, {@link #cleaner()} and {@link #replication()}, their keys are in {@link
 * StorageSettingsDefinition}, {@link CleanerSettingsDefinition} and {@link ReplicationSettingsDefinition}.
 * The definitions (types, defaults, valid values, documentation) are in {@link BrokerConfigDefinition}.
 * Every value is type-checked and range-checked at start; an unknown key or a bad value throws {@link
 * ConfigException} whose message names the key, and the broker does not start.
 *
 * <p>Immutable and thread-safe.
 */
public final class BrokerConfig extends AbstractConfig {
    public static final String BROKER_ID = "broker.id";
    public static final String BROKER_RACK = "broker.rack";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String ZOOKEEPER_CONNECT = "zookeeper.connect";
    public static final String ZOOKEEPER_SESSION_TIMEOUT_MS = "zookeeper.session.timeout.ms";
    public static final String ZOOKEEPER_CONNECTION_TIMEOUT_MS = "zookeeper.connection.timeout.ms";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS = "max.incremental.fetch.session.cache.slots";
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
    public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
    public static final String PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = "producer.id.expiration.check.interval.ms";
    public static final String METRICS_JMX_ENABLE = "strand.metrics.jmx.enable";
    public static final String LIVENESS_PROBE_INTERVAL_MS = "strand.liveness.probe.interval.ms";

    /** Keys read through a getter since {@link #of} validated the file: what the running broker used. */
    private final Set<String> keysRead = ConcurrentHashMap.newKeySet();

    private volatile boolean validated;

    private final StorageSettings storage = new StorageSettings(this);
    private final CleanerSettings cleaner = new CleanerSettings(this);
    private final ReplicationSettings replication = new ReplicationSettings(this);

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
        storage.validate();
        if (getInt(MESSAGE_MAX_BYTES) > getInt(SOCKET_REQUEST_MAX_BYTES)) {
            throw new ConfigException(
                    MESSAGE_MAX_BYTES,
                    getInt(MESSAGE_MAX_BYTES),
                    "must not exceed " + SOCKET_REQUEST_MAX_BYTES + " (" + getInt(SOCKET_REQUEST_MAX_BYTES) + ")");
        }
    }

    public int brokerId() {
        return getInt(BROKER_ID);
    }

    public String rack() {
        String r = getString(BROKER_RACK);
        return r == null ? "" : r;
    }

    /** The log directories, the broker-wide log defaults and the log manager's settings. */
    public StorageSettings storage() {
        return storage;
    }

    /** The log cleaner's settings and the broker-wide defaults of the topics' compaction settings. */
    public CleanerSettings cleaner() {
        return cleaner;
    }

    /** Replica counts, follower fetching, ISR, leader election and the reassignment throttle. */
    public ReplicationSettings replication() {
        return replication;
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

    public boolean autoCreateTopicsEnable() {
        return getBoolean(AUTO_CREATE_TOPICS_ENABLE);
    }

    public int maxIncrementalFetchSessionCacheSlots() {
        return getInt(MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS);
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

    public long producerIdExpirationMs() {
        return getLong(PRODUCER_ID_EXPIRATION_MS);
    }

    public long producerIdExpirationCheckIntervalMs() {
        return getLong(PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS);
    }

    public boolean metricsJmxEnable() {
        return getBoolean(METRICS_JMX_ENABLE);
    }

    /** How often the gone-broker probe connects to the brokers it watches; 0 = no probe (wait for sessions). */
    public long livenessProbeIntervalMs() {
        return getLong(LIVENESS_PROBE_INTERVAL_MS);
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
