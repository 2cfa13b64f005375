package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.replica.Partition;
import io.strand.server.replica.ReplicaManager;
import io.strand.server.security.RequestAuthorization;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeProducers: the idempotent producers the partition leader knows, with epoch, last sequence and
 * timestamp. A topic the principal may not READ is TOPIC_AUTHORIZATION_FAILED on each partition, whether
 * it exists or not.
 */
public record DescribeProducersHandler(ReplicaManager replicas, MetadataCache cache, RequestAuthorization auth)
        implements ApiHandler<DescribeProducersRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_PRODUCERS;
    }

    @Override
    public CompletionStage<DescribeProducersResponseData> handle(
            RequestContext ctx, DescribeProducersRequestData request) {
        DescribeProducersResponseData response = new DescribeProducersResponseData();
        Predicate<String> readable = auth.allowedTopics(
                ctx, AclOperation.READ, request.topics(), DescribeProducersRequestData.TopicRequest::name);
        for (DescribeProducersRequestData.TopicRequest t : request.topics()) {
            DescribeProducersResponseData.TopicResponse tr =
                    new DescribeProducersResponseData.TopicResponse().setName(t.name());
            response.topics().add(tr);
            Errors refused = readable.test(t.name()) ? Errors.NONE : Errors.TOPIC_AUTHORIZATION_FAILED;
            for (int index : t.partitionIndexes()) {
                DescribeProducersResponseData.PartitionResponse pr =
                        new DescribeProducersResponseData.PartitionResponse().setPartitionIndex(index);
                tr.partitions().add(pr);
                if (refused != Errors.NONE) {
                    pr.setErrorCode(refused.code()).setErrorMessage(refused.message());
                    continue;
                }
                LeaderLookup p = LeaderLookup.find(replicas, cache, t.name(), index);
                if (p.failed()) {
                    pr.setErrorCode(p.error().code());
                    continue;
                }
                for (Partition.ProducerSummary s : p.leader().producers()) {
                    pr.activeProducers()
                            .add(new DescribeProducersResponseData.ProducerState()
                                    .setProducerId(s.producerId())
                                    .setProducerEpoch(s.epoch())
                                    .setLastSequence(s.lastSequence())
                                    .setLastTimestamp(s.lastTimestamp())
                                    .setCoordinatorEpoch(s.coordinatorEpoch())
                                    .setCurrentTxnStartOffset(s.currentTxnStartOffset()));
                }
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
