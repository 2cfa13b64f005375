package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Heartbeat (classic protocol): keeps a member's session; REBALANCE_IN_PROGRESS tells it to rejoin.
 * Needs READ on the group (else GROUP_AUTHORIZATION_FAILED), as Kafka checks.
 */
public record HeartbeatHandler(GroupCoordinator groups, RequestAuthorization auth)
        implements ApiHandler<HeartbeatRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.HEARTBEAT;
    }

    @Override
    public CompletionStage<HeartbeatResponseData> handle(RequestContext ctx, HeartbeatRequestData request) {
        auth.require(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId());
        String instanceId = ctx.apiVersion() >= 3 ? request.groupInstanceId() : null;
        return groups.heartbeat(request.groupId(), request.memberId(), instanceId, request.generationId())
                .thenApply(e -> new HeartbeatResponseData().setErrorCode(e.code()));
    }
}
