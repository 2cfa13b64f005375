package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * SyncGroup (classic protocol): the leader hands in the assignment, which is stored in
 * {@code __consumer_offsets} before any member gets its part; a follower's response waits, as a
 * future, for that.
 */
public record SyncGroupHandler(GroupCoordinator groups) implements ApiHandler<SyncGroupRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SYNC_GROUP;
    }

    @Override
    public CompletionStage<SyncGroupResponseData> handle(RequestContext ctx, SyncGroupRequestData request) {
        return groups.syncGroup(request);
    }
}
