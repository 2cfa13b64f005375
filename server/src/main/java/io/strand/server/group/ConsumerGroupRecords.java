package io.strand.server.group;

import com.google.protobuf.ByteString;
import io.strand.server.group.assignor.TopicInfo;
import io.strand.server.group.proto.ClassicMemberValue;
import io.strand.server.group.proto.ConsumerGroupValue;
import io.strand.server.group.proto.ConsumerMemberKey;
import io.strand.server.group.proto.ConsumerMemberValue;
import io.strand.server.group.proto.GroupKey;
import io.strand.server.group.proto.GroupProtocolValue;
import io.strand.server.group.proto.GroupRecordKey;
import io.strand.server.group.proto.SubscribedTopicValue;
import io.strand.server.group.proto.TopicPartitionsValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The encoding of KIP-848 consumer groups as {@code __consumer_offsets} records
 * ({@code group.proto}): one record per group (epochs and the topics its target assignment saw) and
 * one per member (subscription, current and target assignment, and for a member of the classic
 * protocol its session timeout and protocols). A member's record is rewritten when
 * any of these change; a tombstone removes a member or, under the group key, the whole group.
 * Stateless.
 */
final class ConsumerGroupRecords {
    private ConsumerGroupRecords() {}

    static SimpleRecord groupRecord(long nowMs, ConsumerGroup g) {
        ConsumerGroupValue.Builder v = ConsumerGroupValue.newBuilder()
                .setGroupEpoch(g.groupEpoch)
                .setAssignmentEpoch(g.assignmentEpoch)
                .setCreatedMs(g.createdMs);
        v.addAllSubscribedTopics(subscribedTopics(g.subscribedTopics));
        return new SimpleRecord(nowMs, groupKey(g.groupId), v.build().toByteArray());
    }

    static SimpleRecord groupTombstone(long nowMs, String groupId) {
        return new SimpleRecord(nowMs, groupKey(groupId), null);
    }

    static SimpleRecord memberRecord(long nowMs, String groupId, ConsumerGroupMember m) {
        MemberAssignment a = m.assignment;
        ConsumerMemberValue.Builder v = ConsumerMemberValue.newBuilder()
                .setInstanceId(nullToEmpty(m.instanceId))
                .setRackId(nullToEmpty(m.rackId))
                .setClientId(nullToEmpty(m.clientId))
                .setClientHost(nullToEmpty(m.clientHost))
                .addAllSubscribedTopicNames(m.subscribedTopicNames)
                .setSubscribedTopicRegex(nullToEmpty(m.subscribedTopicRegex))
                .setServerAssignor(nullToEmpty(m.serverAssignor))
                .setRebalanceTimeoutMs(m.rebalanceTimeoutMs)
                .setSessionTimeoutMs(m.sessionTimeoutMs)
                .setMemberEpoch(a.memberEpoch())
                .setLeftStatic(m.leftStatic)
                .setPreviousMemberEpoch(a.previousMemberEpoch())
                .setState(a.state().ordinal());
        partitions(a.assigned()).forEach(v::addAssigned);
        partitions(a.pendingRevocation()).forEach(v::addPendingRevocation);
        partitions(m.target).forEach(v::addTarget);
        if (m.classic != null) {
            ClassicMemberValue.Builder c =
                    ClassicMemberValue.newBuilder().setSessionTimeoutMs(m.classic.sessionTimeoutMs());
            for (GroupMember.Protocol p : m.classic.protocols()) {
                c.addProtocols(GroupProtocolValue.newBuilder()
                        .setName(p.name())
                        .setMetadata(ByteString.copyFrom(p.metadata())));
            }
            v.setClassic(c);
        }
        return new SimpleRecord(nowMs, memberKey(groupId, m.memberId), v.build().toByteArray());
    }

    static SimpleRecord memberTombstone(long nowMs, String groupId, String memberId) {
        return new SimpleRecord(nowMs, memberKey(groupId, memberId), null);
    }

    static ConsumerGroup restoreGroup(String groupId, ConsumerGroupValue v) {
        ConsumerGroup g = new ConsumerGroup(groupId, v.getCreatedMs());
        g.groupEpoch = v.getGroupEpoch();
        g.assignmentEpoch = v.getAssignmentEpoch();
        g.subscribedTopics = subscribedTopics(v.getSubscribedTopicsList());
        return g;
    }

