package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ShareGroupDescribeRequestData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;

/** ShareGroupDescribe (KIP-932): a share group's members, their subscriptions and partitions, and its epochs. */
public record ShareGroupDescribeHandler(GroupCoordinator groups) implements ApiHandler<ShareGroupDescribeRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_GROUP_DESCRIBE;
    }

    @Override
    public CompletionStage<ShareGroupDescribeResponseData> handle(
            RequestContext ctx, ShareGroupDescribeRequestData request) {
        List<CompletableFuture<DescribedGroup>> described = new ArrayList<>();
        request.groupIds().forEach(g -> described.add(groups.serverAssigned().shareGroupDescribe(g)));
        return Batches.allInOrder(described).thenApply(answers -> {
            ShareGroupDescribeResponseData response = new ShareGroupDescribeResponseData();
            response.groups().addAll(answers);
            return response;
        });
    }
}
