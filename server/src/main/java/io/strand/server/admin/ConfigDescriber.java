package io.strand.server.admin;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicConfigs;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.admin.DynamicBrokerConfigs;
import io.strand.server.BrokerConfig;
import io.strand.server.CleanerSettingsDefinition;
import io.strand.server.ReplicationSettingsDefinition;
import io.strand.server.StorageSettingsDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * The configs DescribeConfigs reports. For a topic: every Kafka topic config, with its override
 * ({@code /config/topics/<t>}, source TOPIC_CONFIG) or else the value this broker would apply (from
 * its properties file, STATIC_BROKER_CONFIG, or the default, DEFAULT_CONFIG), with the broker config
 * it comes from as synonym. For this broker: every broker setting, read-only except the dynamic ones
 * ({@link DynamicBrokerConfigs}), whose values may come from {@code /config/brokers/<id>} or
 * {@code /config/brokers/<default>}. For the default broker entity (empty name): the dynamic defaults.
 *
 * <p>Thread-safe (reads the metadata cache and immutable config).
 */
public final class ConfigDescriber {
    /** A config as reported, before it is fitted to a response version. */
    public record Entry(
            String name,
            String value,
            ConfigSource source,
            boolean readOnly,
            ConfigType type,
            List<Synonym> synonyms,
            String documentation) {}

    public record Synonym(String name, String value, ConfigSource source) {}

    /** A topic config the broker backs: the broker settings it falls back to (first = primary) and its type. */
    private record Backing(List<String> brokerNames, ConfigType type) {}

    private static final Map<String, Backing> BACKED = new LinkedHashMap<>();
    /** Kafka's defaults of topic configs Strand's broker has no setting for. */
    private static final Map<String, String> KAFKA_DEFAULTS = new LinkedHashMap<>();

    private static final Map<String, String> KAFKA_BROKER_SYNONYMS = new LinkedHashMap<>();

