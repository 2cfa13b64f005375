package io.strand.server.group;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The group APIs of the protocols in which the coordinator assigns the partitions itself:
 * ConsumerGroupHeartbeat and ConsumerGroupDescribe (KIP-848), ShareGroupHeartbeat and
 * ShareGroupDescribe (KIP-932). Like {@link GroupCoordinator}, whose routing it uses, it checks what
 * needs no group state and runs the rest on the group's shard ({@link ConsumerGroupManager},
 * {@link ShareGroupManager}).
 *
 * <p>Thread-safe: called from request threads; returns futures.
 */
public final class ServerAssignedGroups {
    private final GroupCoordinator coordinator;

    ServerAssignedGroups(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    /** ConsumerGroupHeartbeat, checked for what needs no group state first (Kafka's request checks). */
    public CompletableFuture<ConsumerGroupHeartbeatResponseData> consumerGroupHeartbeat(
            GroupCoordinator.Client client, short version, ConsumerGroupHeartbeatRequestData req) {
        String invalid = ConsumerGroupHeartbeatCheck.invalid(
                req, version, coordinator.config().consumer());
        if (invalid != null) {
            Errors e = invalid.startsWith(ConsumerGroupHeartbeatCheck.UNSUPPORTED_ASSIGNOR)
                    ? Errors.UNSUPPORTED_ASSIGNOR
                    : invalid.startsWith(ConsumerGroupHeartbeatCheck.INVALID_REGEX)
                            ? Errors.INVALID_REGULAR_EXPRESSION
                            : Errors.INVALID_REQUEST;
            return CompletableFuture.completedFuture(ConsumerGroupManager.error(e, invalid));
        }
        String memberId =
                version == 0 && req.memberEpoch() == 0 && req.memberId().isEmpty()
                        ? Uuid.randomUuid().toString() // v0: the coordinator names a joining member
                        : req.memberId();
        ConsumerGroupManager.HeartbeatRequest r = new ConsumerGroupManager.HeartbeatRequest(
                req.groupId(),
                memberId,
                req.memberEpoch(),
                req.instanceId(),
                req.rackId(),
                req.rebalanceTimeoutMs(),
                req.subscribedTopicNames(),
                version >= 1 ? req.subscribedTopicRegex() : null,
                req.serverAssignor() == null ? null : ConsumerGroupConfig.shortAssignorName(req.serverAssignor()),
                ConsumerGroupHeartbeatCheck.owned(req.topicPartitions()),
                client.clientId() == null ? "" : client.clientId(),
                client.clientHost(),
                client.requester());
        return coordinator.onShard(
                req.groupId(), e -> ConsumerGroupManager.error(e, e.message()), s -> s.consumerGroups.heartbeat(r));
    }

    /** ConsumerGroupDescribe for one group. */
    public CompletableFuture<ConsumerGroupDescribeResponseData.DescribedGroup> consumerGroupDescribe(String groupId) {
        Function<Errors, ConsumerGroupDescribeResponseData.DescribedGroup> error =
                e -> new ConsumerGroupDescribeResponseData.DescribedGroup()
                        .setGroupId(groupId)
                        .setErrorCode(e.code())
                        .setErrorMessage(e.message());
        if (GroupCoordinator.invalidGroupId(groupId, false)) {
            return CompletableFuture.completedFuture(error.apply(Errors.INVALID_GROUP_ID));
        }
        return coordinator.onShardNow(
                groupId, error, s -> ConsumerGroupDescriber.describe(s.groups, groupId, coordinator::topicName));
    }

    /**
     * ShareGroupHeartbeat, checked first as Kafka does: a group id and a member id (members name
     * themselves), an epoch of 0 (joining, with its topics), -1 (leaving) or the member's own.
     */
    public CompletableFuture<ShareGroupHeartbeatResponseData> shareGroupHeartbeat(
            GroupCoordinator.Client client, ShareGroupHeartbeatRequestData req) {
        String invalid = null;
        if (req.groupId() == null || req.groupId().isEmpty()) {
            invalid = "GroupId can't be empty.";
        } else if (req.memberId() == null || req.memberId().isEmpty()) {
            invalid = "MemberId can't be empty.";
        } else if (req.rackId() != null && req.rackId().isEmpty()) {
            invalid = "RackId can't be empty.";
        } else if (req.memberEpoch() < ConsumerGroupMember.LEAVE_EPOCH) {
            invalid = "MemberEpoch is invalid.";
        } else if (req.memberEpoch() == 0
                && (req.subscribedTopicNames() == null
                        || req.subscribedTopicNames().isEmpty())) {
            invalid = "SubscribedTopicNames must be set in first request.";
        }
        if (invalid != null) {
            return CompletableFuture.completedFuture(ShareGroupManager.error(Errors.INVALID_REQUEST, invalid));
        }
        ShareGroupManager.HeartbeatRequest r = new ShareGroupManager.HeartbeatRequest(
                req.groupId(),
                req.memberId(),
                req.memberEpoch(),
                req.rackId(),
                req.subscribedTopicNames(),
                client.clientId() == null ? "" : client.clientId(),
                client.clientHost());
        return coordinator.onShard(
                req.groupId(), e -> ShareGroupManager.error(e, e.message()), s -> s.shareGroups.heartbeat(r));
    }

    /** ShareGroupDescribe for one group. */
    public CompletableFuture<ShareGroupDescribeResponseData.DescribedGroup> shareGroupDescribe(String groupId) {
        Function<Errors, ShareGroupDescribeResponseData.DescribedGroup> error =
                e -> new ShareGroupDescribeResponseData.DescribedGroup()
                        .setGroupId(groupId)
                        .setErrorCode(e.code())
                        .setErrorMessage(e.message());
        if (GroupCoordinator.invalidGroupId(groupId, false)) {
            return CompletableFuture.completedFuture(error.apply(Errors.INVALID_GROUP_ID));
        }
        return coordinator.onShardNow(groupId, error, s -> s.shareGroups.describe(groupId, coordinator::topicName));
    }

    /**
     * NONE if the share group {@code groupId} has no members (or does not exist), so that its start
     * offsets may be reset (AlterShareGroupOffsets); NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND for another
     * type of group, or the coordinator errors.
     */
    public CompletableFuture<Errors> checkShareGroupEmpty(String groupId) {
        if (GroupCoordinator.invalidGroupId(groupId, false)) {
            return CompletableFuture.completedFuture(Errors.INVALID_GROUP_ID);
        }
        return coordinator.onShardNow(groupId, e -> e, s -> s.shareGroups.checkEmpty(groupId));
    }

    /**
     * The topics share group {@code groupId} has read (subscribed to at some time; its start offsets
     * there outlive its members); empty if there is no such group.
     */
    public CompletableFuture<java.util.Set<String>> shareGroupTopics(String groupId) {
        if (GroupCoordinator.invalidGroupId(groupId, false)) {
            return CompletableFuture.completedFuture(java.util.Set.of());
        }
        return coordinator.onShardNow(groupId, e -> java.util.Set.of(), s -> {
            ShareGroup g = s.groups.share(groupId);
            return g == null ? java.util.Set.<String>of() : java.util.Set.copyOf(g.readTopics);
        });
    }
}