    static ConsumerGroupMember restoreMember(String memberId, ConsumerMemberValue v) {
        ConsumerGroupMember m = new ConsumerGroupMember(memberId);
        m.instanceId = emptyToNull(v.getInstanceId());
        m.rackId = emptyToNull(v.getRackId());
        m.clientId = v.getClientId();
        m.clientHost = v.getClientHost();
        m.subscribedTopicNames = List.copyOf(v.getSubscribedTopicNamesList());
        m.subscribedTopicRegex = emptyToNull(v.getSubscribedTopicRegex());
        m.serverAssignor = emptyToNull(v.getServerAssignor());
        m.rebalanceTimeoutMs = v.getRebalanceTimeoutMs();
        m.sessionTimeoutMs = v.getSessionTimeoutMs();
        m.leftStatic = v.getLeftStatic();
        m.assignment = new MemberAssignment(
                v.getMemberEpoch(),
                v.getPreviousMemberEpoch(),
                MemberAssignment.State.values()[v.getState()],
                partitions(v.getAssignedList()),
                partitions(v.getPendingRevocationList()));
        m.target = TopicPartitions.copyOf(partitions(v.getTargetList()));
        if (v.hasClassic()) {
            List<GroupMember.Protocol> protocols = new ArrayList<>();
            for (GroupProtocolValue p : v.getClassic().getProtocolsList()) {
                protocols.add(
                        new GroupMember.Protocol(p.getName(), p.getMetadata().toByteArray()));
            }
            m.classic = new ConsumerGroupMember.Classic(v.getClassic().getSessionTimeoutMs(), protocols);
        }
        return m;
    }

    static byte[] groupKey(String groupId) {
        return GroupRecordKey.newBuilder()
                .setConsumerGroup(GroupKey.newBuilder().setGroup(groupId))
                .build()
                .toByteArray();
    }

    static byte[] memberKey(String groupId, String memberId) {
        return GroupRecordKey.newBuilder()
                .setConsumerMember(
                        ConsumerMemberKey.newBuilder().setGroup(groupId).setMemberId(memberId))
                .build()
                .toByteArray();
    }

    /** The topics a target assignment was computed from, as stored (consumer and share groups alike). */
    static List<SubscribedTopicValue> subscribedTopics(Map<String, TopicInfo> topics) {
        return topics.values().stream()
                .map(t -> SubscribedTopicValue.newBuilder()
                        .setName(t.name())
                        .setTopicIdHigh(t.id().getMostSignificantBits())
                        .setTopicIdLow(t.id().getLeastSignificantBits())
                        .setPartitions(t.partitions())
                        .build())
                .toList();
    }

    static Map<String, TopicInfo> subscribedTopics(List<SubscribedTopicValue> values) {
        Map<String, TopicInfo> topics = new LinkedHashMap<>();
        for (SubscribedTopicValue t : values) {
            topics.put(
                    t.getName(),
                    new TopicInfo(new Uuid(t.getTopicIdHigh(), t.getTopicIdLow()), t.getName(), t.getPartitions()));
        }
        return Map.copyOf(topics);
    }

    static List<TopicPartitionsValue> partitions(Map<Uuid, Set<Integer>> m) {
        return m.entrySet().stream()
                .map(e -> TopicPartitionsValue.newBuilder()
                        .setTopicIdHigh(e.getKey().getMostSignificantBits())
                        .setTopicIdLow(e.getKey().getLeastSignificantBits())
                        .addAllPartitions(e.getValue())
                        .build())
                .toList();
    }

    static Map<Uuid, Set<Integer>> partitions(List<TopicPartitionsValue> values) {
        Map<Uuid, Set<Integer>> out = new LinkedHashMap<>();
        for (TopicPartitionsValue t : values) {
            out.computeIfAbsent(new Uuid(t.getTopicIdHigh(), t.getTopicIdLow()), k -> new HashSet<>())
                    .addAll(t.getPartitionsList());
        }
        return TopicPartitions.copyOf(out);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
