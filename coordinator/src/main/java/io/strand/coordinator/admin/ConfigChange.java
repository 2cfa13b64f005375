package io.strand.coordinator.admin;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * One change of a config override, as IncrementalAlterConfigs carries it. Immutable.
 *
 * @param value the value for SET, APPEND and SUBTRACT; ignored for DELETE
 */
public record ConfigChange(String name, Op op, String value) {
    /** Kafka's {@code AlterConfigOp.OpType}, in the same order (the wire code is the ordinal). */
    public enum Op {
        SET,
        DELETE,
        APPEND,
        SUBTRACT
    }

    public static ConfigChange set(String name, String value) {
        return new ConfigChange(name, Op.SET, value);
    }

    public static ConfigChange delete(String name) {
        return new ConfigChange(name, Op.DELETE, null);
    }

    /**
     * The overrides after {@code changes}, applied in order to {@code current}. APPEND and SUBTRACT
     * work on comma-separated list configs only (the keys of {@code listDefaults}); they start from the
     * override or, without one, from the default, as Kafka does. APPEND adds values not yet there,
     * SUBTRACT removes them, and an empty list removes the override.
     *
     * @throws InvalidRequestException for a config named twice, or APPEND/SUBTRACT of a non-list config
     */
    public static Map<String, String> apply(
            Map<String, String> current, List<ConfigChange> changes, Map<String, String> listDefaults) {
        Set<String> seen = new java.util.HashSet<>();
        for (ConfigChange c : changes) {
            if (!seen.add(c.name())) {
                throw new InvalidRequestException("Error due to duplicate config keys: " + c.name());
            }
        }
        Map<String, String> out = new TreeMap<>(current);
        for (ConfigChange c : changes) {
            switch (c.op()) {
                case SET -> out.put(c.name(), c.value());
                case DELETE -> out.remove(c.name());
                case APPEND, SUBTRACT -> {
                    if (!listDefaults.containsKey(c.name())) {
                        throw new InvalidRequestException(
                                "Config value " + c.op().name().toLowerCase(java.util.Locale.ROOT)
                                        + " is not allowed for config key: " + c.name());
                    }
                    Set<String> items =
                            new LinkedHashSet<>(split(out.getOrDefault(c.name(), listDefaults.get(c.name()))));
                    List<String> given = split(c.value());
                    if (c.op() == Op.APPEND) {
                        items.addAll(given);
                    } else {
                        given.forEach(items::remove);
                    }
                    if (items.isEmpty()) {
                        out.remove(c.name());
                    } else {
                        out.put(c.name(), String.join(",", items));
                    }
                }
                default -> throw new IllegalStateException("unknown op " + c.op());
            }
        }
        return out;
    }

    private static List<String> split(String list) {
        if (list == null || list.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        Arrays.stream(list.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .forEach(out::add);
        return out;
    }
}
