package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.share.ShareGroupOffsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * DeleteGroups: removes empty groups with their committed offsets (a share group: its start offsets in
 * {@code __share_group_state} first; tombstones in
 * {@code __consumer_offsets}); NON_EMPTY_GROUP while a group has members, GROUP_ID_NOT_FOUND for an
 * unknown one.
 */
public record DeleteGroupsHandler(GroupCoordinator groups, ShareGroupOffsets shareOffsets)
        implements ApiHandler<DeleteGroupsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_GROUPS;
    }

    @Override
    public CompletionStage<DeleteGroupsResponseData> handle(RequestContext ctx, DeleteGroupsRequestData request) {
        short version = ctx.apiVersion();
        List<CompletableFuture<DeletableGroupResult>> results = new ArrayList<>();
        for (String g : new LinkedHashSet<>(request.groupsNames())) {
            results.add(shareOffsets
                    .deleteAll(g)
                    .thenCompose(e -> e == Errors.NONE ? groups.deleteGroup(g) : CompletableFuture.completedFuture(e))
                    .thenApply(e -> new DeletableGroupResult()
                            .setGroupId(g)
                            .setErrorCode(e.code())
                            .setErrorMessage(version >= 3 && e != Errors.NONE ? e.message() : null)));
        }
        return Batches.collect(results, DeleteGroupsResponseData::new, DeleteGroupsResponseData::results);
    }
}