    static {
        BACKED.put(
                TopicConfig.SEGMENT_BYTES_CONFIG,
                new Backing(List.of(StorageSettingsDefinition.LOG_SEGMENT_BYTES), ConfigType.INT));
        BACKED.put(
                TopicConfig.SEGMENT_MS_CONFIG,
                new Backing(
                        List.of(StorageSettingsDefinition.LOG_ROLL_MS, StorageSettingsDefinition.LOG_ROLL_HOURS),
                        ConfigType.LONG));
        BACKED.put(
                TopicConfig.SEGMENT_INDEX_BYTES_CONFIG,
                new Backing(List.of(StorageSettingsDefinition.LOG_INDEX_SIZE_MAX_BYTES), ConfigType.INT));
        BACKED.put(
                TopicConfig.INDEX_INTERVAL_BYTES_CONFIG,
                new Backing(List.of(StorageSettingsDefinition.LOG_INDEX_INTERVAL_BYTES), ConfigType.INT));
        BACKED.put(
                TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG,
                new Backing(List.of(StorageSettingsDefinition.LOG_FLUSH_INTERVAL_MESSAGES), ConfigType.LONG));
        BACKED.put(
                TopicConfig.FLUSH_MS_CONFIG,
                new Backing(List.of(StorageSettingsDefinition.LOG_FLUSH_INTERVAL_MS), ConfigType.LONG));
        BACKED.put(
                TopicConfig.RETENTION_BYTES_CONFIG,
                new Backing(List.of(StorageSettingsDefinition.LOG_RETENTION_BYTES), ConfigType.LONG));
        BACKED.put(
                TopicConfig.RETENTION_MS_CONFIG,
                new Backing(
                        List.of(
                                StorageSettingsDefinition.LOG_RETENTION_MS,
                                StorageSettingsDefinition.LOG_RETENTION_MINUTES,
                                StorageSettingsDefinition.LOG_RETENTION_HOURS),
                        ConfigType.LONG));
        BACKED.put(
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                new Backing(List.of(BrokerConfig.MESSAGE_MAX_BYTES), ConfigType.INT));
        BACKED.put(
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
                new Backing(List.of(StorageSettingsDefinition.LOG_MESSAGE_TIMESTAMP_TYPE), ConfigType.STRING));
        BACKED.put(
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                new Backing(List.of(ReplicationSettingsDefinition.MIN_INSYNC_REPLICAS), ConfigType.INT));
        BACKED.put(
                TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG,
                new Backing(List.of(ReplicationSettingsDefinition.UNCLEAN_LEADER_ELECTION_ENABLE), ConfigType.BOOLEAN));

        BACKED.put(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                new Backing(List.of(StorageSettingsDefinition.LOG_CLEANUP_POLICY), ConfigType.LIST));
        BACKED.put(
                TopicConfig.DELETE_RETENTION_MS_CONFIG,
                new Backing(List.of(CleanerSettingsDefinition.LOG_CLEANER_DELETE_RETENTION_MS), ConfigType.LONG));
        BACKED.put(
                TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
                new Backing(List.of(CleanerSettingsDefinition.LOG_CLEANER_MIN_COMPACTION_LAG_MS), ConfigType.LONG));
        BACKED.put(
                TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG,
                new Backing(List.of(CleanerSettingsDefinition.LOG_CLEANER_MAX_COMPACTION_LAG_MS), ConfigType.LONG));
        BACKED.put(
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG,
                new Backing(List.of(CleanerSettingsDefinition.LOG_CLEANER_MIN_CLEANABLE_RATIO), ConfigType.DOUBLE));

        KAFKA_DEFAULTS.put(TopicConfig.SEGMENT_JITTER_MS_CONFIG, "0");
        KAFKA_DEFAULTS.put(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, "false");
        KAFKA_DEFAULTS.put(TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG, "-2");
        KAFKA_DEFAULTS.put(TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG, "-2");
        KAFKA_DEFAULTS.put(TopicConfig.REMOTE_LOG_COPY_DISABLE_CONFIG, "false");
        KAFKA_DEFAULTS.put(TopicConfig.REMOTE_LOG_DELETE_ON_DISABLE_CONFIG, "false");
        KAFKA_DEFAULTS.put(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "60000");
        KAFKA_DEFAULTS.put(TopicConfig.COMPRESSION_TYPE_CONFIG, "producer");
        KAFKA_DEFAULTS.put(TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG, "-1");
        KAFKA_DEFAULTS.put(TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG, "9");
        KAFKA_DEFAULTS.put(TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG, "3");
        KAFKA_DEFAULTS.put(TopicConfig.PREALLOCATE_CONFIG, "false");
        KAFKA_DEFAULTS.put(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, Long.toString(Long.MAX_VALUE));
        KAFKA_DEFAULTS.put(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, "3600000");
        KAFKA_DEFAULTS.put(TopicConfigs.LEADER_THROTTLED_REPLICAS, "");
        KAFKA_DEFAULTS.put(TopicConfigs.FOLLOWER_THROTTLED_REPLICAS, "");

        KAFKA_BROKER_SYNONYMS.put(TopicConfig.SEGMENT_JITTER_MS_CONFIG, "log.roll.jitter.ms");
        KAFKA_BROKER_SYNONYMS.put(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "log.segment.delete.delay.ms");
        KAFKA_BROKER_SYNONYMS.put(TopicConfig.COMPRESSION_TYPE_CONFIG, "compression.type");
        KAFKA_BROKER_SYNONYMS.put(TopicConfig.PREALLOCATE_CONFIG, "log.preallocate");
    }

    private final BrokerConfig config;
    private final MetadataCache cache;

    public ConfigDescriber(BrokerConfig config, MetadataCache cache) {
        this.config = config;
        this.cache = cache;
    }

