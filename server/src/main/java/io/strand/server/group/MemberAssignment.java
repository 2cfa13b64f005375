package io.strand.server.group;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * Where a KIP-848 member stands in reconciling its assignment: its epoch (and the one before, which
 * a heartbeat may still carry), its state, the partitions it owns and the partitions it must give up
 * before it may advance. Immutable; {@link Reconciliation} computes the next one.
 *
 * @param memberEpoch the epoch the member is at; 0 before its first assignment
 * @param previousMemberEpoch the epoch before, accepted from a heartbeat whose response got lost
 * @param state Kafka's member states, named in ConsumerGroupDescribe's terms
 * @param assigned the partitions the member owns and may consume
 * @param pendingRevocation partitions it still owns but must revoke (UNREVOKED_PARTITIONS)
 */
record MemberAssignment(
        int memberEpoch,
        int previousMemberEpoch,
        State state,
        Map<Uuid, Set<Integer>> assigned,
        Map<Uuid, Set<Integer>> pendingRevocation) {

    /** Kafka's member states (ConsumerGroupMember's MemberState). */
    enum State {
        /** The member owns its whole target assignment at the target epoch. */
        STABLE,
        /** The member must revoke partitions before it moves to the target epoch. */
        UNREVOKED_PARTITIONS,
        /** The member is at the target epoch but waits for partitions other members still own. */
        UNRELEASED_PARTITIONS
    }

    static final MemberAssignment NEW =
            new MemberAssignment(0, 0, State.STABLE, TopicPartitions.EMPTY, TopicPartitions.EMPTY);

    MemberAssignment {
        assigned = TopicPartitions.copyOf(assigned);
        pendingRevocation = TopicPartitions.copyOf(pendingRevocation);
    }

    /** The same partitions at {@code epoch} (a static member's replacement keeps its predecessor's). */
    MemberAssignment atEpoch(int epoch) {
        return new MemberAssignment(epoch, memberEpoch, state, assigned, pendingRevocation);
    }
}
