package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicView;
import io.strand.server.group.CommittedOffset;
import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * OffsetCommit: a group member's commit (checked against its generation) or a standalone commit
 * (generation -1, the group must have no members, as assign()-mode consumers and admin tools
 * send). Answered once the commit is on every in-sync replica of the group's
 * {@code __consumer_offsets} partition. Topics by name before v10, by id from v10; a partition the
 * metadata does not know gets UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID by id). Needs READ on the
 * group (else GROUP_AUTHORIZATION_FAILED on every partition) and on each topic (else
 * TOPIC_AUTHORIZATION_FAILED on its partitions, whether it exists or not), as Kafka checks.
 */
public record OffsetCommitHandler(GroupCoordinator groups, MetadataCache cache, RequestAuthorization auth)
        implements ApiHandler<OffsetCommitRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_COMMIT;
    }

    @Override
    public CompletionStage<OffsetCommitResponseData> handle(RequestContext ctx, OffsetCommitRequestData request) {
        auth.require(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId());
        short version = ctx.apiVersion();
        boolean byId = version >= 10;
        TopicResolver resolver = new TopicResolver(cache);
        Predicate<String> readable = auth.allowedTopics(
                ctx, AclOperation.READ, request.topics(), t -> resolver.name(t.name(), t.topicId(), byId));
        Map<TopicPartition, CommittedOffset> offsets = new LinkedHashMap<>();
        Map<OffsetCommitRequestData.OffsetCommitRequestTopic, String> names = new HashMap<>();
        Map<String, Errors> refused = new HashMap<>(); // "topicIndex:partition" -> error
        int ti = 0;
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : request.topics()) {
            Optional<TopicView> view = resolver.resolve(t.name(), t.topicId(), byId);
            names.put(t, view.map(TopicView::name).orElse(t.name()));
            boolean denied = !(byId && view.isEmpty()) && !readable.test(names.get(t));
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                if (denied) {
                    refused.put(ti + ":" + p.partitionIndex(), Errors.TOPIC_AUTHORIZATION_FAILED);
                    continue;
                }
                if (view.isEmpty()
                        || p.partitionIndex() < 0
                        || p.partitionIndex() >= view.get().partitionCount()) {
                    refused.put(
                            ti + ":" + p.partitionIndex(),
                            byId && view.isEmpty() ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION);
                    continue;
                }
                offsets.put(
                        new TopicPartition(view.get().name(), p.partitionIndex()),
                        new CommittedOffset(
                                p.committedOffset(),
                                version >= 6 ? p.committedLeaderEpoch() : -1,
                                p.committedMetadata(),
                                -1,
                                -1));
            }
            ti++;
        }
        long retentionMs = version <= 4 ? request.retentionTimeMs() : -1;
        String instanceId = version >= 7 ? request.groupInstanceId() : null;
        return groups.commitOffsets(
                        request.groupId(),
                        request.memberId(),
                        instanceId,
                        request.generationIdOrMemberEpoch(),
                        retentionMs,
                        offsets,
                        version)
                .thenApply(errors -> {
                    OffsetCommitResponseData response = new OffsetCommitResponseData();
                    int i = 0;
                    for (OffsetCommitRequestData.OffsetCommitRequestTopic t : request.topics()) {
                        OffsetCommitResponseTopic rt = new OffsetCommitResponseTopic()
                                .setName(names.get(t))
                                .setTopicId(t.topicId());
                        for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                            Errors e = refused.get(i + ":" + p.partitionIndex());
                            if (e == null) {
                                e = errors.getOrDefault(
                                        new TopicPartition(names.get(t), p.partitionIndex()), Errors.NONE);
                            }
                            rt.partitions()
                                    .add(new OffsetCommitResponsePartition()
                                            .setPartitionIndex(p.partitionIndex())
                                            .setErrorCode(e.code()));
                        }
                        response.topics().add(rt);
                        i++;
                    }
                    return response;
                });
    }
}
