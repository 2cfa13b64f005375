package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ConsumerGroupHeartbeat (KIP-848): a consumer-group member joins, heartbeats, learns its assignment
 * and leaves; the coordinator assigns partitions itself. Registered only when
 * {@code group.coordinator.rebalance.protocols} contains {@code consumer}.
 * Needs READ on the group (else GROUP_AUTHORIZATION_FAILED) and DESCRIBE on every topic it subscribes
 * to by name (else TOPIC_AUTHORIZATION_FAILED), as Kafka checks.
 */
public record ConsumerGroupHeartbeatHandler(GroupCoordinator groups, RequestAuthorization auth)
        implements ApiHandler<ConsumerGroupHeartbeatRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CONSUMER_GROUP_HEARTBEAT;
    }

    @Override
    public CompletionStage<ConsumerGroupHeartbeatResponseData> handle(
            RequestContext ctx, ConsumerGroupHeartbeatRequestData request) {
        auth.require(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId());
        if (!GroupHandlers.mayDescribeAll(auth, ctx, request.subscribedTopicNames())) {
            return CompletableFuture.completedFuture(
                    new ConsumerGroupHeartbeatResponseData().setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        }
        return groups.serverAssigned().consumerGroupHeartbeat(GroupHandlers.client(ctx), ctx.apiVersion(), request);
    }
}
