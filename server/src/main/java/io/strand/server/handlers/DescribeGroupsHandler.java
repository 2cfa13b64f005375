package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.group.GroupState;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeGroups: state, protocol and members of each group this broker coordinates (member
 * metadata and assignments only when Stable, as Kafka). An unknown group is GROUP_ID_NOT_FOUND from
 * v6 (KIP-1043), state Dead without an error before. Each group needs DESCRIBE (else
 * GROUP_AUTHORIZATION_FAILED), as Kafka checks; a group's authorized operations are computed when
 * asked (v3+) and an authorizer is configured.
 */
public record DescribeGroupsHandler(GroupCoordinator groups, RequestAuthorization auth)
        implements ApiHandler<DescribeGroupsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_GROUPS;
    }

    @Override
    public CompletionStage<DescribeGroupsResponseData> handle(RequestContext ctx, DescribeGroupsRequestData request) {
        short version = ctx.apiVersion();
        List<CompletableFuture<DescribedGroup>> described = new ArrayList<>();
        request.groups()
                .forEach(g -> described.add(
                        auth.allowed(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g)
                                ? groups.describeGroup(g)
                                : CompletableFuture.completedFuture(
                                        DescribeGroupsResponse.groupError(g, Errors.GROUP_AUTHORIZATION_FAILED)
                                                .setErrorMessage(null))));
        boolean withOperations = version >= 3 && request.includeAuthorizedOperations() && auth.enabled();
        return Batches.allInOrder(described).thenApply(answers -> {
            DescribeGroupsResponseData response = new DescribeGroupsResponseData();
            for (DescribedGroup d : answers) {
                if (version < 6 && d.errorCode() == Errors.GROUP_ID_NOT_FOUND.code()) {
                    d.setErrorCode(Errors.NONE.code()).setGroupState(GroupState.DEAD.kafkaName());
                }
                if (version >= 6 && d.errorCode() != Errors.NONE.code()) {
                    d.setErrorMessage(Errors.forCode(d.errorCode()).message());
                }
                if (withOperations && d.errorCode() == Errors.NONE.code()) {
                    d.setAuthorizedOperations(auth.authorizedOperations(ctx, ResourceType.GROUP, d.groupId()));
                }
                response.groups().add(d);
            }
            return response;
        });
    }
}
