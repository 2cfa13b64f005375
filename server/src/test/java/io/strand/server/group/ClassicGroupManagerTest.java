package io.strand.server.group;

import static io.strand.server.group.ShardFixture.await;
import static io.strand.server.group.ShardFixture.joinAlone;
import static io.strand.server.group.ShardFixture.on;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.strand.server.replica.Partition;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Classic membership through a real shard on a real partition: the rebalance to Stable, the result
 * records of Heartbeat and LeaveGroup, restoring groups from their records, and unloading.
 */
class ClassicGroupManagerTest {
    @RegisterExtension
    static final ShardFixture fixture = new ShardFixture();

    @Test
    void shouldRebalanceToStableAndRestoreTheGroupFromItsRecord() throws Exception {
        // given a shard where one member has joined a group and received its assignment
        Partition p = fixture.newPartition();
        CoordinatorShard s = fixture.load(p);
        String member = joinAlone(s, "g", "t");

        // then heartbeats of that member are answered by the result of the checks
        assertEquals(Errors.NONE, on(s, () -> s.classicGroups.heartbeat("g", member, null, 1)));
        assertEquals(Errors.ILLEGAL_GENERATION, on(s, () -> s.classicGroups.heartbeat("g", member, null, 0)));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, on(s, () -> s.classicGroups.heartbeat("g", "nobody", null, 1)));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, on(s, () -> s.classicGroups.heartbeat("none", member, null, 1)));
        assertEquals(
                List.of(new GroupCoordinator.Listed("g", "consumer", "Stable", GroupType.CLASSIC)), on(s, s::list));

        // when leadership moves and a new shard loads the partition
        ShardFixture.awaitWritten(p);
        s.execute(s::unload);
        CoordinatorShard reloaded = fixture.load(p);

        // then the group is back, Stable at its generation, with the member's assignment
        DescribedGroup d = on(reloaded, () -> reloaded.classicGroups.describe("g"));
        assertEquals("Stable", d.groupState());
        assertEquals("range", d.protocolData());
        assertEquals(1, d.members().size());
        assertEquals(member, d.members().get(0).memberId());
        assertArrayEquals(new byte[] {1}, d.members().get(0).memberAssignment());
        assertEquals(Errors.NONE, on(reloaded, () -> reloaded.classicGroups.heartbeat("g", member, null, 1)));
        assertNull(on(reloaded, () -> reloaded.classicGroups.describe("unknown")));
    }

    @Test
    void shouldAnswerLeaveGroupWithAnErrorPerMemberAndEmptyTheGroup() throws Exception {
        // given a group with one member
        Partition p = fixture.newPartition();
        CoordinatorShard s = fixture.load(p);
        String member = joinAlone(s, "leavers", "t");

        // when a LeaveGroup names an unknown group, then each member is unknown (no group-level error)
        GroupCoordinator.LeaveResult unknown = on(
                s,
                () -> s.classicGroups.leaveGroup("nothing", List.of(new GroupCoordinator.Leaving(member, null, null))));
        assertEquals(Errors.NONE, unknown.error());
        assertEquals(List.of(Errors.UNKNOWN_MEMBER_ID.code()), codes(unknown));

        // when the member and a stranger leave, then the member leaves and the stranger is unknown
        GroupCoordinator.LeaveResult left = on(
                s,
                () -> s.classicGroups.leaveGroup(
                        "leavers",
                        List.of(
                                new GroupCoordinator.Leaving(member, null, "done"),
                                new GroupCoordinator.Leaving("stranger", null, null))));
        assertEquals(Errors.NONE, left.error());
        assertEquals(List.of(Errors.NONE.code(), Errors.UNKNOWN_MEMBER_ID.code()), codes(left));

        // and the group, without members, ends its rebalance Empty at the next generation
        Wait.waitUntil("the group is empty", Duration.ofSeconds(10), () -> {
            try {
                return on(s, () -> s.classicGroups.describe("leavers").groupState())
                        .equals("Empty");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(2, on(s, () -> s.groups.classic("leavers").generationId));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, on(s, () -> s.classicGroups.heartbeat("leavers", member, null, 1)));

        // and a shard loading the partition afterwards finds it Empty at that generation
        ShardFixture.awaitWritten(p);
        s.execute(s::unload);
        CoordinatorShard reloaded = fixture.load(p);
        assertEquals(2, on(reloaded, () -> reloaded.groups.classic("leavers").generationId));
        assertEquals(
                List.of(new GroupCoordinator.Listed("leavers", "consumer", "Empty", GroupType.CLASSIC)),
                on(reloaded, reloaded::list));
    }

    @Test
    void shouldAnswerAWaitingJoinGroupNotCoordinatorWhenTheShardUnloads() throws Exception {
        // given a Stable group, and a second member whose join starts a rebalance the first has not rejoined
        Partition p = fixture.newPartition();
        CoordinatorShard s = fixture.load(p);
        String first = joinAlone(s, "waiting", "t");
        JoinGroupResponseData idGiven =
                await(s, () -> s.classicGroups.joinGroup(ShardFixture.join("waiting", "", "t")));
        CompletableFuture<JoinGroupResponseData> second =
                on(s, () -> s.classicGroups.joinGroup(ShardFixture.join("waiting", idGiven.memberId(), "t")));
        assertFalse(second.isDone(), "the join waits for the first member to rejoin");
        assertEquals(Errors.REBALANCE_IN_PROGRESS, on(s, () -> s.classicGroups.heartbeat("waiting", first, null, 1)));

        // when the shard unloads (leadership moved)
        s.execute(s::unload);

        // then the waiting JoinGroup is answered NOT_COORDINATOR and the shard holds nothing
        assertEquals(
                Errors.NOT_COORDINATOR.code(), second.get(10, TimeUnit.SECONDS).errorCode());
        assertEquals(0, on(s, () -> s.groups.size()));
    }

    private static List<Short> codes(GroupCoordinator.LeaveResult r) {
        return r.members().stream().map(m -> m.errorCode()).toList();
    }
}
