package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicView;
import io.strand.coordinator.admin.ReassignmentRequester;
import io.strand.coordinator.proto.PartitionReassignment;
import io.strand.coordinator.proto.TopicReassignment;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * ListPartitionReassignments: the moves in progress ({@code /admin/reassignments/*} in the metadata
 * cache), each with the replica list now, the replicas being added and those being removed. All
 * moves, or those of the partitions asked for; partitions not moving are left out. Needs DESCRIBE on the
 * cluster (else CLUSTER_AUTHORIZATION_FAILED), as Kafka checks.
 */
public record ListPartitionReassignmentsHandler(MetadataCache cache, RequestAuthorization auth)
        implements ApiHandler<ListPartitionReassignmentsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_PARTITION_REASSIGNMENTS;
    }

    @Override
    public CompletionStage<ListPartitionReassignmentsResponseData> handle(
            RequestContext ctx, ListPartitionReassignmentsRequestData request) {
        auth.requireOnCluster(ctx, AclOperation.DESCRIBE);
        Map<String, List<Integer>> wanted = new TreeMap<>();
        if (request.topics() == null) {
            cache.reassignments().keySet().forEach(t -> wanted.put(t, null));
        } else {
            request.topics().forEach(t -> wanted.put(t.name(), t.partitionIndexes()));
        }
        ListPartitionReassignmentsResponseData response =
                new ListPartitionReassignmentsResponseData().setErrorCode(Errors.NONE.code());
        wanted.forEach((topic, partitions) -> {
            Optional<TopicReassignment> request0 = cache.reassignment(topic);
            Optional<TopicView> view = cache.topic(topic);
            if (request0.isEmpty()
                    || view.isEmpty()
                    || !request0.get().getTopicId().equals(view.get().topicId().toString())) {
                return;
            }
            OngoingTopicReassignment out = new OngoingTopicReassignment().setName(topic);
            new TreeMap<>(request0.get().getPartitionsMap()).forEach((p, r) -> {
                if (partitions == null || partitions.contains(p)) {
                    out.partitions().add(ongoing(p, r, view.get().replicas().getOrDefault(p, List.of())));
                }
            });
            if (!out.partitions().isEmpty()) {
                response.topics().add(out);
            }
        });
        return CompletableFuture.completedFuture(response);
    }

    private static OngoingPartitionReassignment ongoing(int partition, PartitionReassignment r, List<Integer> current) {
        ReassignmentRequester.Progress progress = ReassignmentRequester.progress(r, current);
        return new OngoingPartitionReassignment()
                .setPartitionIndex(partition)
                .setReplicas(new ArrayList<>(progress.replicas()))
                .setAddingReplicas(new ArrayList<>(progress.adding()))
                .setRemovingReplicas(new ArrayList<>(progress.removing()));
    }
}
