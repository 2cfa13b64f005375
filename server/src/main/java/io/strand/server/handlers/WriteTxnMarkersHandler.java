package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.replica.Partition;
import io.strand.server.replica.ReplicaManager;
import io.strand.server.security.RequestAuthorization;
import io.strand.wal.AppendResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WriteTxnMarkers, sent by a transaction coordinator to the leaders of a transaction's partitions:
 * each leader appends the COMMIT or ABORT marker (a control batch) for the producer, and answers
 * once every in-sync replica has it (acks=all). The marker closes the producer's transaction on the
 * partition (its last stable offset moves on; an ABORT enters the aborted-transaction index). On a
 * {@code __consumer_offsets} partition the group coordinator then commits or drops the offsets the
 * transaction committed there. Errors per partition: NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION,
 * NOT_ENOUGH_REPLICAS (the coordinator retries), INVALID_PRODUCER_EPOCH (the producer was fenced
 * since), TRANSACTION_COORDINATOR_FENCED (an older coordinator epoch). Needs ALTER or CLUSTER_ACTION on
 * the cluster (else the whole request is CLUSTER_AUTHORIZATION_FAILED), as Kafka checks.
 */
public record WriteTxnMarkersHandler(ReplicaManager replicas, GroupCoordinator groups, RequestAuthorization auth)
        implements ApiHandler<WriteTxnMarkersRequestData> {
    private static final Logger log = LoggerFactory.getLogger(WriteTxnMarkersHandler.class);
    private static final long ACK_TIMEOUT_MS = 30_000;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.WRITE_TXN_MARKERS;
    }

    @Override
    public CompletionStage<WriteTxnMarkersResponseData> handle(RequestContext ctx, WriteTxnMarkersRequestData request) {
        if (!auth.allowedOnCluster(ctx, AclOperation.ALTER, false)) {
            auth.requireOnCluster(ctx, AclOperation.CLUSTER_ACTION);
        }
        WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (WriteTxnMarkersRequestData.WritableTxnMarker m : request.markers()) {
            WritableTxnMarkerResult mr = new WritableTxnMarkerResult().setProducerId(m.producerId());
            response.markers().add(mr);
            for (WriteTxnMarkersRequestData.WritableTxnMarkerTopic t : m.topics()) {
                WritableTxnMarkerTopicResult tr = new WritableTxnMarkerTopicResult().setName(t.name());
                mr.topics().add(tr);
                for (int p : t.partitionIndexes()) {
                    WritableTxnMarkerPartitionResult pr = new WritableTxnMarkerPartitionResult()
                            .setPartitionIndex(p)
                            .setErrorCode(Errors.NONE.code());
                    tr.partitions().add(pr);
                    pending.add(write(new TopicPartition(t.name(), p), m, pr));
                }
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .thenApply(v -> response);
    }

    private CompletableFuture<Void> write(
            TopicPartition tp, WriteTxnMarkersRequestData.WritableTxnMarker m, WritableTxnMarkerPartitionResult pr) {
        Partition partition;
        AppendResult result;
        try {
            partition = replicas.leaderPartition(tp);
            result = partition.appendTxnMarker(
                    m.producerId(), m.producerEpoch(), m.transactionResult(), m.coordinatorEpoch());
        } catch (ApiException e) {
            fail(tp, m, pr, Errors.forException(e), e.getMessage());
            return CompletableFuture.completedFuture(null);
        }
        return partition
                .awaitAcknowledgement(result.nextOffset(), (short) -1)
                .orTimeout(ACK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .handle((ok, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause()
                                : error;
                        fail(
                                tp,
                                m,
                                pr,
                                cause instanceof TimeoutException
                                        ? Errors.REQUEST_TIMED_OUT
                                        : Errors.forException(cause),
                                cause.getMessage());
                    } else if (tp.topic().equals(GroupCoordinator.OFFSETS_TOPIC)) {
                        groups.completeTransaction(tp.partition(), m.producerId(), m.transactionResult());
                    }
                    return null;
                });
    }

    private static void fail(
            TopicPartition tp,
            WriteTxnMarkersRequestData.WritableTxnMarker m,
            WritableTxnMarkerPartitionResult pr,
            Errors error,
            String why) {
        if (error != Errors.NOT_LEADER_OR_FOLLOWER) {
            log.info(
                    "{} marker of producer {} (epoch {}) on {} refused with {}: {}",
                    m.transactionResult() ? "COMMIT" : "ABORT",
                    m.producerId(),
                    m.producerEpoch(),
                    tp,
                    error,
                    why);
        }
        pr.setErrorCode(error.code());
    }
}
