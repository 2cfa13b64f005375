package io.strand.server.http.status;

import io.strand.server.replica.Partition;
import io.strand.wal.PartitionLog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code /api/local/replicas?topic=t&partitions=0,1}: this broker's replicas of those partitions, each with its
 * log start offset, high watermark (as this replica knows it: a follower learns it from its leader), log end
 * offset and size, read from its log now. Partitions this broker holds no replica of are left out.
 * Thread-safe (reads only).
 */
final class ReplicasView {
    /** One local replica; {@code error} set (and the offsets -1) when its log cannot be read (offline log dir). */
    record ReplicaOffsets(
            int partition,
            boolean leader,
            int leaderEpoch,
            long logStartOffset,
            long highWatermark,
            long logEndOffset,
            long sizeBytes,
            String error) {}

    record Replicas(int brokerId, String topic, List<ReplicaOffsets> replicas) {}

    private final StatusSources sources;
    private final Peers peers;

    ReplicasView(StatusSources sources, Peers peers) {
        this.sources = sources;
        this.peers = peers;
    }

    CompletableFuture<Replicas> local(Query query) {
        String topic = query.required("topic");
        TreeSet<Integer> partitions = new TreeSet<>();
        for (String p : query.required("partitions").split(",")) {
            try {
                partitions.add(Integer.parseInt(p.trim()));
            } catch (NumberFormatException e) {
                throw StatusException.badRequest("partitions must be numbers separated by commas, not '" + p + "'");
            }
        }
        return CompletableFuture.completedFuture(of(topic, partitions));
    }

    Replicas of(String topic, Collection<Integer> partitions) {
        List<ReplicaOffsets> out = new ArrayList<>();
        for (int p : partitions) {
            Optional<Partition> replica = sources.replicas().partition(new TopicPartition(topic, p));
            replica.ifPresent(r -> out.add(offsets(r)));
        }
        return new Replicas(sources.brokerId(), topic, out);
    }

    private static ReplicaOffsets offsets(Partition r) {
        int partition = r.topicPartition().partition();
        try {
            PartitionLog log = r.log();
            return new ReplicaOffsets(
                    partition,
                    r.isLeader(),
                    r.leaderEpoch(),
                    log.logStartOffset(),
                    log.highWatermark(),
                    log.logEndOffset(),
                    log.sizeInBytes(),
                    null);
        } catch (RuntimeException e) {
            return new ReplicaOffsets(partition, r.isLeader(), r.leaderEpoch(), -1, -1, -1, -1, e.toString());
        }
    }

    /** Broker {@code brokerId}'s replicas of {@code topic}'s {@code partitions}: in-process for this broker. */
    CompletableFuture<Peers.Answer<Replicas>> from(int brokerId, String topic, Collection<Integer> partitions) {
        if (brokerId == sources.brokerId()) {
            return CompletableFuture.completedFuture(Peers.Answer.of(of(topic, partitions)));
        }
        String list = partitions.stream().map(String::valueOf).collect(Collectors.joining(","));
        return peers.get(brokerId, "/api/local/replicas", Map.of("topic", topic, "partitions", list), Replicas.class);
    }
}
