package io.strand.server.group;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * The next step of one KIP-848 member towards the group's target assignment (Kafka's
 * {@code CurrentAssignmentBuilder}). A member first gives up what the target takes from it: it stays
 * at its epoch in UNREVOKED_PARTITIONS, owning only what it keeps, until a heartbeat shows it no
 * longer owns the revoked partitions; then it moves to the target epoch and gets the partitions of
 * its target that no other member owns (UNRELEASED_PARTITIONS while some still are owned, STABLE
 * once it has them all). So no partition is ever owned by two members. Stateless.
 */
final class Reconciliation {
    private Reconciliation() {}

    /** Which member owns a partition now, other than the one reconciling. */
    @FunctionalInterface
    interface Owners {
        /** True if a member other than the one reconciling owns (or is revoking) {@code p} of {@code topic}. */
        boolean ownedByAnother(Uuid topic, int p);
    }

    /**
     * @param current where the member stands
     * @param targetEpoch the epoch of the group's target assignment
     * @param target the member's partitions in the target assignment
     * @param owners who owns partitions now
     * @param owned the partitions the member's heartbeat says it owns; null if it did not say
     */
    static MemberAssignment next(
            MemberAssignment current,
            int targetEpoch,
            Map<Uuid, Set<Integer>> target,
            Owners owners,
            Map<Uuid, Set<Integer>> owned) {
        return switch (current.state()) {
            case STABLE ->
                current.memberEpoch() != targetEpoch ? compute(current, targetEpoch, target, owners, owned) : current;
            case UNREVOKED_PARTITIONS ->
                owned != null && !TopicPartitions.intersects(owned, current.pendingRevocation())
                        ? compute(current, targetEpoch, target, owners, owned)
                        : current;
            case UNRELEASED_PARTITIONS -> compute(current, targetEpoch, target, owners, owned);
        };
    }

    private static MemberAssignment compute(
            MemberAssignment current,
            int targetEpoch,
            Map<Uuid, Set<Integer>> target,
            Owners owners,
            Map<Uuid, Set<Integer>> owned) {
        Map<Uuid, Set<Integer>> keep = new HashMap<>();
        Map<Uuid, Set<Integer>> revoke = new HashMap<>();
        Map<Uuid, Set<Integer>> withNew = new HashMap<>();
        boolean unreleased = false;
        for (Uuid topic : TopicPartitions.topics(target, current.assigned())) {
            Set<Integer> wanted = target.getOrDefault(topic, Set.of());
            Set<Integer> has = current.assigned().getOrDefault(topic, Set.of());
            Set<Integer> kept = new TreeSet<>(has);
            kept.retainAll(wanted);
            Set<Integer> gone = new TreeSet<>(has);
            gone.removeAll(wanted);
            Set<Integer> granted = new TreeSet<>(kept);
            for (int p : wanted) {
                if (!has.contains(p)) {
                    if (owners.ownedByAnother(topic, p)) {
                        unreleased = true;
                    } else {
                        granted.add(p);
                    }
                }
            }
            keep.put(topic, kept);
            revoke.put(topic, gone);
            withNew.put(topic, granted);
        }
        Map<Uuid, Set<Integer>> revokeNow = TopicPartitions.copyOf(revoke);
        // a member that says it no longer owns what it must give up needs no revocation round
        if (!revokeNow.isEmpty() && (owned == null || TopicPartitions.intersects(owned, revokeNow))) {
            return new MemberAssignment(
                    current.memberEpoch(),
                    current.previousMemberEpoch(),
                    MemberAssignment.State.UNREVOKED_PARTITIONS,
                    keep,
                    revokeNow);
        }
        return new MemberAssignment(
                targetEpoch,
                current.memberEpoch() == targetEpoch ? current.previousMemberEpoch() : current.memberEpoch(),
                unreleased ? MemberAssignment.State.UNRELEASED_PARTITIONS : MemberAssignment.State.STABLE,
                withNew,
                TopicPartitions.EMPTY);
    }
}
