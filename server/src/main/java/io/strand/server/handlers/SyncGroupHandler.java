package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.resource.ResourceType;

/**
 * SyncGroup (classic protocol): the leader hands in the assignment, which is stored in
 * {@code __consumer_offsets} before any member gets its part; a follower's response waits, as a
 * future, for that.
 * Needs READ on the group (else GROUP_AUTHORIZATION_FAILED), as Kafka checks.
 */
public record SyncGroupHandler(GroupCoordinator groups, RequestAuthorization auth)
        implements ApiHandler<SyncGroupRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SYNC_GROUP;
    }

    @Override
    public CompletionStage<SyncGroupResponseData> handle(RequestContext ctx, SyncGroupRequestData request) {
        auth.require(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId());
        return groups.syncGroup(request);
    }
}
