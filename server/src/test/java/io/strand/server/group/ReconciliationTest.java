package io.strand.server.group;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strand.server.group.MemberAssignment.State;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/** A member's steps towards its target assignment: revoke first, then take only what nobody owns. */
class ReconciliationTest {
    private static final Uuid T = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final Reconciliation.Owners NOBODY = (t, p) -> false;

    private static Map<Uuid, Set<Integer>> of(Integer... ps) {
        return TopicPartitions.copyOf(Map.of(T, Set.of(ps)));
    }

    @Test
    void shouldGiveANewMemberItsWholeTargetWhenNobodyOwnsIt() {
        MemberAssignment next = Reconciliation.next(MemberAssignment.NEW, 3, of(0, 1), NOBODY, of());
        assertEquals(new MemberAssignment(3, 0, State.STABLE, of(0, 1), of()), next);
    }

    @Test
    void shouldWaitForPartitionsAnotherMemberStillOwns() {
        Reconciliation.Owners oneIsTaken = (t, p) -> p == 1;
        MemberAssignment next = Reconciliation.next(MemberAssignment.NEW, 3, of(0, 1), oneIsTaken, of());
        assertEquals(new MemberAssignment(3, 0, State.UNRELEASED_PARTITIONS, of(0), of()), next);
        // once released, the next heartbeat gets it
        assertEquals(
                new MemberAssignment(3, 0, State.STABLE, of(0, 1), of()),
                Reconciliation.next(next, 3, of(0, 1), NOBODY, of(0)));
    }

    @Test
    void shouldRevokeBeforeMovingToTheNewEpochAndBeforeTakingAnything() {
        MemberAssignment owning = new MemberAssignment(2, 1, State.STABLE, of(0, 1, 2), of());
        // the target moves 2 away and brings 3
        MemberAssignment revoking = Reconciliation.next(owning, 3, of(0, 1, 3), NOBODY, of(0, 1, 2));
        assertEquals(new MemberAssignment(2, 1, State.UNREVOKED_PARTITIONS, of(0, 1), of(2)), revoking);
        // still owning 2: nothing changes
        assertEquals(revoking, Reconciliation.next(revoking, 3, of(0, 1, 3), NOBODY, of(0, 1, 2)));
        // not saying what it owns: nothing changes either
        assertEquals(revoking, Reconciliation.next(revoking, 3, of(0, 1, 3), NOBODY, null));
        // revoked: the new epoch, and the new partition
        assertEquals(
                new MemberAssignment(3, 2, State.STABLE, of(0, 1, 3), of()),
                Reconciliation.next(revoking, 3, of(0, 1, 3), NOBODY, of(0, 1)));
    }

    @Test
    void shouldSkipTheRevocationRoundWhenTheMemberSaysItOwnsNoneOfIt() {
        MemberAssignment owning = new MemberAssignment(2, 1, State.STABLE, of(0, 1), of());
        assertEquals(
                new MemberAssignment(3, 2, State.STABLE, of(0), of()),
                Reconciliation.next(owning, 3, of(0), NOBODY, of(0)));
    }

    @Test
    void shouldStayWhenAlreadyAtTheTargetEpoch() {
        MemberAssignment stable = new MemberAssignment(3, 2, State.STABLE, of(0), of());
        assertEquals(stable, Reconciliation.next(stable, 3, of(0), NOBODY, null));
    }
}
