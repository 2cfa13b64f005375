package io.strand.server.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.group.proto.GroupMetadataValue;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/** The group rules that need no I/O: protocol selection, offset retention, commit validation, and the record encoding. */
class ClassicGroupTest {
    private static final long MINUTE = 60_000;
    private static final long RETENTION = 10 * MINUTE;

    private static GroupMember member(String id, String... protocols) {
        return new GroupMember(
                id,
                null,
                "client",
                "/127.0.0.1",
                30_000,
                10_000,
                "consumer",
                java.util.Arrays.stream(protocols)
                        .map(p -> new GroupMember.Protocol(p, subscription("t")))
                        .toList());
    }

    private static byte[] subscription(String... topics) {
        ByteBuffer b =
                ConsumerProtocol.serializeSubscription(new ConsumerPartitionAssignor.Subscription(List.of(topics)));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static List<TopicPartition> expired(
            ClassicGroup g, Map<TopicPartition, CommittedOffset> offsets, long nowMs) {
        return OffsetManager.expiredOffsets(g, offsets, nowMs, RETENTION);
    }

    @Test
    void shouldSelectTheProtocolMostMembersPreferAmongThoseAllSupport() {
        ClassicGroup g = new ClassicGroup("g", 0);
        g.add(member("a", "range", "cooperative-sticky"));
        g.add(member("b", "cooperative-sticky", "range"));
        g.add(member("c", "cooperative-sticky", "range", "roundrobin"));
        assertEquals("cooperative-sticky", g.selectProtocol());
        assertTrue(g.supportsProtocols("consumer", List.of("range")));
        assertFalse(g.supportsProtocols("consumer", List.of("roundrobin")), "not every member supports it");
        assertFalse(g.supportsProtocols("connect", List.of("range")), "another protocol type");
        assertEquals("a", g.leaderId);
        g.remove("a");
        assertEquals("b", g.leaderId, "the leader moves to a remaining member");
    }

    @Test
    void shouldExpireOffsetsOfAnEmptyGroupOnlyAfterTheRetentionSinceItBecameEmpty() {
        ClassicGroup g = new ClassicGroup("g", 0);
        g.protocolType = "consumer";
        Map<TopicPartition, CommittedOffset> offsets =
                Map.of(new TopicPartition("t", 0), new CommittedOffset(5, -1, "", 0, -1));
        g.transitionTo(GroupState.EMPTY, 5 * MINUTE);
        assertEquals(List.of(), expired(g, offsets, 14 * MINUTE), "empty for 9 minutes only");
        assertEquals(List.of(new TopicPartition("t", 0)), expired(g, offsets, 15 * MINUTE));
    }

    @Test
    void shouldExpireStandaloneCommitsByTheirCommitTimeOrTheirOwnRetention() {
        ClassicGroup g = new ClassicGroup("standalone", 0);
        TopicPartition old = new TopicPartition("t", 0);
        TopicPartition fresh = new TopicPartition("t", 1);
        TopicPartition own = new TopicPartition("t", 2);
        Map<TopicPartition, CommittedOffset> offsets = Map.of(
                old, new CommittedOffset(1, -1, null, 0, -1),
                fresh, new CommittedOffset(1, -1, null, 8 * MINUTE, -1),
                own, new CommittedOffset(1, -1, null, 8 * MINUTE, 9 * MINUTE));
        List<TopicPartition> expired = expired(g, offsets, 10 * MINUTE);
        assertEquals(2, expired.size());
        assertTrue(expired.contains(old) && expired.contains(own));
    }

    @Test
    void shouldKeepSubscribedOffsetsOfAnActiveConsumerGroupAndExpireTheOthers() {
        ClassicGroup g = new ClassicGroup("g", 0);
        g.add(member("a", "range"));
        g.protocolName = "range";
        g.transitionTo(GroupState.STABLE, 0);
        Map<TopicPartition, CommittedOffset> offsets = Map.of(
                new TopicPartition("t", 0), new CommittedOffset(1, -1, "", 0, -1),
                new TopicPartition("gone", 0), new CommittedOffset(1, -1, "", 0, -1));
        assertEquals(List.of(new TopicPartition("gone", 0)), expired(g, offsets, RETENTION));
        assertTrue(g.offsetExpiry().isPresent());
        g.transitionTo(GroupState.DEAD, RETENTION);
        assertEquals(List.of(), expired(g, offsets, 100 * RETENTION), "a dead group's offsets do not expire");
    }

    @Test
    void shouldAllowCommitsDeletesAndDeletionOnlyInTheRightStates() {
        ClassicGroup g = new ClassicGroup("g", 0);
        assertEquals(Errors.NONE, g.validateOffsetCommit("", null, -1), "a standalone commit to an empty group");
        assertEquals(Errors.NONE, g.validateDeleteGroup());
        g.add(member("a", "range"));
        g.generationId = 1;
        g.protocolName = "range";
        g.transitionTo(GroupState.COMPLETING_REBALANCE, 0);
        assertEquals(Errors.REBALANCE_IN_PROGRESS, g.validateOffsetCommit("a", null, 1));
        g.transitionTo(GroupState.STABLE, 0);
        assertEquals(Errors.NONE, g.validateOffsetCommit("a", null, 1));
        assertEquals(Errors.ILLEGAL_GENERATION, g.validateOffsetCommit("a", null, 2));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, g.validateOffsetCommit("b", null, 1));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, g.validateOffsetCommit("", null, -1), "standalone, with members");
        assertEquals(Errors.NONE, g.validateOffsetDelete(), "a consumer group may lose unsubscribed offsets");
        assertEquals(Optional.of(Set.of("t")), g.subscribedTopics());
        assertEquals(Errors.NON_EMPTY_GROUP, g.validateDeleteGroup());
        g.protocolType = "connect";
        assertEquals(Errors.NON_EMPTY_GROUP, g.validateOffsetDelete(), "another protocol type: not while active");
        g.transitionTo(GroupState.DEAD, 0);
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, g.validateOffsetCommit("a", null, 1));
        assertEquals(Errors.GROUP_ID_NOT_FOUND, g.validateOffsetDelete());
        assertEquals(Errors.GROUP_ID_NOT_FOUND, g.validateDeleteGroup());
    }

    @Test
    void shouldRoundTripAGroupThroughItsRecord() throws Exception {
        ClassicGroup g = new ClassicGroup("g", 0);
        GroupMember m = member("a", "range", "cooperative-sticky");
        g.add(m);
        g.generationId = 4;
        g.protocolName = "range";
        g.transitionTo(GroupState.STABLE, 1234);
        SimpleRecord r = GroupRecords.groupRecord(1234, g, java.util.Map.of("a", new byte[] {9}));
        GroupMetadataValue v = GroupRecords.parseGroup(r.value());
        ClassicGroup back = GroupRecords.restore("g", v);
        assertEquals(GroupState.STABLE, back.state);
        assertEquals(4, back.generationId);
        assertEquals("consumer", back.protocolType);
        assertEquals("range", back.protocolName);
        assertEquals("a", back.leaderId);
        assertArrayEquals(new byte[] {9}, back.members.get("a").assignment);
        assertTrue(back.members.get("a").matches(m.protocols));
        assertEquals("g", GroupRecords.parseKey(r.key()).getGroup().getGroup());

        SimpleRecord o =
                GroupRecords.offsetRecord(1, "g", new TopicPartition("t", 3), new CommittedOffset(7, 2, null, 1, -1));
        CommittedOffset parsed = GroupRecords.parseOffset(o.value());
        assertEquals(7, parsed.offset());
        assertEquals(2, parsed.leaderEpoch());
        assertNull(parsed.metadata());
        assertNull(
                GroupRecords.offsetTombstone(1, "g", new TopicPartition("t", 3)).value());
    }
}
