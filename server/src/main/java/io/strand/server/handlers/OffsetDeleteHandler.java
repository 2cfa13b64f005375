package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * OffsetDelete: removes committed offsets of a group, except those of topics an active consumer
 * group subscribes to (GROUP_SUBSCRIBED_TO_TOPIC); NON_EMPTY_GROUP for an active group of another
 * protocol type, GROUP_ID_NOT_FOUND for an unknown group. Needs DELETE on the group (else
 * GROUP_AUTHORIZATION_FAILED) and READ on each topic (else TOPIC_AUTHORIZATION_FAILED on its
 * partitions, whether it exists or not), as Kafka checks.
 */
public record OffsetDeleteHandler(GroupCoordinator groups, MetadataCache cache, RequestAuthorization auth)
        implements ApiHandler<OffsetDeleteRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_DELETE;
    }

    @Override
    public CompletionStage<OffsetDeleteResponseData> handle(RequestContext ctx, OffsetDeleteRequestData request) {
        auth.require(ctx, AclOperation.DELETE, ResourceType.GROUP, request.groupId());
        Predicate<String> readable = auth.allowedTopics(
                ctx, AclOperation.READ, request.topics(), OffsetDeleteRequestData.OffsetDeleteRequestTopic::name);
        List<TopicPartition> known = new ArrayList<>();
        for (OffsetDeleteRequestData.OffsetDeleteRequestTopic t : request.topics()) {
            for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : t.partitions()) {
                if (readable.test(t.name()) && exists(t.name(), p.partitionIndex())) {
                    known.add(new TopicPartition(t.name(), p.partitionIndex()));
                }
            }
        }
        return groups.deleteOffsets(request.groupId(), known).thenApply(r -> {
            OffsetDeleteResponseData response =
                    new OffsetDeleteResponseData().setErrorCode(r.error().code());
            if (r.error() != Errors.NONE) {
                return response;
            }
            for (OffsetDeleteRequestData.OffsetDeleteRequestTopic t : request.topics()) {
                OffsetDeleteResponseTopic rt = response.topics().find(t.name());
                if (rt == null) {
                    rt = new OffsetDeleteResponseTopic().setName(t.name());
                    response.topics().add(rt);
                }
                for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : t.partitions()) {
                    Errors e = !readable.test(t.name())
                            ? Errors.TOPIC_AUTHORIZATION_FAILED
                            : exists(t.name(), p.partitionIndex())
                                    ? r.partitions()
                                            .getOrDefault(new TopicPartition(t.name(), p.partitionIndex()), Errors.NONE)
                                    : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    if (rt.partitions().find(p.partitionIndex()) == null) {
                        rt.partitions()
                                .add(new OffsetDeleteResponsePartition()
                                        .setPartitionIndex(p.partitionIndex())
                                        .setErrorCode(e.code()));
                    }
                }
            }
            return response;
        });
    }

    private boolean exists(String topic, int partition) {
        return cache.topic(topic)
                .map(v -> partition >= 0 && partition < v.partitionCount())
                .orElse(false);
    }
}
