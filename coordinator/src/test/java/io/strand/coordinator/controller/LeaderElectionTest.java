package io.strand.coordinator.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.proto.PartitionState;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {
    private static PartitionState state(int leader, int epoch, Integer... isr) {
        return PartitionState.newBuilder()
                .setLeader(leader)
                .setLeaderEpoch(epoch)
                .addAllIsr(List.of(isr))
                .setPartitionEpoch(7)
                .build();
    }

    @Test
    void shouldElectTheFirstLiveIsrMemberInReplicaOrderWithTheNextEpoch() {
        PartitionState s = LeaderElection.afterBrokerChange(
                        state(1, 4, 1, 3, 2), List.of(1, 2, 3), Set.of(2, 3), false, 9)
                .orElseThrow();
        assertEquals(2, s.getLeader(), "replica order, not ISR order");
        assertEquals(5, s.getLeaderEpoch());
        assertEquals(List.of(3, 2), s.getIsrList());
        assertEquals(9, s.getControllerEpoch());
        assertEquals(8, s.getPartitionEpoch());
    }

    @Test
    void shouldOnlyShrinkTheIsrWhenTheLeaderLives() {
        PartitionState s = LeaderElection.afterBrokerChange(
                        state(1, 4, 1, 2, 3), List.of(1, 2, 3), Set.of(1, 3), false, 9)
                .orElseThrow();
        assertEquals(1, s.getLeader());
        assertEquals(4, s.getLeaderEpoch(), "the leader keeps its epoch");
        assertEquals(List.of(1, 3), s.getIsrList());
        assertTrue(
                LeaderElection.afterBrokerChange(s, List.of(1, 2, 3), Set.of(1, 2, 3), false, 9)
                        .isEmpty(),
                "a returning broker joins the ISR through its leader, not the controller");
    }

    @Test
    void shouldTakeThePartitionOfflineKeepingTheLastIsrMemberWhenNoIsrMemberLives() {
        PartitionState s = LeaderElection.afterBrokerChange(state(1, 4, 1), List.of(1, 2, 3), Set.of(2, 3), false, 9)
                .orElseThrow();
        assertEquals(-1, s.getLeader());
        assertEquals(5, s.getLeaderEpoch());
        assertEquals(List.of(1), s.getIsrList());
        assertTrue(
                LeaderElection.afterBrokerChange(s, List.of(1, 2, 3), Set.of(2, 3), false, 9)
                        .isEmpty(),
                "stays offline without writing again");
        PartitionState back = LeaderElection.afterBrokerChange(s, List.of(1, 2, 3), Set.of(1, 2, 3), false, 9)
                .orElseThrow();
        assertEquals(1, back.getLeader(), "the last ISR member leads again when it returns");
        assertEquals(6, back.getLeaderEpoch());
    }

    @Test
    void shouldElectAnOutOfSyncReplicaOnlyWhenUncleanElectionIsAllowed() {
        Optional<PartitionState> clean =
                LeaderElection.afterBrokerChange(state(1, 4, 1), List.of(1, 2, 3), Set.of(2, 3), false, 9);
        assertEquals(-1, clean.orElseThrow().getLeader());
        PartitionState unclean = LeaderElection.afterBrokerChange(
                        state(1, 4, 1), List.of(1, 2, 3), Set.of(2, 3), true, 9)
                .orElseThrow();
        assertEquals(2, unclean.getLeader());
        assertEquals(List.of(2), unclean.getIsrList());
    }

    @Test
    void shouldMoveLeadershipToALiveInSyncPreferredReplica() {
        PartitionState s = LeaderElection.preferred(state(2, 3, 2, 1), List.of(1, 2), Set.of(1, 2), 9)
                .orElseThrow();
        assertEquals(1, s.getLeader());
        assertEquals(4, s.getLeaderEpoch());
        assertTrue(
                LeaderElection.preferred(state(2, 3, 2), List.of(1, 2), Set.of(1, 2), 9)
                        .isEmpty(),
                "not in sync");
        assertTrue(
                LeaderElection.preferred(state(1, 3, 1, 2), List.of(1, 2), Set.of(1, 2), 9)
                        .isEmpty(),
                "already leads");
    }

    private static final Set<Integer> ALL = Set.of(1, 2, 3);

    @Test
    void shouldTreatAReplicaInAnOfflineLogDirectoryAsDead() {
        PartitionState s = LeaderElection.afterBrokerChange(
                        state(1, 4, 1, 2, 3), List.of(1, 2, 3), ALL, Set.of(1), Set.of(), false, 9)
                .orElseThrow();
        assertEquals(2, s.getLeader(), "leadership moves to the next ISR member");
        assertEquals(5, s.getLeaderEpoch());
        assertEquals(List.of(2, 3), s.getIsrList(), "the failed replica leaves the ISR");

        PartitionState follower = LeaderElection.afterBrokerChange(
                        state(2, 4, 1, 2, 3), List.of(1, 2, 3), ALL, Set.of(1), Set.of(), false, 9)
                .orElseThrow();
        assertEquals(2, follower.getLeader());
        assertEquals(4, follower.getLeaderEpoch(), "a follower's failure only shrinks the ISR");
        assertEquals(List.of(2, 3), follower.getIsrList());

        PartitionState last = LeaderElection.afterBrokerChange(
                        state(1, 4, 1), List.of(1, 2, 3), ALL, Set.of(1), Set.of(), false, 9)
                .orElseThrow();
        assertEquals(-1, last.getLeader(), "the last ISR member failed: offline, not unclean");
        assertEquals(List.of(1), last.getIsrList());

        PartitionState unclean = LeaderElection.afterBrokerChange(
                        state(1, 4, 1), List.of(1, 2, 3), ALL, Set.of(1), Set.of(), true, 9)
                .orElseThrow();
        assertEquals(2, unclean.getLeader(), "unclean election skips the failed replica");
    }

    @Test
    void shouldMoveLeadershipAndIsrOffAReplicaBelowItsFloorOnlyWhenAWritableMemberRemains() {
        PartitionState s = LeaderElection.afterBrokerChange(
                        state(1, 4, 1, 2, 3), List.of(1, 2, 3), ALL, Set.of(), Set.of(1), false, 9)
                .orElseThrow();
        assertEquals(2, s.getLeader());
        assertEquals(List.of(2, 3), s.getIsrList());

        PartitionState follower = LeaderElection.afterBrokerChange(
                        state(2, 4, 2, 1), List.of(1, 2), ALL, Set.of(), Set.of(1), false, 9)
                .orElseThrow();
        assertEquals(List.of(2), follower.getIsrList(), "a follower that cannot write leaves the ISR");

        assertTrue(
                LeaderElection.afterBrokerChange(state(1, 4, 1), List.of(1, 2), ALL, Set.of(), Set.of(1), false, 9)
                        .isEmpty(),
                "no writable ISR member: the full leader keeps leading (reads work, writes resume with space)");
        assertTrue(
                LeaderElection.afterBrokerChange(
                                state(1, 4, 1, 2), List.of(1, 2), ALL, Set.of(), Set.of(1, 2), false, 9)
                        .isEmpty(),
                "every member full: nothing to gain by moving");

        PartitionState deadLeader = LeaderElection.afterBrokerChange(
                        state(1, 4, 1, 2), List.of(1, 2), Set.of(2), Set.of(), Set.of(2), false, 9)
                .orElseThrow();
        assertEquals(2, deadLeader.getLeader(), "a full replica leads rather than nobody");

        assertTrue(
                LeaderElection.afterBrokerChange(
                                state(2, 5, 2, 3), List.of(1, 2, 3), ALL, Set.of(), Set.of(1), false, 9)
                        .isEmpty(),
                "a full replica outside the ISR changes nothing");
    }
}
