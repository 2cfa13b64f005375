package io.strand.server.group;

import io.strand.server.BrokerConfig;
import io.strand.server.GroupSettingsDefinition;
import io.strand.server.group.assignor.Assignors;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigException;

/**
 * The settings of KIP-848 consumer groups ({@code group.consumer.*}, {@link GroupSettingsDefinition}).
 * Immutable.
 *
 * @param enabled false if {@code group.coordinator.rebalance.protocols} leaves out {@code consumer}
 * @param assignors the assignors' short names ({@code uniform}, {@code range}), the default first
 */
public record ConsumerGroupConfig(
        boolean enabled, int sessionTimeoutMs, int heartbeatIntervalMs, int maxSize, List<String> assignors) {

    public static final ConsumerGroupConfig DEFAULTS =
            new ConsumerGroupConfig(true, 45000, 5000, Integer.MAX_VALUE, List.of("uniform", "range"));

    /** The settings of {@code c}; a ConfigException naming the key for values that do not fit together. */
    static ConsumerGroupConfig from(BrokerConfig c) {
        List<String> protocols = c.getList(GroupSettingsDefinition.REBALANCE_PROTOCOLS);
        if (!protocols.contains("classic")) {
            throw new ConfigException(GroupSettingsDefinition.REBALANCE_PROTOCOLS, protocols, "must contain classic");
        }
        int session = c.getInt(GroupSettingsDefinition.CONSUMER_SESSION_TIMEOUT_MS);
        int min = c.getInt(GroupSettingsDefinition.CONSUMER_MIN_SESSION_TIMEOUT_MS);
        int max = c.getInt(GroupSettingsDefinition.CONSUMER_MAX_SESSION_TIMEOUT_MS);
        if (session < min || session > max) {
            throw new ConfigException(
                    GroupSettingsDefinition.CONSUMER_SESSION_TIMEOUT_MS,
                    session,
                    "must lie between group.consumer.min.session.timeout.ms (" + min
                            + ") and group.consumer.max.session.timeout.ms (" + max + ")");
        }
        int heartbeat = c.getInt(GroupSettingsDefinition.CONSUMER_HEARTBEAT_INTERVAL_MS);
        if (heartbeat >= session) {
            throw new ConfigException(
                    GroupSettingsDefinition.CONSUMER_HEARTBEAT_INTERVAL_MS,
                    heartbeat,
                    "must be less than group.consumer.session.timeout.ms (" + session + ")");
        }
        List<String> assignors = new ArrayList<>();
        for (String name : c.getList(GroupSettingsDefinition.CONSUMER_ASSIGNORS)) {
            String shortName = shortAssignorName(name);
            if (Assignors.byName(shortName) == null) {
                throw new ConfigException(
                        GroupSettingsDefinition.CONSUMER_ASSIGNORS, name, "unknown assignor (known: uniform, range)");
            }
            assignors.add(shortName);
        }
        if (assignors.isEmpty()) {
            throw new ConfigException(GroupSettingsDefinition.CONSUMER_ASSIGNORS, "", "must name an assignor");
        }
        return new ConsumerGroupConfig(
                protocols.contains("consumer"),
                session,
                heartbeat,
                c.getInt(GroupSettingsDefinition.CONSUMER_MAX_SIZE),
                List.copyOf(assignors));
    }

    /** {@code uniform} for Kafka's {@code org.apache.kafka.coordinator.group.assignor.UniformAssignor}, and so on. */
    static String shortAssignorName(String name) {
        String n = name.trim();
        int dot = n.lastIndexOf('.');
        if (dot >= 0 && n.endsWith("Assignor")) {
            n = n.substring(dot + 1, n.length() - "Assignor".length());
        }
        return n.toLowerCase(java.util.Locale.ROOT);
    }

    String defaultAssignor() {
        return assignors.get(0);
    }
}
