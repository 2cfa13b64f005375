package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.replica.ReplicaManager;
import io.strand.server.security.RequestAuthorization;
import io.strand.wal.EpochEndOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetForLeaderEpoch: the end offset of a leader epoch in the leader's log (the largest epoch at
 * or below the one asked, and the offset where the next epoch starts, or the log end). Consumers use
 * it to detect a log truncated under them after a leader change (KIP-320). A follower (CLUSTER_ACTION
 * on the cluster) may ask about any topic, a consumer about those it may DESCRIBE (else
 * TOPIC_AUTHORIZATION_FAILED on each partition).
 */
public record OffsetForLeaderEpochHandler(ReplicaManager replicas, MetadataCache cache, RequestAuthorization auth)
        implements ApiHandler<OffsetForLeaderEpochRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FOR_LEADER_EPOCH;
    }

    @Override
    public CompletionStage<OffsetForLeaderEpochResponseData> handle(
            RequestContext ctx, OffsetForLeaderEpochRequestData request) {
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        Predicate<String> describable = auth.allowedOnCluster(ctx, AclOperation.CLUSTER_ACTION, false)
                ? name -> true
                : auth.allowedTopics(
                        ctx,
                        AclOperation.DESCRIBE,
                        request.topics(),
                        OffsetForLeaderEpochRequestData.OffsetForLeaderTopic::topic);
        for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic t : request.topics()) {
            OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult tr =
                    new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult().setTopic(t.topic());
            for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p : t.partitions()) {
                tr.partitions()
                        .add(
                                describable.test(t.topic())
                                        ? answer(t.topic(), p)
                                        : new OffsetForLeaderEpochResponseData.EpochEndOffset()
                                                .setPartition(p.partition())
                                                .setLeaderEpoch(-1)
                                                .setEndOffset(-1)
                                                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
            }
            response.topics().add(tr);
        }
        return CompletableFuture.completedFuture(response);
    }

    private OffsetForLeaderEpochResponseData.EpochEndOffset answer(
            String topic, OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p) {
        OffsetForLeaderEpochResponseData.EpochEndOffset out = new OffsetForLeaderEpochResponseData.EpochEndOffset()
                .setPartition(p.partition())
                .setLeaderEpoch(-1)
                .setEndOffset(-1);
        LeaderLookup partition = LeaderLookup.find(replicas, cache, topic, p.partition());
        if (partition.failed()) {
            return out.setErrorCode(partition.error().code());
        }
        Errors epochError = partition.leader().checkLeaderEpoch(p.currentLeaderEpoch());
        if (epochError != Errors.NONE) {
            return out.setErrorCode(epochError.code());
        }
        EpochEndOffset e = partition.leader().log().endOffsetForEpoch(p.leaderEpoch());
        return out.setErrorCode(Errors.NONE.code()).setLeaderEpoch(e.epoch()).setEndOffset(e.endOffset());
    }
}
