package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.share.Persister;
import io.strand.server.share.ShareCoordinator;
import io.strand.server.share.ShareState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData.PartitionResult;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData.ReadStateResult;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData.StateBatch;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ReadShareGroupStateResponse;

/**
 * ReadShareGroupState, sent by a share-partition leader to the share coordinator of its partition: the
 * persisted state (start offset -1 and state epoch 0 when none exists). Per partition NOT_COORDINATOR,
 * COORDINATOR_LOAD_IN_PROGRESS, FENCED_LEADER_EPOCH (an older leader epoch than the stored one).
 * Sent by brokers: needs CLUSTER_ACTION on the cluster (else CLUSTER_AUTHORIZATION_FAILED on every
 * partition), as Kafka checks.
 */
public record ReadShareGroupStateHandler(ShareCoordinator coordinator, RequestAuthorization auth)
        implements ApiHandler<ReadShareGroupStateRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.READ_SHARE_GROUP_STATE;
    }

    @Override
    public CompletionStage<ReadShareGroupStateResponseData> handle(
            RequestContext ctx, ReadShareGroupStateRequestData request) {
        if (!auth.allowedOnCluster(ctx, AclOperation.CLUSTER_ACTION)) {
            return CompletableFuture.completedFuture(
                    ReadShareGroupStateResponse.toGlobalErrorResponse(request, Errors.CLUSTER_AUTHORIZATION_FAILED));
        }
        List<CompletableFuture<ReadStateResult>> topics = new ArrayList<>();
        for (ReadShareGroupStateRequestData.ReadStateData t : request.topics()) {
            List<CompletableFuture<PartitionResult>> parts = new ArrayList<>();
            for (ReadShareGroupStateRequestData.PartitionData p : t.partitions()) {
                CompletableFuture<Persister.ReadResult> r = request.groupId().isEmpty()
                        ? CompletableFuture.completedFuture(new Persister.ReadResult(Errors.INVALID_REQUEST, null))
                        : coordinator.read(request.groupId(), t.topicId(), p.partition(), p.leaderEpoch());
                parts.add(r.thenApply(res -> answer(p.partition(), res)));
            }
            topics.add(Batches.allInOrder(parts)
                    .thenApply(
                            ps -> new ReadStateResult().setTopicId(t.topicId()).setPartitions(ps)));
        }
        return Batches.allInOrder(topics).thenApply(ts -> new ReadShareGroupStateResponseData().setResults(ts));
    }

    private static PartitionResult answer(int partition, Persister.ReadResult r) {
        PartitionResult out = new PartitionResult()
                .setPartition(partition)
                .setErrorCode(r.error().code())
                .setStateEpoch(0)
                .setStartOffset(ShareState.UNINITIALIZED_START_OFFSET);
        if (r.error() != Errors.NONE) {
            return out.setErrorMessage(r.error().message());
        }
        ShareState s = r.state();
        List<StateBatch> batches = new ArrayList<>();
        for (ShareState.Batch b : s.batches()) {
            batches.add(new StateBatch()
                    .setFirstOffset(b.firstOffset())
                    .setLastOffset(b.lastOffset())
                    .setDeliveryState(b.state().id)
                    .setDeliveryCount((short) b.deliveryCount()));
        }
        return out.setStateEpoch(s.stateEpoch()).setStartOffset(s.startOffset()).setStateBatches(batches);
    }
}