    /** Every topic config of a topic with {@code overrides}, or only {@code keys} when not null. */
    public List<Entry> topic(Map<String, String> overrides, List<String> keys) {
        List<Entry> out = new ArrayList<>();
        Set<String> names = new TreeSet<>(TopicConfigs.NAMES);
        names.addAll(overrides.keySet());
        for (String name : names) {
            if (keys != null && !keys.contains(name)) {
                continue;
            }
            List<Synonym> synonyms = new ArrayList<>();
            String override = overrides.get(name);
            if (override != null) {
                synonyms.add(new Synonym(name, override, ConfigSource.TOPIC_CONFIG));
            }
            Backing backing = BACKED.get(name);
            ConfigType type = backing != null ? backing.type() : ConfigType.UNKNOWN;
            if (backing != null) {
                for (String brokerName : backing.brokerNames()) {
                    if (config.originals().containsKey(brokerName)) {
                        synonyms.add(new Synonym(
                                brokerName,
                                format(config.originals().get(brokerName)),
                                ConfigSource.STATIC_BROKER_CONFIG));
                        break;
                    }
                }
                synonyms.add(defaultSynonym(name, backing.brokerNames()));
            } else if (KAFKA_BROKER_SYNONYMS.containsKey(name)) {
                synonyms.add(new Synonym(
                        KAFKA_BROKER_SYNONYMS.get(name), KAFKA_DEFAULTS.get(name), ConfigSource.DEFAULT_CONFIG));
            } else {
                synonyms.add(new Synonym(name, KAFKA_DEFAULTS.get(name), ConfigSource.DEFAULT_CONFIG));
            }
            String value = override != null ? override : brokerValueForTopic(name);
            out.add(new Entry(name, value, synonyms.get(0).source(), false, type, synonyms, null));
        }
        return out;
    }

    /** Every setting of this broker (resource name = its id), or only {@code keys} when not null. */
    public List<Entry> broker(List<String> keys) {
        Map<String, String> own = cache.brokerConfig(Integer.toString(config.brokerId()));
        Map<String, String> defaults = cache.brokerConfig(Znodes.DEFAULT_BROKER_ENTITY);
        Set<String> names = new TreeSet<>(BrokerConfig.definition().names());
        names.addAll(DynamicBrokerConfigs.NAMES);
        List<Entry> out = new ArrayList<>();
        for (String name : names) {
            if (keys != null && !keys.contains(name)) {
                continue;
            }
            ConfigDef.ConfigKey key = BrokerConfig.definition().configKeys().get(name);
            boolean dynamic = DynamicBrokerConfigs.NAMES.contains(name);
            List<Synonym> synonyms = new ArrayList<>();
            if (own.containsKey(name)) {
                synonyms.add(new Synonym(name, own.get(name), ConfigSource.DYNAMIC_BROKER_CONFIG));
            }
            if (defaults.containsKey(name)) {
                synonyms.add(new Synonym(name, defaults.get(name), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG));
            }
            if (config.originals().containsKey(name)) {
                synonyms.add(
                        new Synonym(name, format(config.originals().get(name)), ConfigSource.STATIC_BROKER_CONFIG));
            }
            String dflt = key == null
                    ? null
                    : key.defaultValue == ConfigDef.NO_DEFAULT_VALUE ? null : format(key.defaultValue);
            synonyms.add(new Synonym(name, dflt, ConfigSource.DEFAULT_CONFIG));
            Synonym effective = synonyms.get(0);
            String value = effective.source() == ConfigSource.STATIC_BROKER_CONFIG
                    ? format(config.values().get(name))
                    : effective.value();
            if (key != null && key.type == ConfigDef.Type.PASSWORD) { // sensitive: never shown, as in Kafka
                value = null;
                synonyms.replaceAll(s -> new Synonym(s.name(), null, s.source()));
            }
            out.add(new Entry(
                    name,
                    value,
                    effective.source(),
                    !dynamic,
                    key == null ? ConfigType.LONG : typeOf(key.type),
                    synonyms,
                    key == null ? null : key.documentation));
        }
        return out;
    }

    /** The cluster-wide dynamic defaults (resource name ""). */
    public List<Entry> brokerDefaults(List<String> keys) {
        List<Entry> out = new ArrayList<>();
        new java.util.TreeMap<>(cache.brokerConfig(Znodes.DEFAULT_BROKER_ENTITY)).forEach((name, value) -> {
            if (keys == null || keys.contains(name)) {
                out.add(new Entry(
                        name,
                        value,
                        ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
                        false,
                        ConfigType.LONG,
                        List.of(new Synonym(name, value, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)),
                        null));
            }
        });
        return out;
    }

