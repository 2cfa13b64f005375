package io.strand.server.handlers;

import io.strand.coordinator.TopicView;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.share.ShareGroupOffsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DeleteShareGroupOffsets ({@code kafka-share-groups --delete-offsets}): removes the group's share state
 * on every partition of each topic; the next member starts over as a new group would. The group must
 * have no members (NON_EMPTY_GROUP otherwise); an unknown topic is UNKNOWN_TOPIC_OR_PARTITION. As Kafka
 * checks: needs DELETE on the group (else GROUP_AUTHORIZATION_FAILED) and READ on each topic (else
 * TOPIC_AUTHORIZATION_FAILED, whether it exists or not).
 */
public record DeleteShareGroupOffsetsHandler(ShareGroupOffsets offsets, RequestAuthorization auth)
        implements ApiHandler<DeleteShareGroupOffsetsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_SHARE_GROUP_OFFSETS;
    }

    @Override
    public CompletionStage<DeleteShareGroupOffsetsResponseData> handle(
            RequestContext ctx, DeleteShareGroupOffsetsRequestData request) {
        auth.require(ctx, AclOperation.DELETE, ResourceType.GROUP, request.groupId());
        Predicate<String> readable = auth.allowedTopics(
                ctx,
                AclOperation.READ,
                request.topics(),
                DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic::topicName);
        DeleteShareGroupOffsetsResponseData response = new DeleteShareGroupOffsetsResponseData();
        return offsets.mayChange(request.groupId()).thenCompose(refused -> {
            if (refused != Errors.NONE) {
                return CompletableFuture.completedFuture(
                        response.setErrorCode(refused.code()).setErrorMessage(refused.message()));
            }
            List<CompletableFuture<DeleteShareGroupOffsetsResponseTopic>> topics = new ArrayList<>();
            for (var t : request.topics()) {
                boolean denied = !readable.test(t.topicName());
                Optional<TopicView> view = denied ? Optional.empty() : offsets.topic(t.topicName());
                CompletableFuture<Errors> r = view.isEmpty()
                        ? CompletableFuture.completedFuture(
                                denied ? Errors.TOPIC_AUTHORIZATION_FAILED : Errors.UNKNOWN_TOPIC_OR_PARTITION)
                        : offsets.delete(request.groupId(), view.get());
                Uuid id = view.map(TopicView::topicId).orElse(Uuid.ZERO_UUID);
                topics.add(r.thenApply(e -> new DeleteShareGroupOffsetsResponseTopic()
                        .setTopicName(t.topicName())
                        .setTopicId(id)
                        .setErrorCode(e.code())
                        .setErrorMessage(e == Errors.NONE ? null : e.message())));
            }
            return Batches.allInOrder(topics).thenApply(response::setResponses);
        });
    }
}
