package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * ConsumerGroupDescribe (KIP-848): members with their subscriptions, current and target assignments,
 * and the group's epochs. A classic group gets GROUP_ID_NOT_FOUND, on which Kafka's Admin describes
 * it with DescribeGroups instead.
 */
public record ConsumerGroupDescribeHandler(GroupCoordinator groups)
        implements ApiHandler<ConsumerGroupDescribeRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CONSUMER_GROUP_DESCRIBE;
    }

    @Override
    public CompletionStage<ConsumerGroupDescribeResponseData> handle(
            RequestContext ctx, ConsumerGroupDescribeRequestData request) {
        List<CompletableFuture<DescribedGroup>> described = new ArrayList<>();
        request.groupIds().forEach(g -> described.add(groups.serverAssigned().consumerGroupDescribe(g)));
        return Batches.allInOrder(described).thenApply(answers -> {
            ConsumerGroupDescribeResponseData response = new ConsumerGroupDescribeResponseData();
            response.groups().addAll(answers);
            return response;
        });
    }
}
