package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.Endpoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * What Metadata, DescribeTopicPartitions, DescribeCluster and FindCoordinator answer alike from the
 * metadata cache: brokers at the endpoint of the listener a request came on, and a partition's
 * leader (when live), leader epoch, replicas, ISR and offline replicas.
 */
final class MetadataAnswers {
    /** Strand has no ACLs: authorized operations are never computed. */
    static final int AUTHORIZED_OPERATIONS_OMITTED = Integer.MIN_VALUE;

    private MetadataAnswers() {}

    /** A live broker at one endpoint; {@code rack} null when it has none. */
    record LiveBroker(int id, String host, int port, String rack) {}

    /** The live brokers by id, each at its endpoint for {@code listenerName}. */
    static List<LiveBroker> liveBrokers(MetadataCache cache, String listenerName) {
        List<LiveBroker> out = new ArrayList<>();
        cache.liveBrokers().values().stream()
                .sorted(Comparator.comparingInt(BrokerRegistration::getBrokerId))
                .forEach(b -> endpointFor(b, listenerName)
                        .ifPresent(ep -> out.add(new LiveBroker(
                                b.getBrokerId(),
                                ep.getHost(),
                                ep.getPort(),
                                b.getRack().isEmpty() ? null : b.getRack()))));
        return out;
    }

    /** The broker's endpoint of that listener, else its first. */
    static Optional<Endpoint> endpointFor(BrokerRegistration b, String listenerName) {
        return b.getEndpointsList().stream()
                .filter(e -> e.getListenerName().equals(listenerName))
                .findFirst()
                .or(() -> b.getEndpointsList().stream().findFirst());
    }

    /** A partition as Metadata answers it: LEADER_NOT_AVAILABLE without a state or a live leader. */
    static MetadataResponsePartition partition(
            MetadataCache cache, int partition, List<Integer> replicas, Optional<PartitionInfo> state) {
        List<Integer> offline = replicas.stream().filter(r -> !cache.isLive(r)).toList();
        MetadataResponsePartition out = new MetadataResponsePartition()
                .setPartitionIndex(partition)
                .setReplicaNodes(new ArrayList<>(replicas))
                .setOfflineReplicas(new ArrayList<>(offline));
        if (state.isEmpty()) {
            return out.setErrorCode(Errors.LEADER_NOT_AVAILABLE.code())
                    .setLeaderId(-1)
                    .setLeaderEpoch(-1)
                    .setIsrNodes(new ArrayList<>());
        }
        PartitionInfo info = state.get();
        int leader = info.leader();
        boolean leaderLive = leader >= 0 && cache.isLive(leader);
        return out.setErrorCode(leaderLive ? Errors.NONE.code() : Errors.LEADER_NOT_AVAILABLE.code())
                .setLeaderId(leaderLive ? leader : -1)
                .setLeaderEpoch(info.leaderEpoch())
                .setIsrNodes(new ArrayList<>(info.isr()));
    }
}
