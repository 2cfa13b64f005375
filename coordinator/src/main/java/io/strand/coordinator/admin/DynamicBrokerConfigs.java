package io.strand.coordinator.admin;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The broker configs Strand lets an admin change at run time (in {@code /config/brokers/<id>} or,
 * for every broker, {@code /config/brokers/<default>}), and the checks their values must pass.
 * Every other broker config is read-only: it comes from the broker's properties file.
 */
public final class DynamicBrokerConfigs {
    /** Bytes/s a leader sends to replicas catching up in a reassignment; unset = unlimited. */
    public static final String LEADER_REPLICATION_THROTTLED_RATE = "leader.replication.throttled.rate";
    /** Accepted and stored for Kafka's tools; Strand throttles on the leader side only. */
    public static final String FOLLOWER_REPLICATION_THROTTLED_RATE = "follower.replication.throttled.rate";
    /** Accepted and stored for Kafka's tools; Strand does not move replicas between log directories. */
    public static final String REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND =
            "replica.alter.log.dirs.io.max.bytes.per.second";

    public static final Set<String> NAMES = Set.of(
            LEADER_REPLICATION_THROTTLED_RATE,
            FOLLOWER_REPLICATION_THROTTLED_RATE,
            REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND);

    private DynamicBrokerConfigs() {}

    /** Why {@code overrides} cannot be stored, or empty. Names outside {@link #NAMES} are read-only. */
    public static Optional<String> problem(Map<String, String> overrides) {
        for (Map.Entry<String, String> e : new TreeMap<>(overrides).entrySet()) {
            if (!NAMES.contains(e.getKey())) {
                return Optional.of("Cannot update these configs dynamically: " + e.getKey()
                        + " (Strand changes only " + String.join(", ", new java.util.TreeSet<>(NAMES))
                        + " at run time; set the others in the broker's properties file)");
            }
            try {
                if (e.getValue() == null || Long.parseLong(e.getValue().trim()) < 1) {
                    return Optional.of("Invalid value " + e.getValue() + " for configuration " + e.getKey()
                            + ": must be a number of bytes per second, at least 1");
                }
            } catch (NumberFormatException nfe) {
                return Optional.of("Invalid value " + e.getValue() + " for configuration " + e.getKey()
                        + ": Not a number of type LONG");
            }
        }
        return Optional.empty();
    }
}
