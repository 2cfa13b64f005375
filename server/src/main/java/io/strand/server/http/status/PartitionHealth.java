package io.strand.server.http.status;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.TopicView;
import io.strand.server.BrokerConfig;
import io.strand.server.replica.LogConfigs;

/**
 * How healthy a partition is, from the metadata cache alone, as Kafka counts it: offline (no live leader),
 * under-replicated (ISR smaller than the replicas), under min ISR (ISR smaller than the topic's
 * {@code min.insync.replicas}, capped at the replica count as Kafka's effective minimum). Stateless.
 */
final class PartitionHealth {
    private PartitionHealth() {}

    static boolean offline(PartitionInfo p, MetadataCache cache) {
        return p.leader() < 0 || !cache.isLive(p.leader());
    }

    static boolean underReplicated(PartitionInfo p) {
        return p.isr().size() < p.replicas().size();
    }

    static boolean underMinIsr(PartitionInfo p, int minInsyncReplicas) {
        return p.isr().size() < Math.min(minInsyncReplicas, p.replicas().size());
    }

    /** The topic's min.insync.replicas: its override, else the broker's. */
    static int minInsyncReplicas(BrokerConfig config, TopicView topic) {
        return LogConfigs.minInsyncReplicas(config, topic.configs());
    }

    /** The replication factor: the most replicas any partition has (they differ only during a reassignment). */
    static int replicationFactor(TopicView topic) {
        return topic.replicas().values().stream()
                .mapToInt(java.util.List::size)
                .max()
                .orElse(0);
    }
}
