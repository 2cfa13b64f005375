package io.strand.coordinator;

import io.strand.coordinator.proto.TopicAssignment;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * One topic in the metadata cache. The assignment and configs are immutable snapshots replaced as a
 * whole; partition states are updated one by one in place, so a reader sees each partition
 * atomically. A topic is {@link #complete()} once every assigned partition has a state.
 */
public final class TopicView {
    private final String name;
    private final Uuid topicId;
    private volatile TopicAssignment assignment;
    private volatile SortedMap<Integer, List<Integer>> replicas;
    private volatile Map<String, String> configs = Map.of();
    final ConcurrentHashMap<Integer, PartitionInfo> partitions = new ConcurrentHashMap<>();

    TopicView(String name, TopicAssignment assignment) {
        this.name = name;
        this.topicId = TopicAssignments.topicId(assignment);
        setAssignment(assignment);
    }

    void setAssignment(TopicAssignment assignment) {
        this.assignment = assignment;
        this.replicas = Collections.unmodifiableSortedMap(TopicAssignments.replicas(assignment));
    }

    void setConfigs(Map<String, String> configs) {
        this.configs = Map.copyOf(configs);
    }

    public String name() {
        return name;
    }

    public Uuid topicId() {
        return topicId;
    }

    public TopicAssignment assignment() {
        return assignment;
    }

    /** partition -> replicas, ordered by partition; the first replica is the preferred leader. */
    public SortedMap<Integer, List<Integer>> replicas() {
        return replicas;
    }

    public int partitionCount() {
        return replicas.size();
    }

    /** Config overrides from {@code /config/topics/<t>} (Kafka names). */
    public Map<String, String> configs() {
        return configs;
    }

    public Optional<PartitionInfo> partition(int partition) {
        return Optional.ofNullable(partitions.get(partition));
    }

    /** The partitions whose state is known, as a snapshot. */
    public java.util.Collection<PartitionInfo> partitionsSnapshot() {
        return List.copyOf(partitions.values());
    }

    public boolean complete() {
        for (Integer p : replicas.keySet()) {
            if (!partitions.containsKey(p)) {
                return false;
            }
        }
        return true;
    }

    public TopicPartition topicPartition(int partition) {
        return new TopicPartition(name, partition);
    }

    @Override
    public String toString() {
        return "TopicView{" + name + ", id=" + topicId + ", replicas=" + replicas + "}";
    }
}
