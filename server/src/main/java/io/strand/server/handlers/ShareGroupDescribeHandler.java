package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ShareGroupDescribeRequestData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ShareGroupDescribe (KIP-932): a share group's members, their subscriptions and partitions, and its epochs.
 * As Kafka checks: a group needs DESCRIBE (else GROUP_AUTHORIZATION_FAILED); a group whose assignments
 * name a topic the principal may not DESCRIBE is TOPIC_AUTHORIZATION_FAILED without its members.
 * Authorized operations are computed when asked and an authorizer is configured.
 */
public record ShareGroupDescribeHandler(GroupCoordinator groups, RequestAuthorization auth)
        implements ApiHandler<ShareGroupDescribeRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_GROUP_DESCRIBE;
    }

    @Override
    public CompletionStage<ShareGroupDescribeResponseData> handle(
            RequestContext ctx, ShareGroupDescribeRequestData request) {
        List<CompletableFuture<DescribedGroup>> described = new ArrayList<>();
        request.groupIds()
                .forEach(g -> described.add(
                        auth.allowed(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g)
                                ? groups.serverAssigned().shareGroupDescribe(g)
                                : CompletableFuture.completedFuture(new DescribedGroup()
                                        .setGroupId(g)
                                        .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()))));
        return Batches.allInOrder(described).thenApply(answers -> {
            if (request.includeAuthorizedOperations() && auth.enabled()) {
                answers.stream()
                        .filter(d -> d.errorCode() == Errors.NONE.code())
                        .forEach(d -> d.setAuthorizedOperations(
                                auth.authorizedOperations(ctx, ResourceType.GROUP, d.groupId())));
            }
            ShareGroupDescribeResponseData response = new ShareGroupDescribeResponseData();
            response.groups()
                    .addAll(GroupHandlers.withoutHiddenTopics(
                            auth,
                            ctx,
                            answers,
                            ShareGroupDescribeHandler::topicsOf,
                            d -> new DescribedGroup()
                                    .setGroupId(d.groupId())
                                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                                    .setErrorMessage(GroupHandlers.HIDDEN_TOPICS)));
            return response;
        });
    }

    /** The topics of the members' assignments. */
    private static Stream<String> topicsOf(DescribedGroup g) {
        return g.members().stream()
                .flatMap(m -> m.assignment().topicPartitions().stream())
                .map(ShareGroupDescribeResponseData.TopicPartitions::topicName);
    }
}
