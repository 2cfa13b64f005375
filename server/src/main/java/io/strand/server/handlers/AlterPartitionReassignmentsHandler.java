package io.strand.server.handlers;

import io.strand.coordinator.proto.PartitionReassignment;
import io.strand.server.admin.AdminErrors;
import io.strand.server.admin.AdminService;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * AlterPartitionReassignments: records the moves (replicas given) and cancels (replicas null) in
 * {@code /admin/reassignments/<topic>} through {@link io.strand.coordinator.admin.ReassignmentRequester};
 * the controller carries them out. Any broker can take the request. A partition already moving is
 * refused with REASSIGNMENT_IN_PROGRESS, a cancel of one that is not with
 * NO_REASSIGNMENT_IN_PROGRESS. The answer is sent once this broker's cache shows the request
 * (bounded), so that ListPartitionReassignments sent next lists it. Needs ALTER on the cluster (else the
 * whole request is CLUSTER_AUTHORIZATION_FAILED), as Kafka checks.
 */
public record AlterPartitionReassignmentsHandler(AdminService admin, RequestAuthorization auth)
        implements ApiHandler<AlterPartitionReassignmentsRequestData> {
    private static final long CACHE_WAIT_MS = 5_000;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_PARTITION_REASSIGNMENTS;
    }

    @Override
    public CompletionStage<AlterPartitionReassignmentsResponseData> handle(
            RequestContext ctx, AlterPartitionReassignmentsRequestData request) {
        auth.requireOnCluster(ctx, AclOperation.ALTER);
        short version = ctx.apiVersion();
        boolean allowRfChange = version < 1 || request.allowReplicationFactorChange();
        Map<TopicPartition, Optional<List<Integer>>> wanted = new LinkedHashMap<>();
        for (AlterPartitionReassignmentsRequestData.ReassignableTopic t : request.topics()) {
            for (AlterPartitionReassignmentsRequestData.ReassignablePartition p : t.partitions()) {
                wanted.put(
                        new TopicPartition(t.name(), p.partitionIndex()),
                        p.replicas() == null ? Optional.empty() : Optional.of(List.copyOf(p.replicas())));
            }
        }
        return admin.call(() -> admin.reassignments().submit(wanted, allowRfChange))
                .thenCompose(results -> admin.awaitCache(
                                () -> visible(wanted, results),
                                Math.min(CACHE_WAIT_MS, Math.max(1, request.timeoutMs())))
                        .thenApply(ok -> {
                            Map<TopicPartition, AdminErrors> out = new LinkedHashMap<>();
                            results.forEach((tp, e) ->
                                    out.put(tp, e.map(AdminErrors::of).orElse(AdminErrors.NONE)));
                            return response(request, out, Errors.NONE, null, version, allowRfChange);
                        }))
                .exceptionally(e -> {
                    AdminErrors err = AdminErrors.of(e);
                    return response(request, Map.of(), err.error(), err.message(), version, allowRfChange);
                });
    }

    /** True once the cache shows every accepted move as pending and every accepted cancel as cancelled (or done). */
    private boolean visible(
            Map<TopicPartition, Optional<List<Integer>>> wanted, Map<TopicPartition, Optional<ApiException>> results) {
        for (Map.Entry<TopicPartition, Optional<ApiException>> e : results.entrySet()) {
            if (e.getValue().isPresent()) {
                continue;
            }
            TopicPartition tp = e.getKey();
            Optional<PartitionReassignment> r = admin.cache()
                    .reassignment(tp.topic())
                    .map(req -> req.getPartitionsMap().get(tp.partition()));
            List<Integer> target = wanted.get(tp).orElse(null);
            if (target == null) {
                if (r.isPresent() && !r.get().getCancelled()) {
                    return false;
                }
            } else if (r.isEmpty()) {
                // not yet visible, or a no-op (target = current replicas), or already finished
                boolean done = admin.cache()
                        .topic(tp.topic())
                        .map(t -> target.equals(t.replicas().get(tp.partition())))
                        .orElse(true);
                if (!done) {
                    return false;
                }
            }
        }
        return true;
    }

    private static AlterPartitionReassignmentsResponseData response(
            AlterPartitionReassignmentsRequestData request,
            Map<TopicPartition, AdminErrors> results,
            Errors topLevel,
            String topMessage,
            short version,
            boolean allowRfChange) {
        AlterPartitionReassignmentsResponseData response = new AlterPartitionReassignmentsResponseData()
                .setErrorCode(topLevel.code())
                .setErrorMessage(topMessage);
        if (version >= 1) {
            response.setAllowReplicationFactorChange(allowRfChange);
        }
        List<ReassignableTopicResponse> topics = new ArrayList<>();
        for (AlterPartitionReassignmentsRequestData.ReassignableTopic t : request.topics()) {
            ReassignableTopicResponse tr = new ReassignableTopicResponse().setName(t.name());
            for (AlterPartitionReassignmentsRequestData.ReassignablePartition p : t.partitions()) {
                AdminErrors err = results.getOrDefault(
                        new TopicPartition(t.name(), p.partitionIndex()),
                        topLevel == Errors.NONE ? AdminErrors.NONE : AdminErrors.of(topLevel, topMessage));
                tr.partitions()
                        .add(new ReassignablePartitionResponse()
                                .setPartitionIndex(p.partitionIndex())
                                .setErrorCode(err.code())
                                .setErrorMessage(err.message()));
            }
            topics.add(tr);
        }
        return response.setResponses(topics);
    }
}
