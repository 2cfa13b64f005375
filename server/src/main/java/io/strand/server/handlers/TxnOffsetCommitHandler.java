package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicView;
import io.strand.server.group.CommittedOffset;
import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * TxnOffsetCommit: offsets a transactional producer commits for a consumer group inside its
 * transaction (consume-transform-produce, Kafka Streams exactly_once_v2). They are written to the
 * group's {@code __consumer_offsets} partition in a transactional batch of the producer, and become
 * the group's committed offsets only when the transaction coordinator's COMMIT marker reaches that
 * partition (an ABORT drops them). From v3 the member id, instance id and generation are checked
 * as for OffsetCommit (KIP-447). Topics by name before v6, by id from v6. A partition the metadata
 * does not know gets UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID by id). Needs WRITE on the
 * transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED), READ on the group (else
 * GROUP_AUTHORIZATION_FAILED) and READ on each topic (else TOPIC_AUTHORIZATION_FAILED on its
 * partitions), as Kafka checks.
 */
public record TxnOffsetCommitHandler(GroupCoordinator groups, MetadataCache cache, RequestAuthorization auth)
        implements ApiHandler<TxnOffsetCommitRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.TXN_OFFSET_COMMIT;
    }

    @Override
    public CompletionStage<TxnOffsetCommitResponseData> handle(RequestContext ctx, TxnOffsetCommitRequestData request) {
        auth.require(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId());
        auth.require(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId());
        short version = ctx.apiVersion();
        boolean byId = version >= 6;
        TopicResolver resolver = new TopicResolver(cache);
        Predicate<String> readable = auth.allowedTopics(
                ctx, AclOperation.READ, request.topics(), t -> resolver.name(t.name(), t.topicId(), byId));
        Map<TopicPartition, CommittedOffset> offsets = new LinkedHashMap<>();
        Map<TopicPartition, Errors> refused = new LinkedHashMap<>();
        Map<TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic, String> names = new java.util.HashMap<>();
        for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic t : request.topics()) {
            Optional<TopicView> view = resolver.resolve(t.name(), t.topicId(), byId);
            String name = view.map(TopicView::name).orElse(byId ? "<unknown " + t.topicId() + ">" : t.name());
            names.put(t, name);
            boolean denied = !(byId && view.isEmpty()) && !readable.test(name);
            for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p : t.partitions()) {
                TopicPartition tp = new TopicPartition(name, p.partitionIndex());
                if (denied) {
                    refused.put(tp, Errors.TOPIC_AUTHORIZATION_FAILED);
                    continue;
                }
                if (view.isEmpty()
                        || p.partitionIndex() < 0
                        || p.partitionIndex() >= view.get().partitionCount()) {
                    refused.put(
                            tp, byId && view.isEmpty() ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION);
                    continue;
                }
                offsets.put(
                        tp,
                        new CommittedOffset(
                                p.committedOffset(),
                                version >= 2 ? p.committedLeaderEpoch() : -1,
                                p.committedMetadata(),
                                -1,
                                -1));
            }
        }
        boolean memberFields = version >= 3;
        return groups.commitTransactionalOffsets(
                        request.groupId(),
                        request.producerId(),
                        request.producerEpoch(),
                        memberFields ? request.memberId() : "",
                        memberFields ? request.groupInstanceId() : null,
                        memberFields ? request.generationIdOrMemberEpoch() : -1,
                        offsets)
                .thenApply(errors -> {
                    Map<TopicPartition, Errors> all = new LinkedHashMap<>(errors);
                    all.putAll(refused);
                    TxnOffsetCommitResponseData response = new TxnOffsetCommitResponseData();
                    for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic t : request.topics()) {
                        TxnOffsetCommitResponseTopic rt = new TxnOffsetCommitResponseTopic();
                        if (byId) {
                            rt.setTopicId(t.topicId());
                        } else {
                            rt.setName(t.name());
                        }
                        response.topics().add(rt);
                        for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p : t.partitions()) {
                            Errors e = all.getOrDefault(
                                    new TopicPartition(names.get(t), p.partitionIndex()), Errors.UNKNOWN_SERVER_ERROR);
                            rt.partitions()
                                    .add(new TxnOffsetCommitResponsePartition()
                                            .setPartitionIndex(p.partitionIndex())
                                            .setErrorCode(e.code()));
                        }
                    }
                    return response;
                });
    }
}
