package io.strand.server.group;

import io.strand.server.group.proto.ConsumerMemberKey;
import io.strand.server.group.proto.GroupKey;
import io.strand.server.group.proto.GroupRecordKey;
import io.strand.server.group.proto.ShareGroupValue;
import io.strand.server.group.proto.ShareMemberValue;
import java.util.List;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The encoding of KIP-932 share groups' membership as {@code __consumer_offsets} records
 * ({@code group.proto}): one record per group, one per member; tombstones remove them. Stateless.
 */
final class ShareGroupRecords {
    private ShareGroupRecords() {}

    static SimpleRecord groupRecord(long nowMs, ShareGroup g) {
        ShareGroupValue.Builder v = ShareGroupValue.newBuilder()
                .setGroupEpoch(g.groupEpoch)
                .setAssignmentEpoch(g.assignmentEpoch)
                .setCreatedMs(g.createdMs)
                .addAllReadTopics(g.readTopics);
        v.addAllSubscribedTopics(ConsumerGroupRecords.subscribedTopics(g.subscribedTopics));
        return new SimpleRecord(nowMs, groupKey(g.groupId), v.build().toByteArray());
    }

    static SimpleRecord groupTombstone(long nowMs, String groupId) {
        return new SimpleRecord(nowMs, groupKey(groupId), null);
    }

    static SimpleRecord memberRecord(long nowMs, String groupId, ShareGroupMember m) {
        ShareMemberValue.Builder v = ShareMemberValue.newBuilder()
                .setRackId(m.rackId == null ? "" : m.rackId)
                .setClientId(m.clientId == null ? "" : m.clientId)
                .setClientHost(m.clientHost == null ? "" : m.clientHost)
                .addAllSubscribedTopicNames(m.subscribedTopicNames)
                .setMemberEpoch(m.memberEpoch);
        ConsumerGroupRecords.partitions(m.assigned).forEach(v::addAssigned);
        return new SimpleRecord(nowMs, memberKey(groupId, m.memberId), v.build().toByteArray());
    }

    static SimpleRecord memberTombstone(long nowMs, String groupId, String memberId) {
        return new SimpleRecord(nowMs, memberKey(groupId, memberId), null);
    }

    static ShareGroup restoreGroup(String groupId, ShareGroupValue v) {
        ShareGroup g = new ShareGroup(groupId, v.getCreatedMs());
        g.groupEpoch = v.getGroupEpoch();
        g.assignmentEpoch = v.getAssignmentEpoch();
        g.subscribedTopics = ConsumerGroupRecords.subscribedTopics(v.getSubscribedTopicsList());
        g.readTopics.addAll(v.getReadTopicsList());
        return g;
    }

    static ShareGroupMember restoreMember(String memberId, ShareMemberValue v) {
        ShareGroupMember m = new ShareGroupMember(memberId);
        m.rackId = v.getRackId().isEmpty() ? null : v.getRackId();
        m.clientId = v.getClientId();
        m.clientHost = v.getClientHost();
        m.subscribedTopicNames = List.copyOf(v.getSubscribedTopicNamesList());
        m.memberEpoch = v.getMemberEpoch();
        m.assigned = ConsumerGroupRecords.partitions(v.getAssignedList());
        return m;
    }

    static byte[] groupKey(String groupId) {
        return GroupRecordKey.newBuilder()
                .setShareGroup(GroupKey.newBuilder().setGroup(groupId))
                .build()
                .toByteArray();
    }

    static byte[] memberKey(String groupId, String memberId) {
        return GroupRecordKey.newBuilder()
                .setShareMember(ConsumerMemberKey.newBuilder().setGroup(groupId).setMemberId(memberId))
                .build()
                .toByteArray();
    }
}
