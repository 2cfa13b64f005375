package io.strand.coordinator.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.strand.coordinator.proto.PartitionReassignment;
import io.strand.coordinator.proto.PartitionState;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reassignment steps of one partition, {1,2,3} -> {2,3,4}, as pure decisions. */
class ReassignmentStepTest {
    private static final PartitionReassignment MOVE = PartitionReassignment.newBuilder()
            .addAllOriginalReplicas(List.of(1, 2, 3))
            .addAllTargetReplicas(List.of(2, 3, 4))
            .build();
    private static final Set<Integer> LIVE = Set.of(1, 2, 3, 4);

    private static PartitionState state(int leader, int epoch, List<Integer> isr) {
        return PartitionState.newBuilder()
                .setLeader(leader)
                .setLeaderEpoch(epoch)
                .addAllIsr(isr)
                .setPartitionEpoch(7)
                .build();
    }

    @Test
    void shouldAddTheTargetReplicasFirstSoThatTheyFetch() {
        var d = ReassignmentStep.decide(MOVE, List.of(1, 2, 3), state(1, 0, List.of(1, 2, 3)), LIVE, 5);
        assertEquals(new ReassignmentStep.AddReplicas(List.of(2, 3, 4, 1)), d);
    }

    @Test
    void shouldWaitUntilEveryTargetReplicaIsInTheIsr() {
        var d = ReassignmentStep.decide(MOVE, List.of(2, 3, 4, 1), state(1, 0, List.of(1, 2, 3)), LIVE, 5);
        assertInstanceOf(ReassignmentStep.Wait.class, d);
    }

    @Test
    void shouldMoveLeadershipOffALeavingLeaderWithANewEpoch() {
        var d = ReassignmentStep.decide(MOVE, List.of(2, 3, 4, 1), state(1, 0, List.of(1, 2, 3, 4)), LIVE, 5);
        PartitionState s = ((ReassignmentStep.MoveLeader) d).newState();
        assertEquals(2, s.getLeader());
        assertEquals(1, s.getLeaderEpoch());
        assertEquals(5, s.getControllerEpoch());
        assertEquals(8, s.getPartitionEpoch());
    }

    @Test
    void shouldFinishByDroppingRemovedReplicasFromReplicasAndIsr() {
        var d = ReassignmentStep.decide(MOVE, List.of(2, 3, 4, 1), state(2, 1, List.of(1, 2, 3, 4)), LIVE, 5);
        ReassignmentStep.Finish f = (ReassignmentStep.Finish) d;
        assertEquals(List.of(2, 3, 4), f.replicas());
        assertEquals(List.of(2, 3, 4), f.newState().orElseThrow().getIsrList());
        assertEquals(1, f.newState().orElseThrow().getLeaderEpoch(), "no new leader epoch to drop replicas");
    }

    @Test
    void shouldPickALiveTargetReplicaWhenTheLeaderDied() {
        var d = ReassignmentStep.decide(MOVE, List.of(2, 3, 4, 1), state(2, 1, List.of(2, 3, 4)), Set.of(1, 3, 4), 5);
        assertEquals(3, ((ReassignmentStep.MoveLeader) d).newState().getLeader());
    }

    @Test
    void shouldGoBackToTheOriginalReplicasWhenCancelledWithoutWaitingForTheIsr() {
        PartitionReassignment cancelled = MOVE.toBuilder().setCancelled(true).build();
        var move = ReassignmentStep.decide(cancelled, List.of(2, 3, 4, 1), state(4, 2, List.of(2, 4)), LIVE, 5);
        assertEquals(
                2, ((ReassignmentStep.MoveLeader) move).newState().getLeader(), "a live original replica in the ISR");
        var finish = ReassignmentStep.decide(cancelled, List.of(2, 3, 4, 1), state(2, 3, List.of(2, 4)), LIVE, 5);
        assertEquals(
                new ReassignmentStep.Finish(
                        List.of(1, 2, 3),
                        Optional.of(state(2, 3, List.of(2)).toBuilder()
                                .setControllerEpoch(5)
                                .setPartitionEpoch(8)
                                .build())),
                finish);
    }
}
