package io.strand.coordinator;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Topic-level configuration names (Kafka's, from {@link TopicConfig}) and the checks their values
 * must pass before any of them is written to ZooKeeper.
 */
public final class TopicConfigs {
    /** Kafka's replication-throttle topic configs (defined in Kafka's server code, not in {@link TopicConfig}). */
    public static final String LEADER_THROTTLED_REPLICAS = "leader.replication.throttled.replicas";

    public static final String FOLLOWER_THROTTLED_REPLICAS = "follower.replication.throttled.replicas";

    /** Every topic config name Kafka defines. */
    public static final Set<String> NAMES = kafkaTopicConfigNames();

    /** Configs whose value is a comma-separated list (for APPEND and SUBTRACT), with Kafka's defaults. */
    public static final Map<String, String> LIST_DEFAULTS = Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_DELETE,
            LEADER_THROTTLED_REPLICAS,
            "",
            FOLLOWER_THROTTLED_REPLICAS,
            "");

    private static final Set<String> LONGS = Set.of(
            TopicConfig.RETENTION_MS_CONFIG,
            TopicConfig.RETENTION_BYTES_CONFIG,
            TopicConfig.SEGMENT_MS_CONFIG,
            TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG,
            TopicConfig.FLUSH_MS_CONFIG,
            TopicConfig.DELETE_RETENTION_MS_CONFIG,
            TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
            TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG,
            TopicConfig.FILE_DELETE_DELAY_MS_CONFIG,
            TopicConfig.SEGMENT_JITTER_MS_CONFIG,
            TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG,
            TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG);
    private static final Set<String> POSITIVE_INTS = Set.of(
            TopicConfig.SEGMENT_BYTES_CONFIG,
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
            TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
            TopicConfig.INDEX_INTERVAL_BYTES_CONFIG,
            TopicConfig.SEGMENT_INDEX_BYTES_CONFIG);
    private static final Set<String> BOOLEANS = Set.of(
            TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG,
            TopicConfig.PREALLOCATE_CONFIG,
            TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG);

    private TopicConfigs() {}

    /** Why {@code name=value} is not a valid topic override, or empty if it is. */
    public static Optional<String> problem(String name, String value) {
        if (!NAMES.contains(name)) {
            return Optional.of("unknown topic config " + name);
        }
        if (value == null) {
            return Optional.of("config " + name + " has no value");
        }
        String v = value.trim();
        try {
            if (LONGS.contains(name)) {
                long l = Long.parseLong(v);
                if (l < -1) {
                    return Optional.of("config " + name + "=" + value + " must be -1 or more");
                }
            } else if (POSITIVE_INTS.contains(name)) {
                if (Integer.parseInt(v) < 1) {
                    return Optional.of("config " + name + "=" + value + " must be at least 1");
                }
            } else if (BOOLEANS.contains(name)) {
                if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                    return Optional.of("config " + name + "=" + value + " must be true or false");
                }
            } else if (name.equals(TopicConfig.CLEANUP_POLICY_CONFIG)) {
                for (String part : v.split(",")) {
                    String p = part.trim();
                    if (!p.equals(TopicConfig.CLEANUP_POLICY_DELETE) && !p.equals(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                        return Optional.of("config " + name + "=" + value + " must be delete, compact or both");
                    }
                }
            } else if (name.equals(LEADER_THROTTLED_REPLICAS) || name.equals(FOLLOWER_THROTTLED_REPLICAS)) {
                if (!v.isEmpty() && !v.equals("*") && !v.replace(" ", "").matches("\\d+:\\d+(,\\d+:\\d+)*")) {
                    return Optional.of("config " + name + "=" + value
                            + " must be * or a list of PARTITION:BROKER pairs, e.g. 0:101,0:102");
                }
            } else if (name.equals(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG)) {
                if (!v.equals("CreateTime") && !v.equals("LogAppendTime")) {
                    return Optional.of("config " + name + "=" + value + " must be CreateTime or LogAppendTime");
                }
            } else if (name.equals(TopicConfig.COMPRESSION_TYPE_CONFIG)) {
                if (!Set.of("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer")
                        .contains(v)) {
                    return Optional.of("config " + name + "=" + value
                            + " must be one of uncompressed, zstd, lz4, snappy, gzip, producer");
                }
            }
        } catch (NumberFormatException e) {
            return Optional.of("config " + name + "=" + value + " is not a number");
        }
        return Optional.empty();
    }

    /** The first problem among {@code configs}, or empty if all are valid. */
    public static Optional<String> problem(Map<String, String> configs) {
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(configs).entrySet()) {
            Optional<String> p = problem(e.getKey(), e.getValue());
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    private static Set<String> kafkaTopicConfigNames() {
        Set<String> names = new TreeSet<>();
        for (Field f : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())
                    && f.getType() == String.class
                    && f.getName().endsWith("_CONFIG")) {
                try {
                    names.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        names.add(LEADER_THROTTLED_REPLICAS);
        names.add(FOLLOWER_THROTTLED_REPLICAS);
        return Set.copyOf(names);
    }
}
