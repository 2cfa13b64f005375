package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.server.handlers.ShareTargets.Target;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.replica.ReplicaManager;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.share.SharePartition;
import io.strand.server.share.SharePartitionManager;
import io.strand.server.share.ShareSessions.SessionPartition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ShareAcknowledge (KIP-932), v1-2: a share-group member acknowledges records it acquired (1 accept,
 * 2 release, 3 reject, 0 a gap; v2 with {@code is_renew_ack}: 4 renews the acquisition lock), per
 * partition, answered once the new state is persisted. The share session must exist: epoch 0 is
 * INVALID_SHARE_SESSION_EPOCH, -1 acknowledges and then closes it (its other acquired records are
 * released), any other epoch must match. Per partition: INVALID_RECORD_STATE for offsets this member
 * does not hold, INVALID_REQUEST for malformed batches, UNKNOWN_TOPIC_ID, NOT_LEADER_OR_FOLLOWER with the
 * current leader. As Kafka checks: needs READ on the group (else GROUP_AUTHORIZATION_FAILED) and on each
 * topic (else TOPIC_AUTHORIZATION_FAILED on its partitions).
 */
public record ShareAcknowledgeHandler(
        ReplicaManager replicas, MetadataCache cache, SharePartitionManager shares, RequestAuthorization auth)
        implements ApiHandler<ShareAcknowledgeRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_ACKNOWLEDGE;
    }

    @Override
    public CompletionStage<ShareAcknowledgeResponseData> handle(
            RequestContext ctx, ShareAcknowledgeRequestData request) {
        auth.require(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId());
        String group = request.groupId();
        String member = request.memberId();
        if (group == null || group.isEmpty() || member == null || member.isEmpty()) {
            return CompletableFuture.completedFuture(topError(Errors.INVALID_REQUEST));
        }
        Errors sessionError = shares.sessions().acknowledge(group, member, request.shareSessionEpoch());
        if (sessionError != Errors.NONE) {
            return CompletableFuture.completedFuture(topError(sessionError));
        }
        boolean renewAllowed = ctx.apiVersion() >= 2 && request.isRenewAck();
        Map<Uuid, ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse> topics = new LinkedHashMap<>();
        ShareAcknowledgeResponseData response = new ShareAcknowledgeResponseData()
                .setErrorCode(Errors.NONE.code())
                .setAcquisitionLockTimeoutMs(shares.config().recordLockDurationMs());
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        List<SessionPartition> named = new ArrayList<>();
        request.topics()
                .forEach(t ->
                        t.partitions().forEach(p -> named.add(new SessionPartition(t.topicId(), p.partitionIndex()))));
        Predicate<String> readable = ShareTargets.readable(auth, ctx, cache, named);
        for (ShareAcknowledgeRequestData.AcknowledgeTopic t : request.topics()) {
            for (ShareAcknowledgeRequestData.AcknowledgePartition p : t.partitions()) {
                ShareAcknowledgeResponseData.PartitionData pd =
                        new ShareAcknowledgeResponseData.PartitionData().setPartitionIndex(p.partitionIndex());
                topics.computeIfAbsent(t.topicId(), id -> {
                            var tr = new ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse().setTopicId(id);
                            response.responses().add(tr);
                            return tr;
                        })
                        .partitions()
                        .add(pd);
                Target target = ShareTargets.resolve(
                        replicas, cache, new SessionPartition(t.topicId(), p.partitionIndex()), readable);
                if (!target.ok()) {
                    setError(pd, target.error(), target, ctx, response);
                    continue;
                }
                List<SharePartition.AckBatch> batches = new ArrayList<>();
                p.acknowledgementBatches()
                        .forEach(b ->
                                batches.add(ShareTargets.ack(b.firstOffset(), b.lastOffset(), b.acknowledgeTypes())));
                pending.add(ShareTargets.sharePartition(shares, group, target)
                        .thenCompose(sp -> sp.acknowledge(member, batches, renewAllowed))
                        .handle((e, x) -> {
                            setError(pd, x != null ? ShareTargets.errorOf(x) : e, target, ctx, response);
                            return null;
                        }));
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .thenApply(v -> {
                    if (request.shareSessionEpoch() == -1) {
                        shares.sessions().close(group, member);
                    }
                    return response;
                });
    }

    private void setError(
            ShareAcknowledgeResponseData.PartitionData pd,
            Errors e,
            Target target,
            RequestContext ctx,
            ShareAcknowledgeResponseData response) {
        synchronized (response) {
            pd.setErrorCode(e.code()).setErrorMessage(e == Errors.NONE ? null : e.message());
            if (e == Errors.NOT_LEADER_OR_FOLLOWER) {
                pd.currentLeader().setLeaderId(target.leaderId()).setLeaderEpoch(target.leaderEpoch());
                int id = target.leaderId();
                if (id >= 0 && response.nodeEndpoints().find(id) == null) {
                    ShareTargets.endpoint(cache, id, ctx.listenerName())
                            .ifPresent(ep -> response.nodeEndpoints()
                                    .add(new ShareAcknowledgeResponseData.NodeEndpoint()
                                            .setNodeId(id)
                                            .setHost(ep.getHost())
                                            .setPort(ep.getPort())
                                            .setRack(ShareTargets.rackOf(cache, id)
                                                    .orElse(null))));
                }
            }
        }
    }

    private static ShareAcknowledgeResponseData topError(Errors e) {
        return new ShareAcknowledgeResponseData().setErrorCode(e.code()).setErrorMessage(e.message());
    }
}
