package io.strand.wal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The log directories this broker has taken offline after an I/O error, and the partitions whose logs were in them.
 * A directory stays offline until the broker restarts (as in Kafka): its files cannot be trusted to match what the
 * logs held in memory.
 *
 * <p>Thread-safe.
 */
final class LogDirFailures {
    /** Why and since when a directory is offline. */
    record Failure(String reason, long sinceMs) {}

    private final Map<Path, Failure> offline = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Path> offlinePartitions = new ConcurrentHashMap<>();

    /** Marks {@code dir} offline; false if it already was. */
    boolean markOffline(Path dir, String reason, long nowMs) {
        return offline.putIfAbsent(dir, new Failure(reason, nowMs)) == null;
    }

    void partitionOffline(TopicPartition tp, Path dir) {
        offlinePartitions.put(tp, dir);
    }

    boolean isOffline(Path dir) {
        return offline.containsKey(dir);
    }

    Optional<Failure> failure(Path dir) {
        return Optional.ofNullable(offline.get(dir));
    }

    /** The offline directory that held {@code tp}'s log, if it was in one. */
    Optional<Path> dirOf(TopicPartition tp) {
        return Optional.ofNullable(offlinePartitions.get(tp));
    }

    /** Forgets {@code tp} (its topic was deleted, or the partition moved off this broker). */
    void forget(TopicPartition tp) {
        offlinePartitions.remove(tp);
    }

    Set<Path> dirs() {
        return Set.copyOf(offline.keySet());
    }

    boolean any() {
        return !offline.isEmpty();
    }

    /** When the first directory went offline (Long.MAX_VALUE if none is). */
    long firstSinceMs() {
        return offline.values().stream().mapToLong(Failure::sinceMs).min().orElse(Long.MAX_VALUE);
    }

    List<TopicPartition> partitionsIn(Path dir) {
        List<TopicPartition> out = new ArrayList<>();
        offlinePartitions.forEach((tp, d) -> {
            if (d.equals(dir)) {
                out.add(tp);
            }
        });
        return out;
    }
}
