package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.TopicView;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeTopicPartitions (what the admin client's describeTopics uses since Kafka 3.7): topics in
 * name order with every partition's leader, leader epoch, replicas, ISR and offline replicas, from the
 * metadata cache, in pages of at most {@code ResponsePartitionLimit} partitions with a cursor to the
 * next one. Strand has no eligible leader replicas (ELR): those lists are empty. All topics when
 * the request names none.
 *
 * <p>Authorization as Kafka's: only topics the principal may DESCRIBE are described; one named in the
 * request that it may not is TOPIC_AUTHORIZATION_FAILED (whether it exists or not), listed after the
 * described ones of each page. Authorized operations are computed when an authorizer is configured.
 */
public record DescribeTopicPartitionsHandler(MetadataCache cache, RequestAuthorization auth)
        implements ApiHandler<DescribeTopicPartitionsRequestData> {
    private static final int MAX_PARTITIONS = 2000;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_TOPIC_PARTITIONS;
    }

    @Override
    public CompletionStage<DescribeTopicPartitionsResponseData> handle(
            RequestContext ctx, DescribeTopicPartitionsRequestData request) {
        TreeSet<String> names = new TreeSet<>();
        if (request.topics().isEmpty()) {
            cache.topics().forEach(t -> names.add(t.name()));
        } else {
            request.topics().forEach(t -> names.add(t.name()));
        }
        DescribeTopicPartitionsRequestData.Cursor cursor = request.cursor();
        int limit = request.responsePartitionLimit() <= 0
                ? MAX_PARTITIONS
                : Math.min(request.responsePartitionLimit(), MAX_PARTITIONS);
        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData();
        Collection<String> wanted = cursor == null ? names : names.tailSet(cursor.topicName(), true);
        Predicate<String> describable = auth.allowedTopics(ctx, AclOperation.DESCRIBE, wanted, name -> name);
        List<DescribeTopicPartitionsResponseTopic> refused = new ArrayList<>();
        int budget = limit;
        for (String name : wanted) {
            if (!describable.test(name)) {
                if (!request.topics().isEmpty()) { // all topics: those it may not describe are left out
                    refused.add(new DescribeTopicPartitionsResponseTopic()
                            .setName(name)
                            .setTopicId(Uuid.ZERO_UUID)
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                            .setTopicAuthorizedOperations(MetadataAnswers.AUTHORIZED_OPERATIONS_OMITTED));
                }
                continue;
            }
            Optional<TopicView> view = cache.topic(name);
            if (view.isEmpty()) {
                response.topics()
                        .add(new DescribeTopicPartitionsResponseTopic()
                                .setName(name)
                                .setTopicId(Uuid.ZERO_UUID)
                                .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                                .setTopicAuthorizedOperations(MetadataAnswers.AUTHORIZED_OPERATIONS_OMITTED));
                continue;
            }
            TopicView t = view.get();
            DescribeTopicPartitionsResponseTopic out = new DescribeTopicPartitionsResponseTopic()
                    .setName(name)
                    .setTopicId(t.topicId())
                    .setIsInternal(Topic.isInternal(name))
                    .setErrorCode(Errors.NONE.code())
                    .setTopicAuthorizedOperations(auth.authorizedOperations(ctx, ResourceType.TOPIC, name));
            int first = cursor != null && cursor.topicName().equals(name) ? Math.max(0, cursor.partitionIndex()) : 0;
            for (Map.Entry<Integer, List<Integer>> e :
                    t.replicas().tailMap(first).entrySet()) {
                if (budget == 0) {
                    response.topics().add(out);
                    response.topics().addAll(refused);
                    response.setNextCursor(new DescribeTopicPartitionsResponseData.Cursor()
                            .setTopicName(name)
                            .setPartitionIndex(e.getKey()));
                    return CompletableFuture.completedFuture(response);
                }
                out.partitions().add(partition(e.getKey(), e.getValue(), t.partition(e.getKey())));
                budget--;
            }
            response.topics().add(out);
        }
        response.topics().addAll(refused);
        return CompletableFuture.completedFuture(response);
    }

    /** The partition as Metadata answers it; Strand has no eligible leader replicas. */
    private DescribeTopicPartitionsResponsePartition partition(
            int index, List<Integer> replicas, Optional<PartitionInfo> state) {
        MetadataResponsePartition m = MetadataAnswers.partition(cache, index, replicas, state);
        return new DescribeTopicPartitionsResponsePartition()
                .setPartitionIndex(m.partitionIndex())
                .setErrorCode(m.errorCode())
                .setLeaderId(m.leaderId())
                .setLeaderEpoch(m.leaderEpoch())
                .setReplicaNodes(m.replicaNodes())
                .setIsrNodes(m.isrNodes())
                .setOfflineReplicas(m.offlineReplicas())
                .setEligibleLeaderReplicas(new ArrayList<>())
                .setLastKnownElr(new ArrayList<>());
    }
}
