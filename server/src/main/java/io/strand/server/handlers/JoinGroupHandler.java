package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.resource.ResourceType;

/**
 * JoinGroup (classic protocol). The response waits, as a future, until the group's join phase
 * completes (every member rejoined, the rebalance timeout, or the initial rebalance delay). From v4
 * a member without an id first gets MEMBER_ID_REQUIRED with its id (KIP-394); from v5 a
 * {@code group.instance.id} makes it a static member.
 * Needs READ on the group (else GROUP_AUTHORIZATION_FAILED), as Kafka checks.
 */
public record JoinGroupHandler(GroupCoordinator groups, RequestAuthorization auth)
        implements ApiHandler<JoinGroupRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.JOIN_GROUP;
    }

    @Override
    public CompletionStage<JoinGroupResponseData> handle(RequestContext ctx, JoinGroupRequestData request) {
        auth.require(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId());
        short version = ctx.apiVersion();
        return groups.joinGroup(GroupHandlers.client(ctx), version, request).thenApply(r -> {
            if (version < 7 && r.protocolName() == null) {
                r.setProtocolName("");
            }
            if (version < 9 && r.skipAssignment()) {
                // before KIP-814 a rejoining static leader must not learn it leads, or it would reassign
                r.setSkipAssignment(false).setLeader("").members().clear();
            }
            return r;
        });
    }
}
