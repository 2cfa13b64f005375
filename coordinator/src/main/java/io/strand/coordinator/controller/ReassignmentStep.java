package io.strand.coordinator.controller;

import io.strand.coordinator.proto.PartitionReassignment;
import io.strand.coordinator.proto.PartitionState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The next step of one partition's reassignment, as a pure function of the request, the partition's
 * replica list and state, and the live brokers:
 * <ol>
 *   <li>add the target replicas to the replica list (target first, then the others: the first target
 *       replica becomes the preferred leader), so they start fetching;</li>
 *   <li>wait until every target replica is in the ISR;</li>
 *   <li>if the leader is not a target replica (or not alive), move leadership to the first live
 *       target replica in the ISR, with leader epoch + 1;</li>
 *   <li>finish: the replica list becomes the target, the ISR keeps only target replicas, and the
 *       partition leaves the request.</li>
 * </ol>
 * A cancelled request has the original replicas as its target and skips the wait: those replicas
 * held the partition before, so the ISR it had then is still good enough.
 */
final class ReassignmentStep {
    private ReassignmentStep() {}

    sealed interface Decision {}

    /** Write the replica list {@code replicas} to the topic znode. */
    record AddReplicas(List<Integer> replicas) implements Decision {}

    /** Nothing to write until the partition changes. */
    record Wait(String why) implements Decision {}

    /** Write {@code newState} (a new leader) to the partition state znode. */
    record MoveLeader(PartitionState newState) implements Decision {}

    /**
     * Write {@code replicas} to the topic znode and, if present, {@code newState} (the ISR without
     * removed replicas), and remove the partition from the request, all at once.
     */
    record Finish(List<Integer> replicas, Optional<PartitionState> newState) implements Decision {}

    static List<Integer> target(PartitionReassignment r) {
        return r.getCancelled() ? r.getOriginalReplicasList() : r.getTargetReplicasList();
    }

    static Decision decide(
            PartitionReassignment request,
            List<Integer> replicas,
            PartitionState state,
            Set<Integer> live,
            int controllerEpoch) {
        List<Integer> target = target(request);
        if (!replicas.containsAll(target)) {
            List<Integer> during = new ArrayList<>(target);
            replicas.stream().filter(r -> !target.contains(r)).forEach(during::add);
            return new AddReplicas(List.copyOf(during));
        }
        List<Integer> isr = state.getIsrList();
        if (!request.getCancelled() && !isr.containsAll(target)) {
            List<Integer> behind = target.stream().filter(r -> !isr.contains(r)).toList();
            return new Wait("target replicas " + behind + " are not in the ISR " + isr + " yet");
        }
        int leader = state.getLeader();
        if (leader < 0 || !target.contains(leader) || !live.contains(leader)) {
            Optional<Integer> next =
                    target.stream().filter(isr::contains).filter(live::contains).findFirst();
            if (next.isEmpty()) {
                return new Wait("no live target replica of " + target + " is in the ISR " + isr + " to lead");
            }
            return new MoveLeader(LeaderElection.newLeader(state, next.get(), isr, controllerEpoch));
        }
        List<Integer> keptIsr = isr.stream().filter(target::contains).toList();
        Optional<PartitionState> newState = keptIsr.equals(isr)
                ? Optional.empty()
                : Optional.of(LeaderElection.next(state, controllerEpoch)
                        .clearIsr()
                        .addAllIsr(keptIsr)
                        .build());
        return new Finish(List.copyOf(target), newState);
    }
}
