package io.strand.server.handlers;

import io.strand.coordinator.controller.Controller;
import io.strand.coordinator.controller.NotControllerException;
import io.strand.server.admin.AdminErrors;
import io.strand.server.admin.AdminService;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * ElectLeaders, preferred elections only, through the controller's
 * {@link Controller#electPreferredLeaders}: a broker that is not the controller answers
 * NOT_CONTROLLER (the admin client then finds the controller in Metadata and asks it). A partition
 * already led by its preferred replica is ELECTION_NOT_NEEDED; when every partition is asked for
 * (null), those are left out of the answer, as Kafka does. Unclean elections are refused per
 * partition: Strand elects unclean leaders only automatically, with unclean.leader.election.enable.
 * Needs ALTER on the cluster (else the whole request is CLUSTER_AUTHORIZATION_FAILED), as Kafka checks.
 */
public record ElectLeadersHandler(AdminService admin, RequestAuthorization auth)
        implements ApiHandler<ElectLeadersRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ELECT_LEADERS;
    }

    @Override
    public CompletionStage<ElectLeadersResponseData> handle(RequestContext ctx, ElectLeadersRequestData request) {
        auth.requireOnCluster(ctx, AclOperation.ALTER);
        short version = ctx.apiVersion();
        ElectionType type = version >= 1 ? ElectionType.valueOf(request.electionType()) : ElectionType.PREFERRED;
        Set<TopicPartition> wanted = null;
        if (request.topicPartitions() != null) {
            wanted = new LinkedHashSet<>();
            for (ElectLeadersRequestData.TopicPartitions tp : request.topicPartitions()) {
                for (int p : tp.partitions()) {
                    wanted.add(new TopicPartition(tp.topic(), p));
                }
            }
        }
        Set<TopicPartition> asked = wanted;
        if (!admin.controller().isActive()) {
            return CompletableFuture.completedFuture(notController(asked, version));
        }
        if (type != ElectionType.PREFERRED) {
            Map<TopicPartition, AdminErrors> refused = new LinkedHashMap<>();
            (asked == null ? Set.<TopicPartition>of() : asked)
                    .forEach(
                            tp -> refused.put(
                                    tp,
                                    AdminErrors.of(
                                            Errors.INVALID_REQUEST,
                                            "Strand elects leaders on request only by preference (PREFERRED); unclean "
                                                    + "leaders are elected automatically where unclean.leader.election.enable is true")));
            return CompletableFuture.completedFuture(response(refused, Errors.NONE));
        }
        return admin.controller()
                .electPreferredLeaders(asked)
                .orTimeout(Math.max(1, request.timeoutMs()), TimeUnit.MILLISECONDS)
                .thenApply(results -> {
                    Map<TopicPartition, AdminErrors> out = new LinkedHashMap<>();
                    results.forEach((tp, r) -> {
                        if (r.elected()) {
                            out.put(tp, AdminErrors.NONE);
                        } else if (r.alreadyPreferred()) {
                            if (asked != null) {
                                out.put(
                                        tp,
                                        AdminErrors.of(
                                                Errors.ELECTION_NOT_NEEDED,
                                                "Leader election not needed for topic partition " + tp));
                            }
                        } else if ("unknown topic or partition".equals(r.error())) {
                            out.put(
                                    tp,
                                    AdminErrors.of(
                                            Errors.UNKNOWN_TOPIC_OR_PARTITION,
                                            "The partition " + tp + " does not exist."));
                        } else {
                            out.put(
                                    tp,
                                    AdminErrors.of(
                                            Errors.PREFERRED_LEADER_NOT_AVAILABLE,
                                            "Failed to elect leader for partition " + tp + " under strategy PREFERRED: "
                                                    + r.error()));
                        }
                    });
                    return response(out, Errors.NONE);
                })
                .exceptionally(e -> {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof NotControllerException) {
                        return notController(asked, version);
                    }
                    AdminErrors err = AdminErrors.of(cause);
                    Map<TopicPartition, AdminErrors> out = new LinkedHashMap<>();
                    (asked == null ? Set.<TopicPartition>of() : asked).forEach(tp -> out.put(tp, err));
                    return response(out, version >= 1 ? err.error() : Errors.NONE);
                });
    }

    private ElectLeadersResponseData notController(Set<TopicPartition> asked, short version) {
        AdminErrors err = AdminErrors.of(
                Errors.NOT_CONTROLLER,
                "broker " + admin.config().brokerId() + " is not the controller (the controller is broker "
                        + admin.cache().controllerId() + ")");
        if (version >= 1) {
            return response(Map.of(), Errors.NOT_CONTROLLER);
        }
        Map<TopicPartition, AdminErrors> out = new LinkedHashMap<>();
        (asked == null ? Set.<TopicPartition>of() : asked).forEach(tp -> out.put(tp, err));
        return response(out, Errors.NONE);
    }

    private static ElectLeadersResponseData response(Map<TopicPartition, AdminErrors> results, Errors topLevel) {
        ElectLeadersResponseData response = new ElectLeadersResponseData().setErrorCode(topLevel.code());
        Map<String, ReplicaElectionResult> byTopic = new LinkedHashMap<>();
        results.forEach((tp, err) -> byTopic.computeIfAbsent(tp.topic(), t -> new ReplicaElectionResult().setTopic(t))
                .partitionResult()
                .add(new PartitionResult()
                        .setPartitionId(tp.partition())
                        .setErrorCode(err.code())
                        .setErrorMessage(err.message())));
        response.setReplicaElectionResults(new java.util.ArrayList<>(byTopic.values()));
        return response;
    }
}
