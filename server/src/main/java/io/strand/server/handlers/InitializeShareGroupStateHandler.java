package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.share.ShareCoordinator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.InitializeShareGroupStateRequestData;
import org.apache.kafka.common.message.InitializeShareGroupStateResponseData;
import org.apache.kafka.common.message.InitializeShareGroupStateResponseData.InitializeStateResult;
import org.apache.kafka.common.message.InitializeShareGroupStateResponseData.PartitionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitializeShareGroupStateResponse;

/**
 * InitializeShareGroupState, sent to the share coordinator when a share partition's state is (re)set
 * (a new group, an offset reset): the new state epoch and start offset, nothing in flight. Per
 * partition FENCED_STATE_EPOCH when the stored state epoch is not older, and the coordinator errors.
 * Sent by brokers: needs CLUSTER_ACTION on the cluster (else CLUSTER_AUTHORIZATION_FAILED on every
 * partition), as Kafka checks.
 */
public record InitializeShareGroupStateHandler(ShareCoordinator coordinator, RequestAuthorization auth)
        implements ApiHandler<InitializeShareGroupStateRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INITIALIZE_SHARE_GROUP_STATE;
    }

    @Override
    public CompletionStage<InitializeShareGroupStateResponseData> handle(
            RequestContext ctx, InitializeShareGroupStateRequestData request) {
        if (!auth.allowedOnCluster(ctx, AclOperation.CLUSTER_ACTION)) {
            return CompletableFuture.completedFuture(InitializeShareGroupStateResponse.toGlobalErrorResponse(
                    request, Errors.CLUSTER_AUTHORIZATION_FAILED));
        }
        List<CompletableFuture<InitializeStateResult>> topics = new ArrayList<>();
        for (InitializeShareGroupStateRequestData.InitializeStateData t : request.topics()) {
            List<CompletableFuture<PartitionResult>> parts = new ArrayList<>();
            for (InitializeShareGroupStateRequestData.PartitionData p : t.partitions()) {
                CompletableFuture<Errors> r = request.groupId().isEmpty()
                        ? CompletableFuture.completedFuture(Errors.INVALID_REQUEST)
                        : coordinator.initialize(
                                request.groupId(), t.topicId(), p.partition(), p.stateEpoch(), p.startOffset());
                parts.add(r.thenApply(e -> new PartitionResult()
                        .setPartition(p.partition())
                        .setErrorCode(e.code())
                        .setErrorMessage(e == Errors.NONE ? null : e.message())));
            }
            topics.add(Batches.allInOrder(parts)
                    .thenApply(ps ->
                            new InitializeStateResult().setTopicId(t.topicId()).setPartitions(ps)));
        }
        return Batches.allInOrder(topics).thenApply(ts -> new InitializeShareGroupStateResponseData().setResults(ts));
    }
}
