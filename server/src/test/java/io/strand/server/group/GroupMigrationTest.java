package io.strand.server.group;

import static io.strand.server.group.ShardFixture.await;
import static io.strand.server.group.ShardFixture.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.group.assignor.TopicInfo;
import io.strand.server.replica.Partition;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The online migration through a real shard on a real partition, request by request: a classic
 * group with a member upgraded by a ConsumerGroupHeartbeat, the classic member reconciling through
 * Heartbeat, JoinGroup and SyncGroup (revoking before the consumer member gets its partitions), its
 * offset commits checked against its member epoch, the mixed group restored by a new shard, and the
 * downgrade back to a classic group when the consumer member leaves, restored too; the committed
 * offsets survive every step.
 */
class GroupMigrationTest {
    @RegisterExtension
    static final ShardFixture fixture = new ShardFixture();

    private static final Uuid TOPIC_ID = Uuid.randomUuid();
    private static final Map<String, TopicInfo> TOPICS = Map.of("t", new TopicInfo(TOPIC_ID, "t", 4));
    private static final String GROUP = "migrating";

    @Test
    void shouldUpgradeAClassicGroupWithMembersReconcileItsClassicMemberAndDowngradeBack() throws Exception {
        // given a classic group whose one member (cooperative-sticky) owns t-0..t-3 at generation 1,
        // with committed offsets
        Partition p = fixture.newPartition();
        CoordinatorShard s = fixture.load(p, () -> TOPICS);
        String a = joinClassic(s);
        assertEquals(Map.of(tp(0), Errors.NONE), await(s, () -> s.offsets.commitOffsets(commit(a, 1, 0, 42))));

        // when a member of the consumer protocol joins with a ConsumerGroupHeartbeat
        ConsumerGroupHeartbeatResponseData b0 = await(s, () -> s.consumerGroups.heartbeat(consumerHeartbeat("b", 0)));

        // then the group is a consumer group at epoch 2; b waits for partitions a still owns
        assertEquals(Errors.NONE.code(), b0.errorCode(), b0.errorMessage());
        assertEquals(2, b0.memberEpoch());
        assertEquals(Set.of(), partitions(b0));
        ConsumerGroup g = on(s, () -> s.groups.consumer(GROUP));
        assertNotNull(g);
        ConsumerGroupDescribeResponseData.DescribedGroup described =
                on(s, () -> ConsumerGroupDescriber.describe(s.groups, GROUP, id -> "t"));
        assertEquals(2, described.members().size());
        byte classicType = described.members().stream()
                .filter(m -> m.memberId().equals(a))
                .findFirst()
                .orElseThrow()
                .memberType();
        assertEquals(0, classicType);

        // and a's heartbeat at its generation tells it to rejoin
        assertEquals(Errors.REBALANCE_IN_PROGRESS, on(s, () -> s.classicGroups.heartbeat(GROUP, a, null, 1)));
        assertEquals(Errors.ILLEGAL_GENERATION, on(s, () -> s.classicGroups.heartbeat(GROUP, a, null, 7)));

        // when a rejoins still owning everything: it must first revoke, at generation 1
        JoinGroupResponseData j1 = await(s, () -> s.classicGroups.joinGroup(classicJoin(a, 0, 1, 2, 3)));
        assertEquals(Errors.NONE.code(), j1.errorCode());
        assertEquals(1, j1.generationId());
        assertEquals("consumer", j1.protocolType());
        assertEquals("cooperative-sticky", j1.protocolName());
        assertEquals("", j1.leader());
        assertTrue(j1.members().isEmpty());
        Set<Integer> kept = sync(s, a, 1);
        assertEquals(2, kept.size());
        assertEquals(Errors.REBALANCE_IN_PROGRESS, on(s, () -> s.classicGroups.heartbeat(GROUP, a, null, 1)));

        // when it rejoins owning only what it keeps, it moves to epoch 2
        JoinGroupResponseData j2 = await(
                s,
                () -> s.classicGroups.joinGroup(
                        classicJoin(a, kept.stream().mapToInt(i -> i).toArray())));
        assertEquals(2, j2.generationId());
        assertEquals(kept, sync(s, a, 2));
        assertEquals(Errors.NONE, on(s, () -> s.classicGroups.heartbeat(GROUP, a, null, 2)));

        // then b gets the other two partitions
        ConsumerGroupHeartbeatResponseData b1 = await(s, () -> s.consumerGroups.heartbeat(consumerHeartbeat("b", 2)));
        Set<Integer> others = new TreeSet<>(Set.of(0, 1, 2, 3));
        others.removeAll(kept);
        assertEquals(others, partitions(b1));

        // and a classic member's commit is checked against its epoch as a generation
        assertEquals(
                Map.of(tp(0), Errors.ILLEGAL_GENERATION), await(s, () -> s.offsets.commitOffsets(commit(a, 1, 0, 43))));
        int keptPartition = kept.iterator().next();
        assertEquals(
                Map.of(tp(keptPartition), Errors.NONE),
                await(s, () -> s.offsets.commitOffsets(commit(a, 2, keptPartition, 50))));

        // when a new shard loads the partition
        ShardFixture.awaitWritten(p);
        s.execute(s::unload);
        CoordinatorShard r = fixture.load(p, () -> TOPICS);

        // then the mixed group is back, its classic member at its epoch, the offsets there
        ConsumerGroup restored = on(r, () -> r.groups.consumer(GROUP));
        assertNotNull(restored);
        assertTrue(on(r, () -> restored.members.get(a).usesClassicProtocol()));
        assertEquals(Errors.NONE, on(r, () -> r.classicGroups.heartbeat(GROUP, a, null, 2)));
        long expected0 = keptPartition == 0 ? 50 : 42;
        assertEquals(expected0, offsetOf(r, 0));

        // when b leaves, the classic member is left alone: the group becomes classic and rebalances
        ConsumerGroupHeartbeatResponseData left =
                await(r, () -> r.consumerGroups.heartbeat(consumerHeartbeat("b", -1)));
        assertEquals(Errors.NONE.code(), left.errorCode());
        ClassicGroup classic = on(r, () -> r.groups.classic(GROUP));
        assertNotNull(classic);
        assertEquals(GroupState.PREPARING_REBALANCE, on(r, () -> classic.state));
        assertEquals(2, on(r, () -> classic.generationId));
        assertEquals(Errors.REBALANCE_IN_PROGRESS, on(r, () -> r.classicGroups.heartbeat(GROUP, a, null, 2)));

        // and a rejoins it as the classic protocol's leader at generation 3
        JoinGroupResponseData j3 = await(r, () -> r.classicGroups.joinGroup(classicJoin(a, 0, 1, 2, 3)));
        assertEquals(Errors.NONE.code(), j3.errorCode());
        assertEquals(3, j3.generationId());
        assertEquals(a, j3.leader());

        // and after another load the group is classic, the offsets still there
        ShardFixture.awaitWritten(p);
        r.execute(r::unload);
        CoordinatorShard r2 = fixture.load(p, () -> TOPICS);
        assertInstanceOf(ClassicGroup.class, on(r2, () -> r2.groups.get(GROUP)));
        assertEquals(expected0, offsetOf(r2, 0));
        assertEquals(50, offsetOf(r2, keptPartition));
    }

