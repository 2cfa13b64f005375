package io.strand.coordinator.controller;

import io.strand.coordinator.proto.PartitionState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The controller's decisions about one partition, as pure functions of its state, its replica list
 * and the live brokers. Each returns the new state to write, or empty when nothing should change.
 * Every new leader gets leader epoch + 1; every written state gets partition epoch + 1 and the
 * deciding controller's epoch.
 */
public final class LeaderElection {
    private LeaderElection() {}

    /**
     * After brokers left or came back: drop dead brokers from the ISR (never emptying it: the last
     * member stays, so that it can lead again cleanly when it returns), and give a partition whose
     * leader is dead or absent the first live ISR member in replica order. With no live ISR member
     * the partition is offline (leader -1) unless {@code unclean} allows the first live replica.
     */
    public static Optional<PartitionState> afterBrokerChange(
            PartitionState state, List<Integer> replicas, Set<Integer> live, boolean unclean, int controllerEpoch) {
        return afterBrokerChange(state, replicas, live, Set.of(), Set.of(), unclean, controllerEpoch);
    }

    /**
     * As {@link #afterBrokerChange(PartitionState, List, Set, boolean, int)}, also for replicas their
     * brokers report unavailable. A replica in an offline log directory ({@code failed}) counts as
     * dead. A replica in a directory below its free-space floor ({@code full}) leaves the ISR and
     * leadership to writable members when there are any; when there are none it keeps them (it
     * serves reads, and takes writes again once space is freed).
     */
    public static Optional<PartitionState> afterBrokerChange(
            PartitionState state,
            List<Integer> replicas,
            Set<Integer> live,
            Set<Integer> failed,
            Set<Integer> full,
            boolean unclean,
            int controllerEpoch) {
        List<Integer> isr = state.getIsrList();
        List<Integer> liveIsr = isr.stream()
                .filter(b -> live.contains(b) && !failed.contains(b))
                .toList();
        List<Integer> writableIsr =
                liveIsr.stream().filter(b -> !full.contains(b)).toList();
        int leader = state.getLeader();
        boolean leaderLive = leader >= 0 && live.contains(leader) && !failed.contains(leader);
        if (leaderLive && !full.contains(leader)) {
            if (writableIsr.equals(isr)) {
                return Optional.empty();
            }
            return Optional.of(next(state, controllerEpoch)
                    .clearIsr()
                    .addAllIsr(writableIsr)
                    .build());
        }
        Optional<Integer> candidate =
                replicas.stream().filter(writableIsr::contains).findFirst();
        if (candidate.isPresent()) {
            return Optional.of(newLeader(state, candidate.get(), writableIsr, controllerEpoch));
        }
        if (leaderLive) { // below its floor, but no writable ISR member could do better
            return liveIsr.equals(isr)
                    ? Optional.empty()
                    : Optional.of(next(state, controllerEpoch)
                            .clearIsr()
                            .addAllIsr(liveIsr)
                            .build());
        }
        candidate = replicas.stream().filter(liveIsr::contains).findFirst();
        if (candidate.isPresent()) {
            return Optional.of(newLeader(state, candidate.get(), liveIsr, controllerEpoch));
        }
        if (unclean) {
            Optional<Integer> anyLive = replicas.stream()
                    .filter(b -> live.contains(b) && !failed.contains(b))
                    .findFirst();
            if (anyLive.isPresent()) {
                return Optional.of(newLeader(state, anyLive.get(), List.of(anyLive.get()), controllerEpoch));
            }
        }
        // offline: no leader; the ISR keeps its last member so a clean election is possible later
        List<Integer> keep = isr.contains(leader) ? List.of(leader) : isr.isEmpty() ? List.of() : List.of(isr.get(0));
        if (leader == -1 && isr.equals(keep)) {
            return Optional.empty();
        }
        return Optional.of(next(state, controllerEpoch)
                .setLeader(-1)
                .setLeaderEpoch(state.getLeaderEpoch() + 1)
                .clearIsr()
                .addAllIsr(keep)
                .build());
    }

    /** Moves leadership to the preferred replica (the first in the replica list) if it is live, in sync and not leading. */
    public static Optional<PartitionState> preferred(
            PartitionState state, List<Integer> replicas, Set<Integer> live, int controllerEpoch) {
        if (replicas.isEmpty()) {
            return Optional.empty();
        }
        int preferred = replicas.get(0);
        if (state.getLeader() == preferred
                || !live.contains(preferred)
                || !state.getIsrList().contains(preferred)) {
            return Optional.empty();
        }
        return Optional.of(newLeader(state, preferred, state.getIsrList(), controllerEpoch));
    }

    /** Why the preferred replica cannot lead, or empty if it can (or already does). */
    public static Optional<String> preferredIneligible(
            PartitionState state, List<Integer> replicas, Set<Integer> live) {
        if (replicas.isEmpty()) {
            return Optional.of("the partition has no replicas");
        }
        int preferred = replicas.get(0);
        if (!live.contains(preferred)) {
            return Optional.of("preferred replica " + preferred + " is not alive");
        }
        if (!state.getIsrList().contains(preferred)) {
            return Optional.of("preferred replica " + preferred + " is not in the ISR " + state.getIsrList());
        }
        return Optional.empty();
    }

    static PartitionState newLeader(PartitionState state, int leader, List<Integer> isr, int controllerEpoch) {
        List<Integer> newIsr = new ArrayList<>(isr);
        if (!newIsr.contains(leader)) {
            newIsr.add(0, leader);
        }
        return next(state, controllerEpoch)
                .setLeader(leader)
                .setLeaderEpoch(state.getLeaderEpoch() + 1)
                .clearIsr()
                .addAllIsr(newIsr)
                .build();
    }

    static PartitionState.Builder next(PartitionState state, int controllerEpoch) {
        return state.toBuilder().setControllerEpoch(controllerEpoch).setPartitionEpoch(state.getPartitionEpoch() + 1);
    }
}
