package io.strand.server.handlers;

import io.strand.coordinator.TopicAssignments;
import io.strand.coordinator.TopicCreation;
import io.strand.coordinator.TopicSpec;
import io.strand.coordinator.proto.TopicAssignment;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.topics.TopicService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * CreateTopics: every topic goes through the one creation path. A topic that exists (or that a
 * racing caller created first) is answered TOPIC_ALREADY_EXISTS with the winner's partition count
 * and replication factor in the message. The response is sent once this broker's metadata cache
 * holds the new topics (bounded by the request's timeout).
 *
 * <p>Authorization as Kafka's: CREATE on the cluster allows every topic, else each needs CREATE on
 * itself (TOPIC_AUTHORIZATION_FAILED); a created topic's configs are withheld
 * (topic_config_error_code TOPIC_AUTHORIZATION_FAILED, v5+) without DESCRIBE_CONFIGS on it.
 */
public record CreateTopicsHandler(TopicService topics, RequestAuthorization auth)
        implements ApiHandler<CreateTopicsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_TOPICS;
    }

    @Override
    public CompletionStage<CreateTopicsResponseData> handle(RequestContext ctx, CreateTopicsRequestData request) {
        Set<String> duplicated = Batches.repeated(request.topics(), CreatableTopic::name);
        Predicate<String> creatable = auth.allowedOnCluster(ctx, AclOperation.CREATE, false)
                ? name -> true
                : auth.allowedTopics(ctx, AclOperation.CREATE, request.topics(), CreatableTopic::name);
        Predicate<String> configsVisible = auth.allowedNames(
                ctx, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, request.topics(), CreatableTopic::name, false);
        List<CompletableFuture<CreatableTopicResult>> results = new ArrayList<>();
        for (CreatableTopic t : request.topics()) {
            if (duplicated.contains(t.name())) {
                results.add(CompletableFuture.completedFuture(error(
                        t.name(),
                        Errors.INVALID_REQUEST,
                        "topic " + t.name() + " appears more than once in the request")));
            } else if (!creatable.test(t.name())) {
                results.add(CompletableFuture.completedFuture(
                        error(t.name(), Errors.TOPIC_AUTHORIZATION_FAILED, "Authorization failed.")));
            } else {
                boolean withholdConfigs = ctx.apiVersion() >= 5 && !configsVisible.test(t.name());
                results.add(create(t, request.validateOnly(), request.timeoutMs())
                        .thenApply(r -> withholdConfigs && r.errorCode() == Errors.NONE.code()
                                ? r.setTopicConfigErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                                : r));
            }
        }
        return Batches.collect(results, CreateTopicsResponseData::new, CreateTopicsResponseData::topics);
    }

    private CompletableFuture<CreatableTopicResult> create(CreatableTopic t, boolean validateOnly, int timeoutMs) {
        Map<Integer, List<Integer>> manual = new HashMap<>();
        t.assignments().forEach(a -> manual.put(a.partitionIndex(), new ArrayList<>(a.brokerIds())));
        Map<String, String> configs = new HashMap<>();
        t.configs().forEach(c -> configs.put(c.name(), c.value()));
        if (!manual.isEmpty() && (t.numPartitions() != -1 || t.replicationFactor() != -1)) {
            return CompletableFuture.completedFuture(error(
                    t.name(),
                    Errors.INVALID_REQUEST,
                    "give either a replica assignment or numPartitions/replicationFactor, not both"));
        }
        TopicSpec spec = new TopicSpec(t.name(), t.numPartitions(), t.replicationFactor(), manual, configs);
        return topics.create(spec, validateOnly, Math.max(0, timeoutMs)).thenApply(outcome -> {
            if (outcome instanceof TopicCreation.Created c) {
                return success(t.name(), c.assignment());
            } else if (outcome instanceof TopicCreation.Validated v) {
                return success(t.name(), v.assignment());
            } else if (outcome instanceof TopicCreation.AlreadyExists e) {
                TopicAssignment w = e.winner();
                return error(
                        t.name(),
                        Errors.TOPIC_ALREADY_EXISTS,
                        "Topic '" + t.name() + "' already exists with " + w.getPartitionsCount()
                                + " partitions and replication factor " + replicationFactor(w) + ".");
            } else {
                TopicCreation.Rejected r = (TopicCreation.Rejected) outcome;
                return error(t.name(), TopicService.errorOf(r.reason()), r.message());
            }
        });
    }

    private static CreatableTopicResult success(String name, TopicAssignment a) {
        return new CreatableTopicResult()
                .setName(name)
                .setTopicId(TopicAssignments.topicId(a))
                .setErrorCode(Errors.NONE.code())
                .setNumPartitions(a.getPartitionsCount())
                .setReplicationFactor((short) replicationFactor(a));
    }

    private static int replicationFactor(TopicAssignment a) {
        return a.getPartitionsMap().values().stream()
                .mapToInt(r -> r.getReplicasCount())
                .max()
                .orElse(0);
    }

    private static CreatableTopicResult error(String name, Errors error, String message) {
        return new CreatableTopicResult()
                .setName(name)
                .setErrorCode(error.code())
                .setErrorMessage(message)
                .setNumPartitions(-1)
                .setReplicationFactor((short) -1);
    }
}
