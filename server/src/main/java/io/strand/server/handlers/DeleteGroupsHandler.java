package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.share.ShareGroupOffsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
            results.add(deleteShareState(g)
                    .thenCompose(e -> e == Errors.NONE ? groups.deleteGroup(g) : CompletableFuture.completedFuture(e))
                    .thenApply(e -> new DeletableGroupResult()
                            .setGroupId(g)
                            .setErrorCode(e.code())
                            .setErrorMessage(version >= 3 && e != Errors.NONE ? e.message() : null)));
        }
        return Batches.collect(results, DeleteGroupsResponseData::new, DeleteGroupsResponseData::results);
    }

    /**
     * A share group's start offsets in {@code __share_group_state}, deleted first (as Kafka does), so
     * that a new group of the same id starts afresh: NONE when done or when {@code groupId} is no share
     * group, NON_EMPTY_GROUP while it has members.
     */
    private CompletableFuture<Errors> deleteShareState(String groupId) {
        return groups.serverAssigned().shareGroupTopics(groupId).thenCompose(topics -> {
            if (topics.isEmpty()) {
                return CompletableFuture.completedFuture(Errors.NONE);
            }
            return groups.serverAssigned()
                    .checkShareGroupEmpty(groupId)
                    .thenCompose(empty -> empty == Errors.NONE
                            ? deleteState(groupId, topics)
                            : CompletableFuture.completedFuture(empty));
        });
    }

    private CompletableFuture<Errors> deleteState(String groupId, Set<String> topics) {
        List<CompletableFuture<Errors>> parts = new ArrayList<>();
        for (String t : topics) {
            shareOffsets.topic(t).ifPresent(view -> parts.add(shareOffsets.delete(groupId, view)));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(v -> parts.stream()
                        .map(CompletableFuture::join)
                        .filter(e -> e != Errors.NONE)
                        .findFirst()
                        .orElse(Errors.NONE));
    }
}