    @Test
    void shouldLetAClassicMemberJoinAConsumerGroupAndAnswerItsRequests() throws Exception {
        // given a consumer group with one member of the consumer protocol owning everything
        Partition p = fixture.newPartition();
        CoordinatorShard s = fixture.load(p, () -> TOPICS);
        ConsumerGroupHeartbeatResponseData b0 = await(s, () -> s.consumerGroups.heartbeat(consumerHeartbeat("b", 0)));
        assertEquals(Set.of(0, 1, 2, 3), partitions(b0));

        // when a classic consumer joins (KIP-394 first)
        JoinGroupResponseData first = await(s, () -> s.classicGroups.joinGroup(classicJoin("")));
        assertEquals(Errors.MEMBER_ID_REQUIRED.code(), first.errorCode());
        String c = first.memberId();
        JoinGroupResponseData joined = await(s, () -> s.classicGroups.joinGroup(classicJoin(c)));

        // then it is a follower at epoch 2 with nothing yet (b still owns its partitions)
        assertEquals(Errors.NONE.code(), joined.errorCode());
        assertEquals(2, joined.generationId());
        assertEquals(Set.of(), sync(s, c, 2));
        assertEquals(Errors.NONE, on(s, () -> s.classicGroups.heartbeat(GROUP, c, null, 2)));
        assertTrue(on(s, () -> s.groups.consumer(GROUP) != null));

        // when b revokes, then c is told to rejoin, and gets its half
        ConsumerGroupHeartbeatResponseData b1 = await(s, () -> s.consumerGroups.heartbeat(consumerHeartbeat("b", 1)));
        Set<Integer> bKeeps = partitions(b1);
        assertEquals(2, bKeeps.size());
        await(s, () -> s.consumerGroups.heartbeat(consumerHeartbeat("b", 1, bKeeps)));
        assertEquals(Errors.REBALANCE_IN_PROGRESS, on(s, () -> s.classicGroups.heartbeat(GROUP, c, null, 2)));
        JoinGroupResponseData rejoined = await(s, () -> s.classicGroups.joinGroup(classicJoin(c)));
        Set<Integer> cGets = sync(s, c, rejoined.generationId());
        assertEquals(2, cGets.size());
        cGets.forEach(x -> assertTrue(!bKeeps.contains(x)));

        // and a SyncGroup with another protocol name is refused, an unknown member too
        SyncGroupResponseData wrong = await(
                s,
                () -> s.classicGroups.syncGroup(new ClassicGroupManager.SyncRequest(
                        GROUP, rejoined.generationId(), c, null, "consumer", "range", Map.of())));
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL.code(), wrong.errorCode());
        assertEquals(Errors.UNKNOWN_MEMBER_ID, on(s, () -> s.classicGroups.heartbeat(GROUP, "b", null, 1)));

