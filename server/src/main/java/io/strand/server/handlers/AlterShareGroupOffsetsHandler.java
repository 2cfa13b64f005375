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
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * AlterShareGroupOffsets ({@code kafka-share-groups --reset-offsets}): sets each partition's share
 * start offset (a new state epoch at the share coordinator, nothing in flight). The group must have no
 * members (NON_EMPTY_GROUP otherwise). An unknown topic is UNKNOWN_TOPIC_OR_PARTITION per partition. As
 * Kafka checks: needs READ on the group (else GROUP_AUTHORIZATION_FAILED) and READ on each topic (else
 * TOPIC_AUTHORIZATION_FAILED on its partitions, whether it exists or not).
 */
public record AlterShareGroupOffsetsHandler(ShareGroupOffsets offsets, RequestAuthorization auth)
        implements ApiHandler<AlterShareGroupOffsetsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_SHARE_GROUP_OFFSETS;
    }

    @Override
    public CompletionStage<AlterShareGroupOffsetsResponseData> handle(
            RequestContext ctx, AlterShareGroupOffsetsRequestData request) {
        auth.require(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId());
        Predicate<String> readable = auth.allowedTopics(
                ctx,
                AclOperation.READ,
                request.topics(),
                AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic::topicName);
        AlterShareGroupOffsetsResponseData response = new AlterShareGroupOffsetsResponseData();
        return offsets.mayChange(request.groupId()).thenCompose(refused -> {
            if (refused != Errors.NONE) {
                return CompletableFuture.completedFuture(
                        response.setErrorCode(refused.code()).setErrorMessage(refused.message()));
            }
            List<CompletableFuture<AlterShareGroupOffsetsResponseTopic>> topics = new ArrayList<>();
            for (var t : request.topics()) {
                boolean denied = !readable.test(t.topicName());
                Optional<TopicView> view = denied ? Optional.empty() : offsets.topic(t.topicName());
                List<CompletableFuture<AlterShareGroupOffsetsResponsePartition>> parts = new ArrayList<>();
                for (var p : t.partitions()) {
                    CompletableFuture<Errors> r = view.isEmpty()
                            ? CompletableFuture.completedFuture(
                                    denied ? Errors.TOPIC_AUTHORIZATION_FAILED : Errors.UNKNOWN_TOPIC_OR_PARTITION)
                            : offsets.alter(request.groupId(), view.get(), p.partitionIndex(), p.startOffset());
                    parts.add(r.thenApply(e -> new AlterShareGroupOffsetsResponsePartition()
                            .setPartitionIndex(p.partitionIndex())
                            .setErrorCode(e.code())
                            .setErrorMessage(e == Errors.NONE ? null : e.message())));
                }
                Uuid id = view.map(TopicView::topicId).orElse(Uuid.ZERO_UUID);
                topics.add(Batches.allInOrder(parts)
                        .thenApply(ps -> new AlterShareGroupOffsetsResponseTopic()
                                .setTopicName(t.topicName())
                                .setTopicId(id)
                                .setPartitions(ps)));
            }
            return Batches.allInOrder(topics).thenApply(ts -> {
                ts.forEach(response.responses()::add);
                return response;
            });
        });
    }
}
