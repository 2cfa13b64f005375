package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * ConsumerGroupHeartbeat (KIP-848): a consumer-group member joins, heartbeats, learns its assignment
 * and leaves; the coordinator assigns partitions itself. Registered only when
 * {@code group.coordinator.rebalance.protocols} contains {@code consumer}.
 */
public record ConsumerGroupHeartbeatHandler(GroupCoordinator groups)
        implements ApiHandler<ConsumerGroupHeartbeatRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CONSUMER_GROUP_HEARTBEAT;
    }

    @Override
    public CompletionStage<ConsumerGroupHeartbeatResponseData> handle(
            RequestContext ctx, ConsumerGroupHeartbeatRequestData request) {
        return groups.serverAssigned().consumerGroupHeartbeat(GroupHandlers.client(ctx), ctx.apiVersion(), request);
    }
}
