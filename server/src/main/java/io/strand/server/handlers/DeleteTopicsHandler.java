package io.strand.server.handlers;

import io.strand.coordinator.TopicView;
import io.strand.server.admin.AdminErrors;
import io.strand.server.admin.AdminService;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * DeleteTopics: marks each topic for deletion ({@code /admin/delete_topics/<t>}, create-if-absent),
 * then waits, bounded by the request's timeout, until this broker's cache no longer holds the topic
 * (the controller has removed it); past the timeout the topic is answered REQUEST_TIMED_OUT while
 * its deletion goes on, as Kafka does. Topics are named by name (v1-v5) or by name or id (v6).
 */
public record DeleteTopicsHandler(AdminService admin) implements ApiHandler<DeleteTopicsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_TOPICS;
    }

    @Override
    public CompletionStage<DeleteTopicsResponseData> handle(RequestContext ctx, DeleteTopicsRequestData request) {
        short version = ctx.apiVersion();
        List<CompletableFuture<DeletableTopicResult>> results = new ArrayList<>();
        if (version >= 6) {
            for (DeleteTopicsRequestData.DeleteTopicState t : request.topics()) {
                results.add(delete(t.name(), t.topicId(), request.timeoutMs(), version));
            }
        } else {
            for (String name : request.topicNames()) {
                results.add(delete(name, Uuid.ZERO_UUID, request.timeoutMs(), version));
            }
        }
        return Batches.collect(results, DeleteTopicsResponseData::new, DeleteTopicsResponseData::responses);
    }

    private CompletableFuture<DeletableTopicResult> delete(String name, Uuid id, int timeoutMs, short version) {
        boolean byId = name == null && id != null && !Uuid.ZERO_UUID.equals(id);
        if (name == null && !byId) {
            return CompletableFuture.completedFuture(result(
                    null,
                    Uuid.ZERO_UUID,
                    AdminErrors.of(Errors.INVALID_REQUEST, "neither a topic name nor a topic id"),
                    version));
        }
        if (byId) {
            Optional<TopicView> view = admin.cache().topic(id);
            if (view.isEmpty()) {
                return CompletableFuture.completedFuture(result(
                        null,
                        id,
                        AdminErrors.of(Errors.UNKNOWN_TOPIC_ID, "Topic id " + id + " does not exist"),
                        version));
            }
            name = view.get().name();
        }
        String topic = name;
        if (Topic.isInternal(topic)) {
            return CompletableFuture.completedFuture(result(
                    topic,
                    id,
                    AdminErrors.of(Errors.INVALID_REQUEST, "Topic " + topic + " is internal and cannot be deleted"),
                    version));
        }
        return admin.call(() -> admin.topicDeleter().markForDeletion(topic))
                .thenCompose(deletedId -> admin.awaitCache(
                                () -> admin.cache()
                                        .topic(topic)
                                        .map(v -> !v.topicId().equals(deletedId))
                                        .orElse(true),
                                timeoutMs)
                        .thenApply(gone -> result(
                                topic,
                                deletedId,
                                gone
                                        ? AdminErrors.NONE
                                        : AdminErrors.of(
                                                Errors.REQUEST_TIMED_OUT,
                                                "Topic " + topic + " is marked for deletion; its deletion was not "
                                                        + "complete within " + timeoutMs + " ms and goes on"),
                                version)))
                .exceptionally(e -> result(topic, id, AdminErrors.of(e), version));
    }

    private static DeletableTopicResult result(String name, Uuid id, AdminErrors error, short version) {
        DeletableTopicResult r = new DeletableTopicResult().setName(name).setErrorCode(error.code());
        if (version >= 5) {
            r.setErrorMessage(error.message());
        }
        if (version >= 6) {
            r.setTopicId(id == null ? Uuid.ZERO_UUID : id);
        }
        return r;
    }
}
