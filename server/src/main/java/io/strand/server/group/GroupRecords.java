package io.strand.server.group;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.strand.server.group.proto.GroupKey;
import io.strand.server.group.proto.GroupMemberValue;
import io.strand.server.group.proto.GroupMetadataValue;
import io.strand.server.group.proto.GroupProtocolValue;
import io.strand.server.group.proto.GroupRecordKey;
import io.strand.server.group.proto.OffsetCommitValue;
import io.strand.server.group.proto.OffsetKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The encoding of group metadata and committed offsets as {@code __consumer_offsets} records
 * ({@code server/src/main/proto/group.proto}): key = {@link GroupRecordKey}, value = the matching
 * value message, or null (a tombstone) to delete the key. Stateless.
 */
final class GroupRecords {
    private GroupRecords() {}

    static SimpleRecord offsetRecord(long nowMs, String group, TopicPartition tp, CommittedOffset o) {
        OffsetCommitValue.Builder v = OffsetCommitValue.newBuilder()
                .setOffset(o.offset())
                .setLeaderEpoch(o.leaderEpoch())
                .setCommitTimestampMs(o.commitTimestampMs())
                .setExpireTimestampMs(o.expireTimestampMs());
        if (o.metadata() == null) {
            v.setMetadataNull(true);
        } else {
            v.setMetadata(o.metadata());
        }
        return new SimpleRecord(nowMs, offsetKey(group, tp), v.build().toByteArray());
    }

    static SimpleRecord offsetTombstone(long nowMs, String group, TopicPartition tp) {
        return new SimpleRecord(nowMs, offsetKey(group, tp), null);
    }

    static SimpleRecord groupTombstone(long nowMs, String group) {
        return new SimpleRecord(nowMs, groupKey(group), null);
    }

    /** The group as it will be with {@code assignments} (member id -> assignment; absent = the member's current one). */
    static SimpleRecord groupRecord(long nowMs, ClassicGroup g, Map<String, byte[]> assignments) {
        GroupMetadataValue.Builder v = GroupMetadataValue.newBuilder()
                .setProtocolType(nullToEmpty(g.protocolType))
                .setGeneration(g.generationId)
                .setProtocolName(nullToEmpty(g.protocolName))
                .setLeader(nullToEmpty(g.leaderId))
                .setCurrentStateTimestampMs(g.stateTimestampMs);
        for (GroupMember m : g.members.values()) {
            byte[] assignment = assignments.getOrDefault(m.memberId, m.assignment);
            GroupMemberValue.Builder mv = GroupMemberValue.newBuilder()
                    .setMemberId(m.memberId)
                    .setGroupInstanceId(nullToEmpty(m.groupInstanceId))
                    .setClientId(nullToEmpty(m.clientId))
                    .setClientHost(nullToEmpty(m.clientHost))
                    .setRebalanceTimeoutMs(m.rebalanceTimeoutMs)
                    .setSessionTimeoutMs(m.sessionTimeoutMs)
                    .setSubscription(
                            ByteString.copyFrom(g.protocolName == null ? new byte[0] : m.metadata(g.protocolName)))
                    .setAssignment(ByteString.copyFrom(assignment == null ? new byte[0] : assignment));
            for (GroupMember.Protocol p : m.protocols) {
                mv.addProtocols(GroupProtocolValue.newBuilder()
                        .setName(p.name())
                        .setMetadata(ByteString.copyFrom(p.metadata())));
            }
            v.addMembers(mv);
        }
        return new SimpleRecord(nowMs, groupKey(g.groupId), v.build().toByteArray());
    }

    static MemoryRecords batch(List<SimpleRecord> records) {
        return MemoryRecords.withRecords(Compression.NONE, records.toArray(SimpleRecord[]::new));
    }

    /**
     * Records written inside a producer's transaction (TxnOffsetCommit): a transactional batch of that
     * producer id and epoch, which the transaction's COMMIT or ABORT marker on this partition decides.
     */
    static MemoryRecords transactionalBatch(List<SimpleRecord> records, long producerId, short producerEpoch) {
        return MemoryRecords.withTransactionalRecords(
                Compression.NONE, producerId, producerEpoch, 0, records.toArray(SimpleRecord[]::new));
    }

    static byte[] offsetKey(String group, TopicPartition tp) {
        return GroupRecordKey.newBuilder()
                .setOffset(OffsetKey.newBuilder()
                        .setGroup(group)
                        .setTopic(tp.topic())
                        .setPartition(tp.partition()))
                .build()
                .toByteArray();
    }

    static byte[] groupKey(String group) {
        return GroupRecordKey.newBuilder()
                .setGroup(GroupKey.newBuilder().setGroup(group))
                .build()
                .toByteArray();
    }

    static GroupRecordKey parseKey(ByteBuffer key) throws InvalidProtocolBufferException {
        return GroupRecordKey.parseFrom(key.duplicate());
    }

    static CommittedOffset parseOffset(ByteBuffer value) throws InvalidProtocolBufferException {
        OffsetCommitValue v = OffsetCommitValue.parseFrom(value.duplicate());
        return new CommittedOffset(
                v.getOffset(),
                v.getLeaderEpoch(),
                v.getMetadataNull() ? null : v.getMetadata(),
                v.getCommitTimestampMs(),
                v.getExpireTimestampMs());
    }

    static GroupMetadataValue parseGroup(ByteBuffer value) throws InvalidProtocolBufferException {
        return GroupMetadataValue.parseFrom(value.duplicate());
    }

    /** Rebuilds a group (Stable with its members, or Empty) from its stored value. */
    static ClassicGroup restore(String groupId, GroupMetadataValue v) {
        ClassicGroup g = new ClassicGroup(groupId, v.getCurrentStateTimestampMs());
        g.protocolType = emptyToNull(v.getProtocolType());
        g.generationId = v.getGeneration();
        g.protocolName = emptyToNull(v.getProtocolName());
        for (GroupMemberValue mv : v.getMembersList()) {
            List<GroupMember.Protocol> protocols = new ArrayList<>();
            for (GroupProtocolValue p : mv.getProtocolsList()) {
                protocols.add(
                        new GroupMember.Protocol(p.getName(), p.getMetadata().toByteArray()));
            }
            if (protocols.isEmpty() && g.protocolName != null) {
                protocols.add(new GroupMember.Protocol(
                        g.protocolName, mv.getSubscription().toByteArray()));
            }
            GroupMember m = new GroupMember(
                    mv.getMemberId(),
                    emptyToNull(mv.getGroupInstanceId()),
                    mv.getClientId(),
                    mv.getClientHost(),
                    mv.getRebalanceTimeoutMs(),
                    mv.getSessionTimeoutMs(),
                    g.protocolType,
                    protocols);
            m.assignment = mv.getAssignment().toByteArray();
            g.add(m);
        }
        g.protocolType = emptyToNull(v.getProtocolType());
        g.leaderId = g.members.isEmpty() ? null : emptyToNull(v.getLeader());
        if (g.leaderId != null && !g.members.containsKey(g.leaderId)) {
            g.leaderId = g.members.keySet().iterator().next();
        }
        g.state = g.members.isEmpty() ? GroupState.EMPTY : GroupState.STABLE;
        return g;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
