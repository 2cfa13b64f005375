package io.strand.coordinator.admin;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.TopicAssignments;
import io.strand.coordinator.VersionConflictException;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.PartitionReassignment;
import io.strand.coordinator.proto.TopicAssignment;
import io.strand.coordinator.proto.TopicReassignment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.common.errors.ReassignmentInProgressException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the controller to move partitions, or to cancel a move, by writing
 * {@code /admin/reassignments/<topic>}: created if absent, otherwise changed with compare-and-set on
 * the version read (a lost race re-reads and decides again). Each partition's entry records the
 * target replicas and the replicas it had when the request was made, so that a cancel can move it
 * back. A partition that is already moving is refused with REASSIGNMENT_IN_PROGRESS; the controller
 * removes each partition from the request once its move is done.
 *
 * <p>Thread-safe; blocks on ZooKeeper.
 */
public final class ReassignmentRequester {
    private static final Logger log = LoggerFactory.getLogger(ReassignmentRequester.class);

    /** A move in progress as ListPartitionReassignments reports it. */
    public record Progress(List<Integer> replicas, List<Integer> adding, List<Integer> removing) {}

    private final MetadataStore store;

    public ReassignmentRequester(MetadataStore store) {
        this.store = store;
    }

    /**
     * Requests moves ({@code Optional.of(target)}) and cancels ({@code Optional.empty()}).
     *
     * @param allowReplicationFactorChange false refuses a target whose size differs from the current replica count
     * @return per partition, empty if accepted, else the error to report for it
     */
    public Map<TopicPartition, Optional<ApiException>> submit(
            Map<TopicPartition, Optional<List<Integer>>> wanted, boolean allowReplicationFactorChange) {
        Map<String, Map<Integer, Optional<List<Integer>>>> byTopic = new TreeMap<>();
        wanted.forEach((tp, target) ->
                byTopic.computeIfAbsent(tp.topic(), t -> new TreeMap<>()).put(tp.partition(), target));
        Set<Integer> live = liveBrokers();
        Map<TopicPartition, Optional<ApiException>> out = new LinkedHashMap<>();
        byTopic.forEach((topic, partitions) -> submitTopic(topic, partitions, live, allowReplicationFactorChange)
                .forEach((p, result) -> out.put(new TopicPartition(topic, p), result)));
        return out;
    }

    private Map<Integer, Optional<ApiException>> submitTopic(
            String topic, Map<Integer, Optional<List<Integer>>> wanted, Set<Integer> live, boolean allowRfChange) {
        while (true) {
            Map<Integer, Optional<ApiException>> results = new TreeMap<>();
            Optional<Versioned<TopicAssignment>> assignment = store.read(Znodes.topic(topic), TopicAssignment.parser());
            if (assignment.isEmpty() || store.exists(Znodes.deleteTopicMarker(topic))) {
                String why = assignment.isEmpty() ? " does not exist" : " is being deleted";
                wanted.keySet()
                        .forEach(p -> results.put(
                                p, Optional.of(new UnknownTopicOrPartitionException("Topic " + topic + why))));
                return results;
            }
            TreeMap<Integer, List<Integer>> replicas =
                    TopicAssignments.replicas(assignment.get().value());
            String topicId = assignment.get().value().getTopicId();
            Optional<Versioned<TopicReassignment>> request =
                    store.read(Znodes.reassignment(topic), TopicReassignment.parser());
            TopicReassignment.Builder next = request.map(r -> r.value().toBuilder())
                    .orElseGet(() -> TopicReassignment.newBuilder()
                            .setTopicId(topicId)
                            .setRequestedAtMs(System.currentTimeMillis()));
            if (request.isPresent() && !request.get().value().getTopicId().equals(topicId)) {
                // a request left from an earlier topic of this name: the controller drops it; start afresh
                next = TopicReassignment.newBuilder().setTopicId(topicId).setRequestedAtMs(System.currentTimeMillis());
            }
            boolean changed = false;
            for (Map.Entry<Integer, Optional<List<Integer>>> e : wanted.entrySet()) {
                int p = e.getKey();
                String name = topic + "-" + p;
                List<Integer> current = replicas.get(p);
                PartitionReassignment moving = next.getPartitionsMap().get(p);
                if (current == null) {
                    results.put(
                            p,
                            Optional.of(new UnknownTopicOrPartitionException("Partition " + name + " does not exist")));
                    continue;
                }
                if (e.getValue().isEmpty()) {
                    if (moving == null) {
                        results.put(
                                p,
                                Optional.of(new NoReassignmentInProgressException(
                                        "No reassignment of " + name + " is in progress to cancel")));
                    } else {
                        if (!moving.getCancelled()) {
                            next.putPartitions(
                                    p, moving.toBuilder().setCancelled(true).build());
                            changed = true;
                        }
                        results.put(p, Optional.empty());
                    }
                    continue;
                }
                List<Integer> target = e.getValue().get();
                Optional<ApiException> problem = targetProblem(name, target, current, live, allowRfChange);
                if (problem.isPresent()) {
                    results.put(p, problem);
                    continue;
                }
                if (moving != null) {
                    List<Integer> to =
                            moving.getCancelled() ? moving.getOriginalReplicasList() : moving.getTargetReplicasList();
                    results.put(
                            p,
                            Optional.of(new ReassignmentInProgressException("Partition " + name
                                    + " is already being reassigned" + (moving.getCancelled() ? " back" : "") + " to "
                                    + to
                                    + " (from " + moving.getOriginalReplicasList()
                                    + "); wait until that move has finished"
                                    + (moving.getCancelled() ? "" : " or cancel it") + " before asking for another")));
                    continue;
                }
                results.put(p, Optional.empty());
                if (!target.equals(current)) {
                    next.putPartitions(
                            p,
                            PartitionReassignment.newBuilder()
                                    .addAllTargetReplicas(target)
                                    .addAllOriginalReplicas(current)
                                    .build());
                    changed = true;
                }
            }
            if (!changed) {
                return results;
            }
            try {
                if (request.isEmpty()) {
                    if (!store.createIfAbsent(Znodes.reassignment(topic), next.build(), CreateMode.PERSISTENT)) {
                        continue; // another request was made meanwhile: decide again against it
                    }
                } else {
                    store.setIfVersion(
                            Znodes.reassignment(topic),
                            next.build(),
                            request.get().version());
                }
            } catch (VersionConflictException lostRace) {
                continue;
            }
            log.info("Reassignment request of topic {}: {}", topic, describe(next.build()));
            return results;
        }
    }

