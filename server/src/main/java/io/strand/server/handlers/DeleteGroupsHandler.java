package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.share.ShareGroupOffsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DeleteGroups: removes empty groups with their committed offsets (a share group: its start offsets in
 * {@code __share_group_state} first; tombstones in
 * {@code __consumer_offsets}); NON_EMPTY_GROUP while a group has members, GROUP_ID_NOT_FOUND for an
 * unknown one. Each group needs DELETE (else GROUP_AUTHORIZATION_FAILED), as Kafka checks.
 */
public record DeleteGroupsHandler(GroupCoordinator groups, ShareGroupOffsets shareOffsets, RequestAuthorization auth)
        implements ApiHandler<DeleteGroupsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_GROUPS;
    }

    @Override
    public CompletionStage<DeleteGroupsResponseData> handle(RequestContext ctx, DeleteGroupsRequestData request) {
        short version = ctx.apiVersion();
        List<CompletableFuture<DeletableGroupResult>> results = new ArrayList<>();
        Set<String> named = new LinkedHashSet<>(request.groupsNames());
        Predicate<String> deletable =
                auth.allowedNames(ctx, AclOperation.DELETE, ResourceType.GROUP, named, g -> g, true);
        for (String g : named) {
            CompletableFuture<Errors> deleted = !deletable.test(g)
                    ? CompletableFuture.completedFuture(Errors.GROUP_AUTHORIZATION_FAILED)
                    : shareOffsets
                            .deleteAll(g)
                            .thenCompose(e ->
                                    e == Errors.NONE ? groups.deleteGroup(g) : CompletableFuture.completedFuture(e));
            results.add(deleted.thenApply(e -> new DeletableGroupResult()
                    .setGroupId(g)
                    .setErrorCode(e.code())
                    .setErrorMessage(version >= 3 && e != Errors.NONE ? e.message() : null)));
        }
        return Batches.collect(results, DeleteGroupsResponseData::new, DeleteGroupsResponseData::results);
    }
}
