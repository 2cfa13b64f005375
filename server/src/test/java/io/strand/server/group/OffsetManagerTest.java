package io.strand.server.group;

import static io.strand.server.group.ShardFixture.RETENTION_MS;
import static io.strand.server.group.ShardFixture.await;
import static io.strand.server.group.ShardFixture.joinAlone;
import static io.strand.server.group.ShardFixture.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.replica.Partition;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Committed offsets through a real shard on a real partition: commit validation, OffsetDelete,
 * retention removing offsets and then the empty group, DeleteGroups, and what a reload finds.
 */
class OffsetManagerTest {
    private static final TopicPartition T0 = new TopicPartition("t", 0);
    private static final TopicPartition OTHER0 = new TopicPartition("other", 0);

    @RegisterExtension
    static final ShardFixture fixture = new ShardFixture();

    private static OffsetManager.CommitRequest commit(
            String group, String memberId, int generation, short version, TopicPartition... partitions) {
        Map<TopicPartition, CommittedOffset> offsets = new LinkedHashMap<>();
        Arrays.stream(partitions).forEach(p -> offsets.put(p, new CommittedOffset(5, 1, "m", -1, -1)));
        return new OffsetManager.CommitRequest(group, memberId, null, generation, -1, offsets, version);
    }

    private static Map<TopicPartition, Errors> all(Errors e, TopicPartition... partitions) {
        Map<TopicPartition, Errors> out = new LinkedHashMap<>();
        Arrays.stream(partitions).forEach(p -> out.put(p, e));
        return out;
    }

    @Test
    void shouldExpireStandaloneOffsetsAndThenRemoveTheEmptyGroup() throws Exception {
        // given a standalone commit (generation -1) to a group nobody joined
        Partition p = fixture.newPartition();
        CoordinatorShard s = fixture.load(p);
        long committedAt = fixture.clock.get();
        assertEquals(
                all(Errors.NONE, T0), await(s, () -> s.offsets.commitOffsets(commit("solo", "", -1, (short) 8, T0))));

        // when a new shard loads the partition, then the offsets belong to an Empty classic group
        s.execute(s::unload);
        CoordinatorShard loaded = fixture.load(p);
        assertEquals(
                5,
                on(loaded, () -> loaded.offsets.fetchOffsets("solo", null))
                        .get(T0)
                        .offset());
        assertEquals(
                List.of(new GroupCoordinator.Listed("solo", "", "Empty", GroupType.CLASSIC)), on(loaded, loaded::list));

        // when retention runs just before the offset expires, then nothing is removed
        fixture.clock.set(committedAt + RETENTION_MS - 1);
        on(loaded, () -> {
            loaded.expireOffsets();
            return null;
        });
        assertTrue(on(loaded, () -> loaded.offsets.hasOffsets("solo")));

        // when it runs once the offset has expired, then the offset and the group, empty now, are removed
        fixture.clock.set(committedAt + RETENTION_MS);
        on(loaded, () -> {
            loaded.expireOffsets();
            return null;
        });
        assertEquals(Map.of(), on(loaded, () -> loaded.offsets.fetchOffsets("solo", null)));
        assertNull(on(loaded, () -> loaded.groups.get("solo")));

        // and their tombstones are in the log: the next load finds neither
        ShardFixture.awaitWritten(p);
        loaded.execute(loaded::unload);
        CoordinatorShard reloaded = fixture.load(p);
        assertEquals(0, on(reloaded, () -> reloaded.groups.size()));
        assertEquals(Map.of(), on(reloaded, () -> reloaded.offsets.fetchOffsets("solo", null)));
    }

