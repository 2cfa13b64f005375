package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.group.GroupState;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeGroups: state, protocol and members of each group this broker coordinates (member
 * metadata and assignments only when Stable, as Kafka). An unknown group is GROUP_ID_NOT_FOUND from
 * v6 (KIP-1043), state Dead without an error before. Authorized operations are not computed.
 */
public record DescribeGroupsHandler(GroupCoordinator groups) implements ApiHandler<DescribeGroupsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_GROUPS;
    }

    @Override
    public CompletionStage<DescribeGroupsResponseData> handle(RequestContext ctx, DescribeGroupsRequestData request) {
        short version = ctx.apiVersion();
        List<CompletableFuture<DescribedGroup>> described = new ArrayList<>();
        request.groups().forEach(g -> described.add(groups.describeGroup(g)));
        return Batches.allInOrder(described).thenApply(answers -> {
            DescribeGroupsResponseData response = new DescribeGroupsResponseData();
            for (DescribedGroup d : answers) {
                if (version < 6 && d.errorCode() == Errors.GROUP_ID_NOT_FOUND.code()) {
                    d.setErrorCode(Errors.NONE.code()).setGroupState(GroupState.DEAD.kafkaName());
                }
                if (version >= 6 && d.errorCode() != Errors.NONE.code()) {
                    d.setErrorMessage(Errors.forCode(d.errorCode()).message());
                }
                response.groups().add(d);
            }
            return response;
        });
    }
}
