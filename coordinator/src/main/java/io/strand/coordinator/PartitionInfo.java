package io.strand.coordinator;

import io.strand.coordinator.proto.PartitionState;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * A partition as the metadata cache knows it: its replicas (from the topic znode) and its state
 * (from {@code /topics/<t>/partitions/<p>/state}) with the znode version that state was read at.
 */
public record PartitionInfo(
        TopicPartition topicPartition, List<Integer> replicas, PartitionState state, int stateVersion) {
    public int leader() {
        return state.getLeader();
    }

    public int leaderEpoch() {
        return state.getLeaderEpoch();
    }

    public List<Integer> isr() {
        return state.getIsrList();
    }

    public Versioned<PartitionState> versionedState() {
        return new Versioned<>(state, stateVersion);
    }
}
