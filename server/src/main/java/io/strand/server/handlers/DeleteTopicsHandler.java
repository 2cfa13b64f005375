package io.strand.server.handlers;

import io.strand.coordinator.TopicView;
import io.strand.server.admin.AdminErrors;
import io.strand.server.admin.AdminService;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
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
 *
 * <p>Authorization as Kafka's: DELETE on the cluster allows every topic, else each needs DELETE on
 * itself. A topic named that the principal may not DESCRIBE is TOPIC_AUTHORIZATION_FAILED whether it
 * exists or not; one it may describe but not delete is TOPIC_AUTHORIZATION_FAILED once it is known to
 * exist. A topic named by id is answered without its name unless the principal may DESCRIBE it.
 */
public record DeleteTopicsHandler(AdminService admin, RequestAuthorization auth)
        implements ApiHandler<DeleteTopicsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_TOPICS;
    }

    @Override
    public CompletionStage<DeleteTopicsResponseData> handle(RequestContext ctx, DeleteTopicsRequestData request) {
        short version = ctx.apiVersion();
        List<DeleteTopicsRequestData.DeleteTopicState> named = new ArrayList<>();
        if (version >= 6) {
            named.addAll(request.topics());
        } else {
            request.topicNames()
                    .forEach(n -> named.add(new DeleteTopicsRequestData.DeleteTopicState()
                            .setName(n)
                            .setTopicId(Uuid.ZERO_UUID)));
        }
        Access access = access(ctx, named);
        List<CompletableFuture<DeletableTopicResult>> results = new ArrayList<>();
        for (DeleteTopicsRequestData.DeleteTopicState t : named) {
            results.add(delete(t.name(), t.topicId(), request.timeoutMs(), version, access));
        }
        return Batches.collect(results, DeleteTopicsResponseData::new, DeleteTopicsResponseData::responses);
    }

    /** The topics (by their names) the principal may describe and may delete. */
    private record Access(Predicate<String> describable, Predicate<String> deletable) {}

    private Access access(RequestContext ctx, List<DeleteTopicsRequestData.DeleteTopicState> named) {
        if (auth.allowedOnCluster(ctx, AclOperation.DELETE, false)) {
            return new Access(n -> true, n -> true);
        }
        List<String> names = new ArrayList<>();
        for (DeleteTopicsRequestData.DeleteTopicState t : named) {
            if (t.name() != null) {
                names.add(t.name());
            } else if (t.topicId() != null) {
                admin.cache().topic(t.topicId()).ifPresent(v -> names.add(v.name()));
            }
        }
        return new Access(
                auth.allowedTopics(ctx, AclOperation.DESCRIBE, names, n -> n),
                auth.allowedTopics(ctx, AclOperation.DELETE, names, n -> n));
    }

    private CompletableFuture<DeletableTopicResult> delete(
            String name, Uuid id, int timeoutMs, short version, Access access) {
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
            if (!access.deletable().test(name)) { // the name only to whom may describe it
                return refused(access.describable().test(name) ? name : null, id, version);
            }
        } else if (!access.describable().test(name)) {
            return refused(name, id, version);
        } else if (!access.deletable().test(name)) {
            return admin.cache().topic(name).isPresent()
                    ? refused(name, id, version)
                    : CompletableFuture.completedFuture(result(
                            name,
                            id,
                            AdminErrors.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + name + " does not exist"),
                            version));
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

    private static CompletableFuture<DeletableTopicResult> refused(String name, Uuid id, short version) {
        return CompletableFuture.completedFuture(
                result(name, id, AdminErrors.of(Errors.TOPIC_AUTHORIZATION_FAILED, null), version));
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