        // when c leaves with LeaveGroup, the group stays a consumer group (b uses the consumer protocol)
        GroupCoordinator.LeaveResult leave =
                on(s, () -> s.classicGroups.leaveGroup(GROUP, List.of(new GroupCoordinator.Leaving(c, null, null))));
        assertEquals(Errors.NONE.code(), leave.members().get(0).errorCode());
        ConsumerGroup g = on(s, () -> s.groups.consumer(GROUP));
        assertNotNull(g);
        assertEquals(1, on(s, () -> g.members.size()));
    }

    @Test
    void shouldRemoveAClassicMemberThatDoesNotSyncWithinItsRebalanceTimeout() throws Exception {
        // given a consumer group with a member of the consumer protocol
        Partition p = fixture.newPartition();
        CoordinatorShard s = fixture.load(p, () -> TOPICS);
        await(s, () -> s.consumerGroups.heartbeat(consumerHeartbeat("b", 0)));

        // when a classic member joins with a short rebalance timeout and never sends SyncGroup
        ClassicGroupManager.JoinRequest slow = withRebalanceTimeout(classicJoin("slow"), 300);
        JoinGroupResponseData joined = await(s, () -> s.classicGroups.joinGroup(slow));
        assertEquals(Errors.NONE.code(), joined.errorCode());

        // then it is removed once its rebalance timeout has passed, and the group epoch moves
        ConsumerGroup g = on(s, () -> s.groups.consumer(GROUP));
        int epoch = on(s, () -> g.groupEpoch);
        io.strand.testing.Wait.waitUntil(
                "the classic member is removed",
                java.time.Duration.ofSeconds(10),
                () -> on(s, () -> !g.members.containsKey("slow")));
        assertEquals(epoch + 1, on(s, () -> g.groupEpoch));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, on(s, () -> s.classicGroups.heartbeat(GROUP, "slow", null, 2)));
    }

    @Test
    void shouldDowngradeWhenAClassicStaticMemberReplacesTheLastMemberOfTheConsumerProtocol() throws Exception {
        // given a consumer group of a static member of the consumer protocol (instance i1) and a classic member
        Partition p = fixture.newPartition();
        CoordinatorShard s = fixture.load(p, () -> TOPICS);
        ConsumerGroupManager.HeartbeatRequest staticJoin = consumerHeartbeat("s", 0);
        await(
                s,
                () -> s.consumerGroups.heartbeat(new ConsumerGroupManager.HeartbeatRequest(
                        staticJoin.groupId(),
                        staticJoin.memberId(),
                        0,
                        "i1",
                        null,
                        staticJoin.rebalanceTimeoutMs(),
                        staticJoin.subscribedTopicNames(),
                        null,
                        null,
                        staticJoin.ownedPartitions(),
                        "consumer-client",
                        "/127.0.0.1",
                        null)));
        JoinGroupResponseData a = await(s, () -> s.classicGroups.joinGroup(classicJoin("a")));
        assertEquals(Errors.NONE.code(), a.errorCode());

        // when instance i1 restarts as a classic consumer
        ClassicGroupManager.JoinRequest r = classicJoin("");
        java.util.concurrent.CompletableFuture<JoinGroupResponseData> restarted =
                s.submit(() -> s.classicGroups.joinGroup(new ClassicGroupManager.JoinRequest(
                        r.groupId(),
                        "",
                        "i1",
                        r.protocolType(),
                        r.protocols(),
                        r.sessionTimeoutMs(),
                        r.rebalanceTimeoutMs(),
                        r.clientId(),
                        r.clientHost(),
                        r.version(),
                        r.reason())));

        // then the group is classic, rebalancing; once a rejoins, both are in the next generation
        ClassicGroup classic = on(s, () -> s.groups.classic(GROUP));
        assertNotNull(classic);
        assertEquals(GroupState.PREPARING_REBALANCE, on(s, () -> classic.state));
        JoinGroupResponseData aAgain = await(s, () -> s.classicGroups.joinGroup(classicJoin("a")));
        JoinGroupResponseData i1 = restarted.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(Errors.NONE.code(), aAgain.errorCode());
        assertEquals(Errors.NONE.code(), i1.errorCode());
        assertEquals(aAgain.generationId(), i1.generationId());
        assertEquals(2, on(s, () -> classic.members.size()));
    }

    // ================================================================================================ helpers

    private static ClassicGroupManager.JoinRequest withRebalanceTimeout(ClassicGroupManager.JoinRequest r, int ms) {
        return new ClassicGroupManager.JoinRequest(
                r.groupId(),
                r.memberId(),
                r.groupInstanceId(),
                r.protocolType(),
                r.protocols(),
                r.sessionTimeoutMs(),
                ms,
                r.clientId(),
                r.clientHost(),
                r.version(),
                r.reason());
    }

    private static TopicPartition tp(int p) {
        return new TopicPartition("t", p);
    }

    /** One classic member joins alone and gets every partition (its leader's SyncGroup) at generation 1. */
    private static String joinClassic(CoordinatorShard s) throws Exception {
        JoinGroupResponseData first = await(s, () -> s.classicGroups.joinGroup(classicJoin("")));
        String a = first.memberId();
        JoinGroupResponseData joined = await(s, () -> s.classicGroups.joinGroup(classicJoin(a)));
        assertEquals(Errors.NONE.code(), joined.errorCode());
        assertEquals(1, joined.generationId());
        byte[] all = Utils.toArray(ConsumerProtocol.serializeAssignment(
                new ConsumerPartitionAssignor.Assignment(List.of(tp(0), tp(1), tp(2), tp(3)))));
        SyncGroupResponseData synced = await(
                s,
                () -> s.classicGroups.syncGroup(new ClassicGroupManager.SyncRequest(
                        GROUP, 1, a, null, "consumer", "cooperative-sticky", Map.of(a, all))));
        assertEquals(Errors.NONE.code(), synced.errorCode());
        return a;
    }

    private static ClassicGroupManager.JoinRequest classicJoin(String memberId, int... owned) {
        List<TopicPartition> ownedPartitions = new ArrayList<>();
        for (int o : owned) {
            ownedPartitions.add(tp(o));
        }
        byte[] metadata = Utils.toArray(ConsumerProtocol.serializeSubscription(
                new ConsumerPartitionAssignor.Subscription(List.of("t"), null, ownedPartitions)));
        return new ClassicGroupManager.JoinRequest(
                GROUP,
                memberId,
                null,
                "consumer",
                List.of(new GroupMember.Protocol("cooperative-sticky", metadata)),
                30_000,
                30_000,
                "classic-client",
                "/127.0.0.1",
                (short) 9,
                null);
    }

    /** SyncGroup of a follower; the partitions of t it is assigned. */
    private static Set<Integer> sync(CoordinatorShard s, String memberId, int generation) throws Exception {
        SyncGroupResponseData r = await(
                s,
                () -> s.classicGroups.syncGroup(new ClassicGroupManager.SyncRequest(
                        GROUP, generation, memberId, null, "consumer", "cooperative-sticky", Map.of())));
        assertEquals(
                Errors.NONE.code(), r.errorCode(), Errors.forCode(r.errorCode()).name());
        Set<Integer> out = new TreeSet<>();
        ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(r.assignment()))
                .partitions()
                .forEach(x -> {
                    assertEquals("t", x.topic());
                    out.add(x.partition());
                });
        return out;
    }

    private static ConsumerGroupManager.HeartbeatRequest consumerHeartbeat(String memberId, int epoch) {
        return consumerHeartbeat(memberId, epoch, null);
    }

    private static ConsumerGroupManager.HeartbeatRequest consumerHeartbeat(
            String memberId, int epoch, Set<Integer> owned) {
        return new ConsumerGroupManager.HeartbeatRequest(
                GROUP,
                memberId,
                epoch,
                null,
                null,
                epoch == 0 ? 30_000 : -1,
                epoch == 0 ? List.of("t") : null,
                null,
                null,
                epoch == 0 ? Map.of() : owned == null ? null : Map.of(TOPIC_ID, owned),
                "consumer-client",
                "/127.0.0.1",
                null);
    }

    private static Set<Integer> partitions(ConsumerGroupHeartbeatResponseData r) {
        Set<Integer> out = new TreeSet<>();
        if (r.assignment() != null) {
            r.assignment().topicPartitions().forEach(t -> out.addAll(t.partitions()));
        }
        return out;
    }

    private static OffsetManager.CommitRequest commit(String memberId, int generation, int partition, long offset) {
        return new OffsetManager.CommitRequest(
                GROUP,
                memberId,
                null,
                generation,
                -1,
                Map.of(tp(partition), new CommittedOffset(offset, -1, "", 0, -1)),
                (short) 8);
    }

    private static long offsetOf(CoordinatorShard s, int partition) throws Exception {
        CommittedOffset o = on(s, () -> s.offsets.fetchOffsets(GROUP, List.of(tp(partition))))
                .get(tp(partition));
        return o == null ? -1 : o.offset();
    }
}
