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
import org.apache.kafka.common.message.DeleteShareGroupStateRequestData;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData.DeleteStateResult;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData.PartitionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteShareGroupStateResponse;

/**
 * DeleteShareGroupState, sent to the share coordinator when a share group's offsets for a topic (or the
 * group) are deleted: a tombstone per share partition in {@code __share_group_state}.
 * Sent by brokers: needs CLUSTER_ACTION on the cluster (else CLUSTER_AUTHORIZATION_FAILED on every
 * partition), as Kafka checks.
 */
public record DeleteShareGroupStateHandler(ShareCoordinator coordinator, RequestAuthorization auth)
        implements ApiHandler<DeleteShareGroupStateRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_SHARE_GROUP_STATE;
    }

    @Override
    public CompletionStage<DeleteShareGroupStateResponseData> handle(
            RequestContext ctx, DeleteShareGroupStateRequestData request) {
        if (!auth.allowedOnCluster(ctx, AclOperation.CLUSTER_ACTION)) {
            return CompletableFuture.completedFuture(
                    DeleteShareGroupStateResponse.toGlobalErrorResponse(request, Errors.CLUSTER_AUTHORIZATION_FAILED));
        }
        List<CompletableFuture<DeleteStateResult>> topics = new ArrayList<>();
        for (DeleteShareGroupStateRequestData.DeleteStateData t : request.topics()) {
            List<CompletableFuture<PartitionResult>> parts = new ArrayList<>();
            for (DeleteShareGroupStateRequestData.PartitionData p : t.partitions()) {
                CompletableFuture<Errors> r = request.groupId().isEmpty()
                        ? CompletableFuture.completedFuture(Errors.INVALID_REQUEST)
                        : coordinator.delete(request.groupId(), t.topicId(), p.partition());
                parts.add(r.thenApply(e -> new PartitionResult()
                        .setPartition(p.partition())
                        .setErrorCode(e.code())
                        .setErrorMessage(e == Errors.NONE ? null : e.message())));
            }
            topics.add(Batches.allInOrder(parts)
                    .thenApply(ps ->
                            new DeleteStateResult().setTopicId(t.topicId()).setPartitions(ps)));
        }
        return Batches.allInOrder(topics).thenApply(ts -> new DeleteShareGroupStateResponseData().setResults(ts));
    }
}
