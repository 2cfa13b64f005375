package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * ShareGroupHeartbeat (KIP-932): a share-group member joins, heartbeats, learns the partitions it
 * reads, and leaves. Registered only when {@code group.coordinator.rebalance.protocols} contains
 * {@code share}.
 */
public record ShareGroupHeartbeatHandler(GroupCoordinator groups)
        implements ApiHandler<ShareGroupHeartbeatRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_GROUP_HEARTBEAT;
    }

    @Override
    public CompletionStage<ShareGroupHeartbeatResponseData> handle(
            RequestContext ctx, ShareGroupHeartbeatRequestData request) {
        return groups.serverAssigned().shareGroupHeartbeat(GroupHandlers.client(ctx), request);
    }
}
