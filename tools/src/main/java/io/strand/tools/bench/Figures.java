package io.strand.tools.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One cluster's measured figures in a comparison, by name (such as {@code throughput} or {@code p99@5000}), one value
 * per round in round order; a figure that could not be measured in a round is NaN, so that the lists of two clusters
 * pair up round by round for {@link Rounds#ratio}.
 *
 * <p>Not thread-safe: filled and read by the benchmark's thread.
 */
final class Figures {
    private final Map<String, List<Double>> byName = new LinkedHashMap<>();

    void add(String name, double value) {
        byName.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    /** The values of {@code name}, round by round (empty if it was never measured). */
    List<Double> get(String name) {
        return byName.getOrDefault(name, List.of());
    }

    /** Whether {@code name} has at least one value that is a number. */
    boolean has(String name) {
        return get(name).stream().anyMatch(x -> !x.isNaN());
    }
}
