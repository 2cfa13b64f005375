package io.strand.coordinator;

import io.strand.coordinator.proto.ReplicaList;
import io.strand.coordinator.proto.TopicAssignment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/** Conversions between the {@link TopicAssignment} payload and plain Java maps. */
public final class TopicAssignments {
    private TopicAssignments() {}

    /** partition -> replicas, ordered by partition. */
    public static TreeMap<Integer, List<Integer>> replicas(TopicAssignment assignment) {
        TreeMap<Integer, List<Integer>> out = new TreeMap<>();
        for (Map.Entry<Integer, ReplicaList> e : assignment.getPartitionsMap().entrySet()) {
            out.put(e.getKey(), List.copyOf(e.getValue().getReplicasList()));
        }
        return out;
    }

    public static TopicAssignment build(
            Uuid topicId, Map<Integer, List<Integer>> replicas, long createdAtMs, int createdByBroker) {
        TopicAssignment.Builder b = TopicAssignment.newBuilder()
                .setTopicId(topicId.toString())
                .setCreatedAtMs(createdAtMs)
                .setCreatedByBroker(createdByBroker);
        replicas.forEach((p, r) ->
                b.putPartitions(p, ReplicaList.newBuilder().addAllReplicas(r).build()));
        return b.build();
    }

    public static Uuid topicId(TopicAssignment assignment) {
        return Uuid.fromString(assignment.getTopicId());
    }

    public static List<List<Integer>> asList(Map<Integer, List<Integer>> replicas) {
        List<List<Integer>> out = new ArrayList<>();
        new TreeMap<>(replicas).values().forEach(r -> out.add(Collections.unmodifiableList(r)));
        return out;
    }
}
