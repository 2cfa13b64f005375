package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.server.replica.Partition;
import io.strand.server.replica.ReplicaManager;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The leader check of the per-partition APIs only a partition's leader answers (DescribeProducers,
 * OffsetForLeaderEpoch, DeleteRecords): this broker's leader replica ({@code error} NONE), or the
 * error that answers for the partition. A topic the metadata cache does not know is
 * UNKNOWN_TOPIC_OR_PARTITION; a partition this broker does not host, or follows, NOT_LEADER_OR_FOLLOWER.
 */
record LeaderLookup(Partition leader, Errors error) {

    static LeaderLookup find(ReplicaManager replicas, MetadataCache cache, String topic, int partition) {
        if (cache.topic(topic).isEmpty()) {
            return new LeaderLookup(null, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        Optional<Partition> p = replicas.partition(new TopicPartition(topic, partition));
        if (p.isEmpty() || !p.get().isLeader()) {
            return new LeaderLookup(null, Errors.NOT_LEADER_OR_FOLLOWER);
        }
        return new LeaderLookup(p.get(), Errors.NONE);
    }

    boolean failed() {
        return error != Errors.NONE;
    }
}
