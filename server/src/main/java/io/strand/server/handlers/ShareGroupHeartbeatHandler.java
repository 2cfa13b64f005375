package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ShareGroupHeartbeat (KIP-932): a share-group member joins, heartbeats, learns the partitions it
 * reads, and leaves. Registered only when {@code group.coordinator.rebalance.protocols} contains
 * {@code share}.
 * Needs READ on the group (else GROUP_AUTHORIZATION_FAILED) and DESCRIBE on every topic it subscribes
 * to by name (else TOPIC_AUTHORIZATION_FAILED), as Kafka checks.
 */
public record ShareGroupHeartbeatHandler(GroupCoordinator groups, RequestAuthorization auth)
        implements ApiHandler<ShareGroupHeartbeatRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_GROUP_HEARTBEAT;
    }

    @Override
    public CompletionStage<ShareGroupHeartbeatResponseData> handle(
            RequestContext ctx, ShareGroupHeartbeatRequestData request) {
        auth.require(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId());
        if (!GroupHandlers.mayDescribeAll(auth, ctx, request.subscribedTopicNames())) {
            return CompletableFuture.completedFuture(
                    new ShareGroupHeartbeatResponseData().setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        }
        return groups.serverAssigned().shareGroupHeartbeat(GroupHandlers.client(ctx), request);
    }
}
