package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicCreation;
import io.strand.coordinator.TopicSpec;
import io.strand.coordinator.TopicView;
import io.strand.server.BrokerConfig;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.topics.TopicService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Metadata: live brokers (at the endpoint of the listener the request came on), the cluster id,
 * the controller, and topics with partition leaders, leader epochs, replicas and ISR from the
 * metadata cache. An unknown topic is created through the one creation path when
 * {@code auto.create.topics.enable} and the request allow it.
 *
 * <p>Authorization as Kafka's: all topics lists only those the principal may DESCRIBE (denials not
 * logged); a topic asked for by name or id that it may not DESCRIBE is TOPIC_AUTHORIZATION_FAILED
 * (by id without its name); auto-creation needs CREATE on the cluster or on the topic
 * (TOPIC_AUTHORIZATION_FAILED). Authorized operations are computed when asked and an authorizer is
 * configured.
 */
public record MetadataHandler(BrokerConfig config, MetadataCache cache, TopicService topics, RequestAuthorization auth)
        implements ApiHandler<MetadataRequestData> {
    private static final long AUTO_CREATE_WAIT_MS = 5_000;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.METADATA;
    }

    @Override
    public CompletionStage<MetadataResponseData> handle(RequestContext ctx, MetadataRequestData request) {
        short version = ctx.apiVersion();
        boolean allTopics =
                request.topics() == null || (version == 0 && request.topics().isEmpty());
        boolean mayCreate = config.autoCreateTopicsEnable() && (version < 4 || request.allowAutoTopicCreation());

        List<CompletableFuture<MetadataResponseTopic>> topicFutures = new ArrayList<>();
        if (allTopics) {
            List<TopicView> all = cache.topics().stream()
                    .sorted((a, b) -> a.name().compareTo(b.name()))
                    .toList();
            Predicate<String> describable =
                    auth.allowedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, all, TopicView::name, false);
            all.stream()
                    .filter(t -> describable.test(t.name()))
                    .forEach(t -> topicFutures.add(CompletableFuture.completedFuture(describe(t, version))));
        } else {
            Predicate<String> describable =
                    auth.allowedTopics(ctx, AclOperation.DESCRIBE, request.topics(), this::nameOf);
            Predicate<String> creatable = creatable(ctx, request, mayCreate, describable);
            for (MetadataRequestData.MetadataRequestTopic rt : request.topics()) {
                topicFutures.add(resolve(rt, version, mayCreate, describable, creatable));
            }
        }
        return Batches.allInOrder(topicFutures).thenApply(answered -> {
            MetadataResponseData response = new MetadataResponseData()
                    .setClusterId(cache.clusterId())
                    .setControllerId(cache.controllerId() >= 0 ? cache.controllerId() : config.brokerId());
            addBrokers(response, ctx.listenerName());
            response.topics().addAll(answered);
            if (version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations()) {
                response.setClusterAuthorizedOperations(clusterOperations(ctx));
            }
            if (version >= 8 && request.includeTopicAuthorizedOperations() && auth.enabled()) {
                answered.stream()
                        .filter(t -> t.name() != null && t.errorCode() != Errors.TOPIC_AUTHORIZATION_FAILED.code())
                        .forEach(t -> t.setTopicAuthorizedOperations(
                                auth.authorizedOperations(ctx, ResourceType.TOPIC, t.name())));
            }
            return response;
        });
    }

    /** The name a requested topic is authorized by: its own, or by id the topic's (null if unknown). */
    private String nameOf(MetadataRequestData.MetadataRequestTopic rt) {
        if (askedById(rt)) {
            return rt.topicId() == null
                    ? null
                    : cache.topic(rt.topicId()).map(TopicView::name).orElse(null);
        }
        return rt.name();
    }

    private static boolean askedById(MetadataRequestData.MetadataRequestTopic rt) {
        boolean byTopicId = rt.topicId() != null && !rt.topicId().equals(Uuid.ZERO_UUID);
        return rt.name() == null || (rt.name().isEmpty() && byTopicId); // v10+; consumers of KIP-848
    }

    /**
     * The unknown topics asked for that may be auto-created: all with CREATE on the cluster, else those
     * with CREATE on the topic (decided in one call; the cluster's denial is not logged).
     */
    private Predicate<String> creatable(
            RequestContext ctx, MetadataRequestData request, boolean mayCreate, Predicate<String> describable) {
        if (!mayCreate || !auth.enabled() || auth.allowedOnCluster(ctx, AclOperation.CREATE, false)) {
            return name -> true;
        }
        List<String> missing = request.topics().stream()
                .filter(rt -> !askedById(rt))
                .map(MetadataRequestData.MetadataRequestTopic::name)
                .filter(name -> describable.test(name) && cache.topic(name).isEmpty())
                .toList();
        return auth.allowedTopics(ctx, AclOperation.CREATE, missing, name -> name);
    }

    /** The cluster's authorized operations: none without DESCRIBE on it; omitted without an authorizer. */
    private int clusterOperations(RequestContext ctx) {
        if (!auth.enabled()) {
            return MetadataAnswers.AUTHORIZED_OPERATIONS_OMITTED;
        }
        return auth.allowedOnCluster(ctx, AclOperation.DESCRIBE)
                ? auth.authorizedOperations(ctx, ResourceType.CLUSTER, Resource.CLUSTER_NAME)
                : 0;
    }

    private CompletableFuture<MetadataResponseTopic> resolve(
            MetadataRequestData.MetadataRequestTopic rt,
            short version,
            boolean mayCreate,
            Predicate<String> describable,
            Predicate<String> creatable) {
        if (askedById(rt)) {
            Uuid id = rt.topicId();
            Optional<TopicView> byId = id == null || id.equals(Uuid.ZERO_UUID) ? Optional.empty() : cache.topic(id);
            if (byId.isPresent() && !describable.test(byId.get().name())) {
                // topic ids are not secret: the id is answered, the name is not
                return CompletableFuture.completedFuture(
                        errorTopic(null, Errors.TOPIC_AUTHORIZATION_FAILED).setTopicId(id));
            }
            return CompletableFuture.completedFuture(byId.map(t -> describe(t, version))
                    .orElseGet(() -> new MetadataResponseTopic()
                            .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code())
                            .setTopicId(id)
                            .setName(null)));
        }
        String name = rt.name();
        if (!describable.test(name)) { // whether it exists is not disclosed
            return CompletableFuture.completedFuture(errorTopic(name, Errors.TOPIC_AUTHORIZATION_FAILED));
        }
        Optional<TopicView> known = cache.topic(name);
        if (known.isPresent()) {
            return CompletableFuture.completedFuture(describe(known.get(), version));
        }
        if (!mayCreate || Topic.isInternal(name)) {
            return CompletableFuture.completedFuture(errorTopic(name, Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        if (!creatable.test(name)) {
            return CompletableFuture.completedFuture(errorTopic(name, Errors.TOPIC_AUTHORIZATION_FAILED));
        }
        if (!Topic.isValid(name)) {
            return CompletableFuture.completedFuture(errorTopic(name, Errors.INVALID_TOPIC_EXCEPTION));
        }
        return topics.create(TopicSpec.of(name, -1, -1), false, AUTO_CREATE_WAIT_MS)
                .thenApply(outcome -> {
                    if (outcome instanceof TopicCreation.Rejected r) {
                        return errorTopic(name, TopicService.errorOf(r.reason()));
                    }
                    return cache.topic(name)
                            .filter(TopicView::complete)
                            .map(t -> describe(t, version))
                            .orElseGet(() -> errorTopic(name, Errors.LEADER_NOT_AVAILABLE));
                });
    }

    private static MetadataResponseTopic errorTopic(String name, Errors error) {
        return new MetadataResponseTopic()
                .setName(name)
                .setErrorCode(error.code())
                .setTopicAuthorizedOperations(MetadataAnswers.AUTHORIZED_OPERATIONS_OMITTED);
    }

    private MetadataResponseTopic describe(TopicView t, short version) {
        MetadataResponseTopic out = new MetadataResponseTopic()
                .setName(t.name())
                .setTopicId(version >= 10 ? t.topicId() : Uuid.ZERO_UUID)
                .setIsInternal(Topic.isInternal(t.name()))
                .setTopicAuthorizedOperations(MetadataAnswers.AUTHORIZED_OPERATIONS_OMITTED)
                .setErrorCode(Errors.NONE.code());
        for (Map.Entry<Integer, List<Integer>> e : t.replicas().entrySet()) {
            out.partitions().add(MetadataAnswers.partition(cache, e.getKey(), e.getValue(), t.partition(e.getKey())));
        }
        return out;
    }

    private void addBrokers(MetadataResponseData response, String listenerName) {
        for (MetadataAnswers.LiveBroker b : MetadataAnswers.liveBrokers(cache, listenerName)) {
            response.brokers()
                    .add(new MetadataResponseData.MetadataResponseBroker()
                            .setNodeId(b.id())
                            .setHost(b.host())
                            .setPort(b.port())
                            .setRack(b.rack()));
        }
    }
}
