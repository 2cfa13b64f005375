package io.strand.coordinator;

import java.util.List;
import java.util.Map;

/**
 * What a caller asks for when creating a topic. {@code numPartitions} and
 * {@code replicationFactor} of -1 mean "the broker default"; a non-empty
 * {@code manualAssignment} (partition -> replicas) replaces both.
 */
public record TopicSpec(
        String name,
        int numPartitions,
        int replicationFactor,
        Map<Integer, List<Integer>> manualAssignment,
        Map<String, String> configs) {
    public TopicSpec {
        manualAssignment = manualAssignment == null ? Map.of() : Map.copyOf(manualAssignment);
        configs = configs == null ? Map.of() : Map.copyOf(configs);
    }

    public static TopicSpec of(String name, int numPartitions, int replicationFactor) {
        return new TopicSpec(name, numPartitions, replicationFactor, Map.of(), Map.of());
    }
}
