package io.strand.server.group;

import io.strand.server.group.assignor.TopicInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * ConsumerGroupDescribe's answer for one group, and assignments in the wire form of both consumer
 * APIs. Stateless; called on the shard's executor.
 */
final class ConsumerGroupDescriber {
    private ConsumerGroupDescriber() {}

    /** The member type ConsumerGroupDescribe v1 reports for members of the consumer protocol. */
    private static final byte CONSUMER_MEMBER_TYPE = 1;

    /** The member type of members that speak the classic protocol (online migration). */
    private static final byte CLASSIC_MEMBER_TYPE = 0;

    /**
     * {@code groupId} described; GROUP_ID_NOT_FOUND if the shard holds no consumer group of that id
     * (a classic group is described by DescribeGroups: Kafka's Admin falls back to it on this error).
     *
     * @param topicNames the name of a topic id, or null if no such topic exists
     */
    static DescribedGroup describe(Groups groups, String groupId, Function<Uuid, String> topicNames) {
        ConsumerGroup g = groups.consumer(groupId);
        if (g == null) {
            Group other = groups.get(groupId);
            return new DescribedGroup()
                    .setGroupId(groupId)
                    .setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                    .setErrorMessage(
                            other == null
                                    ? "Group " + groupId + " not found."
                                    : "Group " + groupId + " is not a consumer group.");
        }
        DescribedGroup d = new DescribedGroup()
                .setGroupId(groupId)
                .setGroupState(g.state().kafkaName)
                .setGroupEpoch(g.groupEpoch)
                .setAssignmentEpoch(g.assignmentEpoch)
                .setAssignorName(g.assignorName == null ? "" : g.assignorName);
        Function<Uuid, String> names = id -> {
            TopicInfo t = g.subscribedTopic(id);
            return t != null ? t.name() : topicNames.apply(id);
        };
        for (ConsumerGroupMember m : g.members.values()) {
            d.members()
                    .add(new ConsumerGroupDescribeResponseData.Member()
                            .setMemberId(m.memberId)
                            .setInstanceId(m.instanceId)
                            .setRackId(m.rackId)
                            .setMemberEpoch(m.memberEpoch())
                            .setClientId(m.clientId == null ? "" : m.clientId)
                            .setClientHost(m.clientHost == null ? "" : m.clientHost)
                            .setSubscribedTopicNames(new ArrayList<>(m.subscribedTopicNames))
                            .setSubscribedTopicRegex(m.subscribedTopicRegex)
                            .setAssignment(describeAssignment(m.assignment.assigned(), names))
                            .setTargetAssignment(describeAssignment(m.target, names))
                            .setMemberType(m.usesClassicProtocol() ? CLASSIC_MEMBER_TYPE : CONSUMER_MEMBER_TYPE));
        }
        return d;
    }

    private static ConsumerGroupDescribeResponseData.Assignment describeAssignment(
            Map<Uuid, Set<Integer>> partitions, Function<Uuid, String> names) {
        List<ConsumerGroupDescribeResponseData.TopicPartitions> out = new ArrayList<>();
        partitions.forEach((id, ps) -> {
            String name = names.apply(id);
            out.add(new ConsumerGroupDescribeResponseData.TopicPartitions()
                    .setTopicId(id)
                    .setTopicName(name == null ? "" : name)
                    .setPartitions(new ArrayList<>(ps)));
        });
        return new ConsumerGroupDescribeResponseData.Assignment().setTopicPartitions(out);
    }

    /** An assignment as ConsumerGroupHeartbeat answers it. */
    static ConsumerGroupHeartbeatResponseData.Assignment assignment(Map<Uuid, Set<Integer>> partitions) {
        List<ConsumerGroupHeartbeatResponseData.TopicPartitions> out = new ArrayList<>();
        partitions.forEach((id, ps) -> out.add(new ConsumerGroupHeartbeatResponseData.TopicPartitions()
                .setTopicId(id)
                .setPartitions(new ArrayList<>(ps))));
        return new ConsumerGroupHeartbeatResponseData.Assignment().setTopicPartitions(out);
    }
}
