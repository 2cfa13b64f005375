package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.share.ShareCoordinator;
import io.strand.server.share.ShareState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData.PartitionResult;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData.WriteStateResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.WriteShareGroupStateResponse;

/**
 * WriteShareGroupState, sent by a share-partition leader to the share coordinator: the start offset
 * and state batches, merged into the stored state and appended to {@code __share_group_state} with
 * acks=all before the answer. Per partition NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
 * COORDINATOR_NOT_AVAILABLE (the write did not reach the ISR), FENCED_LEADER_EPOCH,
 * FENCED_STATE_EPOCH, INVALID_REQUEST (a batch with an unknown state).
 * Sent by brokers: needs CLUSTER_ACTION on the cluster (else CLUSTER_AUTHORIZATION_FAILED on every
 * partition), as Kafka checks.
 */
public record WriteShareGroupStateHandler(ShareCoordinator coordinator, RequestAuthorization auth)
        implements ApiHandler<WriteShareGroupStateRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.WRITE_SHARE_GROUP_STATE;
    }

    @Override
    public CompletionStage<WriteShareGroupStateResponseData> handle(
            RequestContext ctx, WriteShareGroupStateRequestData request) {
        if (!auth.allowedOnCluster(ctx, AclOperation.CLUSTER_ACTION)) {
            return CompletableFuture.completedFuture(
                    WriteShareGroupStateResponse.toGlobalErrorResponse(request, Errors.CLUSTER_AUTHORIZATION_FAILED));
        }
        List<CompletableFuture<WriteStateResult>> topics = new ArrayList<>();
        for (WriteShareGroupStateRequestData.WriteStateData t : request.topics()) {
            List<CompletableFuture<PartitionResult>> parts = new ArrayList<>();
            for (WriteShareGroupStateRequestData.PartitionData p : t.partitions()) {
                CompletableFuture<Errors> r;
                ShareState state = parse(p);
                if (request.groupId().isEmpty() || state == null) {
                    r = CompletableFuture.completedFuture(Errors.INVALID_REQUEST);
                } else {
                    r = coordinator.write(request.groupId(), t.topicId(), p.partition(), state);
                }
                parts.add(r.thenApply(e -> new PartitionResult()
                        .setPartition(p.partition())
                        .setErrorCode(e.code())
                        .setErrorMessage(e == Errors.NONE ? null : e.message())));
            }
            topics.add(Batches.allInOrder(parts)
                    .thenApply(
                            ps -> new WriteStateResult().setTopicId(t.topicId()).setPartitions(ps)));
        }
        return Batches.allInOrder(topics).thenApply(ts -> new WriteShareGroupStateResponseData().setResults(ts));
    }

    private static ShareState parse(WriteShareGroupStateRequestData.PartitionData p) {
        try {
            return ShareCoordinator.stateOf(p);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
