package io.strand.coordinator.controller;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.TopicAssignments;
import io.strand.coordinator.VersionConflictException;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.PartitionReassignment;
import io.strand.coordinator.proto.PartitionState;
import io.strand.coordinator.proto.ReplicaList;
import io.strand.coordinator.proto.TopicAssignment;
import io.strand.coordinator.proto.TopicReassignment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the reassignment request of one topic ({@code /admin/reassignments/<t>}) as far as the
 * cluster allows right now, deciding each partition's next step with {@link ReassignmentStep}. All
 * steps decided in one pass are written in a single {@code multi} that first checks
 * {@code /controller_epoch}, then sets the topic znode, the partition states and the request with
 * the versions they were read at; a lost race re-reads everything and decides again. Every decision
 * is made from what ZooKeeper holds, so a new controller (or the same one after a restart) picks
 * up exactly where the last write left off.
 *
 * <p>Not thread-safe; used from the controller's event thread.
 */
final class Reassigner {
    private static final Logger log = LoggerFactory.getLogger(Reassigner.class);
    private static final int MAX_PASSES = 50;
    private static final int MAX_STATE_OPS = 400;

    private final MetadataStore store;

    Reassigner(MetadataStore store) {
        this.store = store;
    }

    /**
     * Writes every step that can be taken now, pass after pass, until a pass finds nothing to write.
     *
     * @return true if there is more to write than one call may do (call again)
     * @throws ControllerFencedException if {@code /controller_epoch} moved
     */
    boolean advance(String topic, int epochZkVersion, int controllerEpoch, Set<Integer> live) {
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            try {
                if (!onePass(topic, epochZkVersion, controllerEpoch, live)) {
                    return false;
                }
            } catch (VersionConflictException e) {
                ControllerFencedException.throwIfFenced(e, epochZkVersion);
                log.info(
                        "Reassignment of topic {}: {} changed meanwhile; reading again and deciding again",
                        topic,
                        e.path());
            }
        }
        return true;
    }

    /** One read-decide-write pass; true if it wrote something. */
    private boolean onePass(String topic, int epochZkVersion, int controllerEpoch, Set<Integer> live) {
        String requestPath = Znodes.reassignment(topic);
        Optional<Versioned<TopicReassignment>> request = store.read(requestPath, TopicReassignment.parser());
        if (request.isEmpty()) {
            return false;
        }
        Optional<Versioned<TopicAssignment>> assignment = store.read(Znodes.topic(topic), TopicAssignment.parser());
        if (assignment.isEmpty()
                || !assignment
                        .get()
                        .value()
                        .getTopicId()
                        .equals(request.get().value().getTopicId())) {
            store.multi(List.of(
                    store.checkOp(Znodes.CONTROLLER_EPOCH, epochZkVersion),
                    store.deleteOp(requestPath, request.get().version())));
            log.info("Reassignment request of topic {} dropped: the topic it was made for no longer exists", topic);
            return false;
        }
        TreeMap<Integer, List<Integer>> replicas =
                TopicAssignments.replicas(assignment.get().value());
        TopicAssignment.Builder newAssignment = assignment.get().value().toBuilder();
        TopicReassignment.Builder newRequest = request.get().value().toBuilder();
        boolean assignmentChanged = false;
        boolean requestChanged = false;
        List<CuratorOp> stateOps = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        for (Map.Entry<Integer, PartitionReassignment> e :
                new TreeMap<>(request.get().value().getPartitionsMap()).entrySet()) {
            int p = e.getKey();
            String name = topic + "-" + p;
            List<Integer> current = replicas.get(p);
            if (current == null) {
                newRequest.removePartitions(p);
                requestChanged = true;
                steps.add(name + ": no such partition; dropped from the request");
                continue;
            }
            Optional<Versioned<PartitionState>> state =
                    store.read(Znodes.partitionState(topic, p), PartitionState.parser());
            if (state.isEmpty()) {
                continue; // being created or deleted: its events bring us back
            }
            ReassignmentStep.Decision d =
                    ReassignmentStep.decide(e.getValue(), current, state.get().value(), live, controllerEpoch);
            if (d instanceof ReassignmentStep.AddReplicas add) {
                newAssignment.putPartitions(
                        p,
                        ReplicaList.newBuilder().addAllReplicas(add.replicas()).build());
                assignmentChanged = true;
                steps.add(name + ": replicas " + current + " -> " + add.replicas() + " (new replicas start fetching)");
            } else if (d instanceof ReassignmentStep.Wait wait) {
                log.debug("Reassignment of {} waits: {}", name, wait.why());
            } else if (d instanceof ReassignmentStep.MoveLeader move) {
                stateOps.add(store.setOp(
                        Znodes.partitionState(topic, p),
                        move.newState(),
                        state.get().version()));
                steps.add(name + ": leader " + state.get().value().getLeader() + " -> "
                        + move.newState().getLeader() + " at leader epoch "
                        + move.newState().getLeaderEpoch());
            } else if (d instanceof ReassignmentStep.Finish finish) {
                if (!finish.replicas().equals(current)) {
                    newAssignment.putPartitions(
                            p,
                            ReplicaList.newBuilder()
                                    .addAllReplicas(finish.replicas())
                                    .build());
                    assignmentChanged = true;
                }
                finish.newState()
                        .ifPresent(s -> stateOps.add(store.setOp(
                                Znodes.partitionState(topic, p), s, state.get().version())));
                newRequest.removePartitions(p);
                requestChanged = true;
                steps.add(name + ": done" + (e.getValue().getCancelled() ? " (cancelled, back)" : "") + ": replicas "
                        + current + " -> " + finish.replicas()
                        + finish.newState()
                                .map(s -> ", ISR " + state.get().value().getIsrList() + " -> " + s.getIsrList())
                                .orElse(""));
            }
            if (stateOps.size() >= MAX_STATE_OPS) {
                break;
            }
        }
        if (!assignmentChanged && !requestChanged && stateOps.isEmpty()) {
            return false;
        }
        List<CuratorOp> ops = new ArrayList<>();
        ops.add(store.checkOp(Znodes.CONTROLLER_EPOCH, epochZkVersion));
        if (assignmentChanged) {
            ops.add(store.setOp(
                    Znodes.topic(topic), newAssignment.build(), assignment.get().version()));
        }
        ops.addAll(stateOps);
        if (requestChanged) {
            ops.add(
                    newRequest.getPartitionsCount() == 0
                            ? store.deleteOp(requestPath, request.get().version())
                            : store.setOp(
                                    requestPath,
                                    newRequest.build(),
                                    request.get().version()));
        }
        store.multi(ops);
        steps.forEach(s -> log.info("Controller epoch {}: reassignment of {}", controllerEpoch, s));
        if (requestChanged && newRequest.getPartitionsCount() == 0) {
            log.info("Controller epoch {}: reassignment of topic {} complete; request removed", controllerEpoch, topic);
        }
        return true;
    }
}