    @Test
    void shouldValidateCommitsAndDeleteOnlyOffsetsOfTopicsTheGroupDoesNotConsume() throws Exception {
        // given a Stable consumer group subscribed to "t" whose member committed "t" and "other"
        Partition p = fixture.newPartition();
        CoordinatorShard s = fixture.load(p);
        String member = joinAlone(s, "consumers", "t");
        long committedAt = fixture.clock.get();
        assertEquals(
                all(Errors.NONE, T0, OTHER0),
                await(s, () -> s.offsets.commitOffsets(commit("consumers", member, 1, (short) 8, T0, OTHER0))));

        // then commits with another generation, by a stranger, standalone, or to an unknown group are refused
        assertEquals(
                all(Errors.ILLEGAL_GENERATION, T0),
                await(s, () -> s.offsets.commitOffsets(commit("consumers", member, 7, (short) 8, T0))));
        assertEquals(
                all(Errors.UNKNOWN_MEMBER_ID, T0),
                await(s, () -> s.offsets.commitOffsets(commit("consumers", "stranger", 1, (short) 8, T0))));
        assertEquals(
                all(Errors.UNKNOWN_MEMBER_ID, T0),
                await(s, () -> s.offsets.commitOffsets(commit("consumers", "", -1, (short) 8, T0))));
        assertEquals(
                all(Errors.GROUP_ID_NOT_FOUND, T0),
                await(s, () -> s.offsets.commitOffsets(commit("unknown", member, 1, (short) 9, T0))));
        assertEquals(
                all(Errors.ILLEGAL_GENERATION, T0),
                await(s, () -> s.offsets.commitOffsets(commit("unknown", member, 1, (short) 8, T0))));
        assertNull(on(s, () -> s.groups.get("unknown")), "a refused commit creates no group");

        // when retention runs after the retention time, then only the offset of the unsubscribed topic expires
        fixture.clock.set(committedAt + RETENTION_MS);
        on(s, () -> {
            s.expireOffsets();
            return null;
        });
        Map<TopicPartition, CommittedOffset> left =
                on(s, () -> s.offsets.fetchOffsets("consumers", List.of(T0, OTHER0)));
        assertEquals(5, left.get(T0).offset());
        assertNull(left.get(OTHER0));

        // when OffsetDelete names both topics, then the subscribed one is refused and the other deleted
        assertEquals(
                all(Errors.NONE, OTHER0),
                await(s, () -> s.offsets.commitOffsets(commit("consumers", member, 1, (short) 8, OTHER0))));
        GroupCoordinator.DeleteOffsetsResult deleted =
                await(s, () -> s.offsets.deleteOffsets("consumers", List.of(T0, OTHER0)));
        assertEquals(Errors.NONE, deleted.error());
        assertEquals(Errors.GROUP_SUBSCRIBED_TO_TOPIC, deleted.partitions().get(T0));
        assertEquals(Errors.NONE, deleted.partitions().get(OTHER0));
        assertEquals(
                Errors.GROUP_ID_NOT_FOUND,
                await(s, () -> s.offsets.deleteOffsets("unknown", List.of(T0))).error());

        // and a reload finds the group's offset of "t" only
        s.execute(s::unload);
        CoordinatorShard reloaded = fixture.load(p);
        assertEquals(
                List.of(T0),
                List.copyOf(on(reloaded, () -> reloaded.offsets.fetchOffsets("consumers", null))
                        .keySet()));
    }

    @Test
    void shouldDeleteAGroupWithItsOffsetsOnlyOnceItIsEmpty() throws Exception {
        // given a group with a member and a committed offset
        Partition p = fixture.newPartition();
        CoordinatorShard s = fixture.load(p);
        String member = joinAlone(s, "doomed", "t");
        assertEquals(
                all(Errors.NONE, T0),
                await(s, () -> s.offsets.commitOffsets(commit("doomed", member, 1, (short) 8, T0))));

        // then DeleteGroups is refused while it has a member, and for an unknown group
        assertEquals(Errors.NON_EMPTY_GROUP, await(s, () -> s.deleteGroup("doomed")));
        assertEquals(Errors.GROUP_ID_NOT_FOUND, await(s, () -> s.deleteGroup("unknown")));

        // when the member leaves and the group is empty, then DeleteGroups removes it with its offsets
        on(s, () -> s.classicGroups.leaveGroup("doomed", List.of(new GroupCoordinator.Leaving(member, null, null))));
        Wait.waitUntil("the group is empty", Duration.ofSeconds(10), () -> {
            try {
                return on(s, () -> s.groups.classic("doomed").is(GroupState.EMPTY));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(Errors.NONE, await(s, () -> s.deleteGroup("doomed")));
        assertNull(on(s, () -> s.groups.get("doomed")));
        assertNull(on(s, () -> s.offsets.fetchOffsets("doomed", List.of(T0))).get(T0));

        // and the next load finds neither the group nor its offset
        s.execute(s::unload);
        CoordinatorShard reloaded = fixture.load(p);
        assertEquals(0, on(reloaded, () -> reloaded.groups.size()));
        assertEquals(Map.of(), on(reloaded, () -> reloaded.offsets.fetchOffsets("doomed", null)));
    }
}
