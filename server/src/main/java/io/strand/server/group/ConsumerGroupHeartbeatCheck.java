package io.strand.server.group;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData.TopicPartitions;

/**
 * The checks of a ConsumerGroupHeartbeat that need no group state (Kafka's
 * {@code throwIfConsumerGroupHeartbeatRequestIsInvalid}): a joining member sends every field, a member
 * with an epoch names itself, a static leave names its instance, the assignor and the regular
 * expression are known and valid. Stateless.
 */
final class ConsumerGroupHeartbeatCheck {
    private ConsumerGroupHeartbeatCheck() {}

    /** How an unknown assignor's message starts (answered UNSUPPORTED_ASSIGNOR). */
    static final String UNSUPPORTED_ASSIGNOR = "Unsupported assignor";

    /** How an invalid regular expression's message starts (answered INVALID_REGULAR_EXPRESSION). */
    static final String INVALID_REGEX = "Invalid regular expression";

    /** Null if {@code r} may go to the group, else why not (INVALID_REQUEST unless the message says otherwise). */
    static String invalid(ConsumerGroupHeartbeatRequestData r, short version, ConsumerGroupConfig config) {
        if (r.groupId() == null || r.groupId().isEmpty()) {
            return "GroupId can't be empty.";
        }
        if (r.instanceId() != null && r.instanceId().isEmpty()) {
            return "InstanceId can't be empty.";
        }
        if (r.rackId() != null && r.rackId().isEmpty()) {
            return "RackId can't be empty.";
        }
        boolean noMemberId = r.memberId() == null || r.memberId().isEmpty();
        if (version >= 1 && noMemberId) {
            return "MemberId can't be empty.";
        }
        if (r.memberEpoch() == 0) {
            if (r.rebalanceTimeoutMs() == -1) {
                return "RebalanceTimeoutMs must be provided in first request.";
            }
            if (r.topicPartitions() == null || !r.topicPartitions().isEmpty()) {
                return "TopicPartitions must be empty when (re-)joining.";
            }
            if (r.subscribedTopicNames() == null && (version < 1 || r.subscribedTopicRegex() == null)) {
                return "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.";
            }
        } else if (r.memberEpoch() > 0 || r.memberEpoch() == ConsumerGroupMember.LEAVE_EPOCH) {
            if (noMemberId) {
                return "MemberId can't be empty.";
            }
        } else if (r.memberEpoch() == ConsumerGroupMember.STATIC_LEAVE_EPOCH) {
            if (noMemberId) {
                return "MemberId can't be empty.";
            }
            if (r.instanceId() == null) {
                return "InstanceId can't be null when leaving with epoch -2.";
            }
        } else {
            return "MemberEpoch is invalid.";
        }
        if (r.serverAssignor() != null
                && !config.assignors().contains(ConsumerGroupConfig.shortAssignorName(r.serverAssignor()))) {
            return UNSUPPORTED_ASSIGNOR + " " + r.serverAssignor() + "; this broker's are " + config.assignors();
        }
        if (version >= 1
                && r.subscribedTopicRegex() != null
                && !r.subscribedTopicRegex().isEmpty()) {
            String why = SubscribedTopics.invalidRegex(r.subscribedTopicRegex());
            if (why != null) {
                return INVALID_REGEX + " " + r.subscribedTopicRegex() + ": " + why;
            }
        }
        return null;
    }

    /** The partitions the member says it owns; null if it did not say. */
    static Map<Uuid, Set<Integer>> owned(List<TopicPartitions> owned) {
        if (owned == null) {
            return null;
        }
        Map<Uuid, Set<Integer>> out = new LinkedHashMap<>();
        for (TopicPartitions t : owned) {
            out.computeIfAbsent(t.topicId(), k -> new HashSet<>()).addAll(t.partitions());
        }
        return io.strand.server.group.TopicPartitions.copyOf(out);
    }
}
