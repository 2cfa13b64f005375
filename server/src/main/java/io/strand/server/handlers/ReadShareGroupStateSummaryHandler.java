package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.share.Persister;
import io.strand.server.share.ShareCoordinator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryResponseData.PartitionResult;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryResponseData.ReadStateSummaryResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ReadShareGroupStateSummaryResponse;

/**
 * ReadShareGroupStateSummary, sent to the share coordinator to describe share-group offsets: the start
 * offset, state and leader epochs and (v1) the delivery complete count of each share partition; start
 * offset -1 when it has no state.
 * Sent by brokers: needs CLUSTER_ACTION on the cluster (else CLUSTER_AUTHORIZATION_FAILED on every
 * partition), as Kafka checks.
 */
public record ReadShareGroupStateSummaryHandler(ShareCoordinator coordinator, RequestAuthorization auth)
        implements ApiHandler<ReadShareGroupStateSummaryRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY;
    }

    @Override
    public CompletionStage<ReadShareGroupStateSummaryResponseData> handle(
            RequestContext ctx, ReadShareGroupStateSummaryRequestData request) {
        if (!auth.allowedOnCluster(ctx, AclOperation.CLUSTER_ACTION)) {
            return CompletableFuture.completedFuture(ReadShareGroupStateSummaryResponse.toGlobalErrorResponse(
                    request, Errors.CLUSTER_AUTHORIZATION_FAILED));
        }
        List<CompletableFuture<ReadStateSummaryResult>> topics = new ArrayList<>();
        for (ReadShareGroupStateSummaryRequestData.ReadStateSummaryData t : request.topics()) {
            List<CompletableFuture<PartitionResult>> parts = new ArrayList<>();
            for (ReadShareGroupStateSummaryRequestData.PartitionData p : t.partitions()) {
                CompletableFuture<Persister.Summary> r = request.groupId().isEmpty()
                        ? CompletableFuture.completedFuture(
                                new Persister.Summary(Errors.INVALID_REQUEST, 0, -1, -1, -1))
                        : coordinator.readSummary(request.groupId(), t.topicId(), p.partition(), p.leaderEpoch());
                parts.add(r.thenApply(s -> new PartitionResult()
                        .setPartition(p.partition())
                        .setErrorCode(s.error().code())
                        .setErrorMessage(
                                s.error() == Errors.NONE ? null : s.error().message())
                        .setStateEpoch(s.stateEpoch())
                        .setLeaderEpoch(s.leaderEpoch())
                        .setStartOffset(s.startOffset())
                        .setDeliveryCompleteCount(s.deliveryCompleteCount())));
            }
            topics.add(Batches.allInOrder(parts)
                    .thenApply(ps ->
                            new ReadStateSummaryResult().setTopicId(t.topicId()).setPartitions(ps)));
        }
        return Batches.allInOrder(topics).thenApply(ts -> new ReadShareGroupStateSummaryResponseData().setResults(ts));
    }
}