    private static Optional<ApiException> targetProblem(
            String name, List<Integer> target, List<Integer> current, Set<Integer> live, boolean allowRfChange) {
        if (target.isEmpty()) {
            return Optional.of(new InvalidReplicaAssignmentException("The replica list of " + name + " is empty"));
        }
        if (new HashSet<>(target).size() != target.size()) {
            return Optional.of(new InvalidReplicaAssignmentException(
                    "The replica list " + target + " of " + name + " names a broker twice"));
        }
        List<Integer> dead = target.stream().filter(b -> !live.contains(b)).toList();
        if (!dead.isEmpty()) {
            return Optional.of(new InvalidReplicaAssignmentException("Replica assignment of " + name
                    + " has brokers that are not alive: " + dead + " (live brokers " + new TreeSet<>(live) + ")"));
        }
        if (!allowRfChange && target.size() != current.size()) {
            return Optional.of(new InvalidReplicationFactorException("The replication factor of " + name
                    + " would change from " + current.size() + " to " + target.size()
                    + ", and the request does not allow replication factor changes"));
        }
        return Optional.empty();
    }

    /**
     * Where a move stands: the replica list now, the replicas being added (target minus original)
     * and those being removed (current minus target). A cancelled move adds none.
     */
    public static Progress progress(PartitionReassignment r, List<Integer> currentReplicas) {
        List<Integer> target = r.getCancelled() ? r.getOriginalReplicasList() : r.getTargetReplicasList();
        List<Integer> adding = r.getCancelled()
                ? List.of()
                : target.stream()
                        .filter(b -> !r.getOriginalReplicasList().contains(b))
                        .toList();
        List<Integer> removing = new ArrayList<>();
        for (int b : currentReplicas) {
            if (!target.contains(b)) {
                removing.add(b);
            }
        }
        for (int b : r.getOriginalReplicasList()) {
            if (!target.contains(b) && !removing.contains(b)) {
                removing.add(b);
            }
        }
        return new Progress(List.copyOf(currentReplicas), adding, List.copyOf(removing));
    }

    private static String describe(TopicReassignment r) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(r.getPartitionsMap())
                .forEach((p, pr) -> sb.append(p)
                        .append(": ")
                        .append(pr.getOriginalReplicasList())
                        .append(" -> ")
                        .append(pr.getTargetReplicasList())
                        .append(pr.getCancelled() ? " (cancelled: moving back)" : "")
                        .append("; "));
        return sb.toString();
    }

    private Set<Integer> liveBrokers() {
        Set<Integer> out = new HashSet<>();
        for (String id : store.children(Znodes.BROKER_IDS)) {
            try {
                out.add(Integer.parseInt(id));
            } catch (NumberFormatException ignored) {
                // not a broker registration
            }
        }
        return out;
    }
}
