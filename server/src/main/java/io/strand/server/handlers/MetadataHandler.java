package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicCreation;
import io.strand.coordinator.TopicSpec;
import io.strand.coordinator.TopicView;
import io.strand.server.BrokerConfig;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.topics.TopicService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * Metadata: live brokers (at the endpoint of the listener the request came on), the cluster id,
 * the controller, and topics with partition leaders, leader epochs, replicas and ISR from the
 * metadata cache. An unknown topic is created through the one creation path when
 * {@code auto.create.topics.enable} and the request allow it.
 */
public record MetadataHandler(BrokerConfig config, MetadataCache cache, TopicService topics)
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
            cache.topics().stream()
                    .sorted((a, b) -> a.name().compareTo(b.name()))
                    .forEach(t -> topicFutures.add(CompletableFuture.completedFuture(describe(t, version))));
        } else {
            for (MetadataRequestData.MetadataRequestTopic rt : request.topics()) {
                topicFutures.add(resolve(rt, version, mayCreate));
            }
        }
        return Batches.allInOrder(topicFutures).thenApply(answered -> {
            MetadataResponseData response = new MetadataResponseData()
                    .setClusterId(cache.clusterId())
                    .setControllerId(cache.controllerId() >= 0 ? cache.controllerId() : config.brokerId());
            addBrokers(response, ctx.listenerName());
            response.topics().addAll(answered);
            if (version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations()) {
                response.setClusterAuthorizedOperations(MetadataAnswers.AUTHORIZED_OPERATIONS_OMITTED);
            }
            return response;
        });
    }

    private CompletableFuture<MetadataResponseTopic> resolve(
            MetadataRequestData.MetadataRequestTopic rt, short version, boolean mayCreate) {
        boolean byTopicId = rt.topicId() != null && !rt.topicId().equals(Uuid.ZERO_UUID);
        if (rt.name() == null || (rt.name().isEmpty() && byTopicId)) { // asked by id (v10+; consumers of KIP-848)
            Uuid id = rt.topicId();
            Optional<TopicView> byId = id == null || id.equals(Uuid.ZERO_UUID) ? Optional.empty() : cache.topic(id);
            return CompletableFuture.completedFuture(byId.map(t -> describe(t, version))
                    .orElseGet(() -> new MetadataResponseTopic()
                            .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code())
                            .setTopicId(id)
                            .setName(null)));
        }
        String name = rt.name();
        Optional<TopicView> known = cache.topic(name);
        if (known.isPresent()) {
            return CompletableFuture.completedFuture(describe(known.get(), version));
        }
        if (!mayCreate || Topic.isInternal(name)) {
            return CompletableFuture.completedFuture(errorTopic(name, Errors.UNKNOWN_TOPIC_OR_PARTITION));
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