    /** The broker default behind a topic config: the first of its broker settings that has a default. */
    private Synonym defaultSynonym(String topicConfig, List<String> brokerNames) {
        for (String n : brokerNames) {
            ConfigDef.ConfigKey key = BrokerConfig.definition().configKeys().get(n);
            if (key != null && key.defaultValue != null && key.defaultValue != ConfigDef.NO_DEFAULT_VALUE) {
                return new Synonym(n, format(key.defaultValue), ConfigSource.DEFAULT_CONFIG);
            }
        }
        return new Synonym(brokerNames.get(0), brokerValueForTopic(topicConfig), ConfigSource.DEFAULT_CONFIG);
    }

    /** The value a topic without an override gets from this broker's settings. */
    private String brokerValueForTopic(String topicConfig) {
        return switch (topicConfig) {
            case TopicConfig.SEGMENT_BYTES_CONFIG ->
                Integer.toString(config.storage().logSegmentBytes());
            case TopicConfig.SEGMENT_MS_CONFIG -> Long.toString(config.storage().logRollMs());
            case TopicConfig.SEGMENT_INDEX_BYTES_CONFIG ->
                Integer.toString(config.storage().logIndexSizeMaxBytes());
            case TopicConfig.INDEX_INTERVAL_BYTES_CONFIG ->
                Integer.toString(config.storage().logIndexIntervalBytes());
            case TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG ->
                Long.toString(
                        config.storage().logFlushIntervalMessages() == null
                                ? Long.MAX_VALUE
                                : config.storage().logFlushIntervalMessages());
            case TopicConfig.FLUSH_MS_CONFIG ->
                Long.toString(
                        config.storage().logFlushIntervalMs() == null
                                ? Long.MAX_VALUE
                                : config.storage().logFlushIntervalMs());
            case TopicConfig.RETENTION_BYTES_CONFIG ->
                Long.toString(config.storage().logRetentionBytes());
            case TopicConfig.RETENTION_MS_CONFIG ->
                Long.toString(config.storage().logRetentionMs());
            case TopicConfig.MAX_MESSAGE_BYTES_CONFIG -> Integer.toString(config.messageMaxBytes());
            case TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG -> config.storage().logMessageTimestampType();
            case TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG ->
                Integer.toString(config.replication().minInsyncReplicas());
            case TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG ->
                Boolean.toString(config.replication().uncleanLeaderElectionEnable());
            case TopicConfig.CLEANUP_POLICY_CONFIG -> config.storage().logCleanupPolicy();
            case TopicConfig.DELETE_RETENTION_MS_CONFIG ->
                Long.toString(config.cleaner().logCleanerDeleteRetentionMs());
            case TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG ->
                Long.toString(config.cleaner().logCleanerMinCompactionLagMs());
            case TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG ->
                Long.toString(config.cleaner().logCleanerMaxCompactionLagMs());
            case TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG ->
                Double.toString(config.cleaner().logCleanerMinCleanableRatio());
            default -> KAFKA_DEFAULTS.get(topicConfig);
        };
    }

    private static String format(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> list) {
            return String.join(",", list.stream().map(String::valueOf).toList());
        }
        return value.toString();
    }

    private static ConfigType typeOf(ConfigDef.Type type) {
        return switch (type) {
            case BOOLEAN -> ConfigType.BOOLEAN;
            case STRING -> ConfigType.STRING;
            case INT -> ConfigType.INT;
            case SHORT -> ConfigType.SHORT;
            case LONG -> ConfigType.LONG;
            case DOUBLE -> ConfigType.DOUBLE;
            case LIST -> ConfigType.LIST;
            case CLASS -> ConfigType.CLASS;
            case PASSWORD -> ConfigType.PASSWORD;
        };
    }
}
