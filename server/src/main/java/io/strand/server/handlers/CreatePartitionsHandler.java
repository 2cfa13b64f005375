package io.strand.server.handlers;

import io.strand.server.admin.AdminErrors;
import io.strand.server.admin.AdminService;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * CreatePartitions: grows each topic through {@link io.strand.coordinator.admin.PartitionAdder} (one
 * multi: the topic znode by CAS plus the new partitions' state znodes), then answers once this
 * broker's metadata cache shows the new count (bounded by the request's timeout), so that a
 * Metadata request sent next already lists the new partitions. Each topic needs ALTER on itself
 * (TOPIC_AUTHORIZATION_FAILED, whether it exists or not), as Kafka checks.
 */
public record CreatePartitionsHandler(AdminService admin, RequestAuthorization auth)
        implements ApiHandler<CreatePartitionsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_PARTITIONS;
    }

    @Override
    public CompletionStage<CreatePartitionsResponseData> handle(
            RequestContext ctx, CreatePartitionsRequestData request) {
        Set<String> duplicated = Batches.repeated(request.topics(), CreatePartitionsTopic::name);
        Predicate<String> alterable =
                auth.allowedTopics(ctx, AclOperation.ALTER, request.topics(), CreatePartitionsTopic::name);
        List<CompletableFuture<CreatePartitionsTopicResult>> results = new ArrayList<>();
        for (CreatePartitionsTopic t : request.topics()) {
            if (duplicated.contains(t.name())) {
                results.add(CompletableFuture.completedFuture(result(
                        t.name(), AdminErrors.of(Errors.INVALID_REQUEST, "Duplicate topic in request: " + t.name()))));
                continue;
            }
            if (!alterable.test(t.name())) {
                results.add(CompletableFuture.completedFuture(
                        result(t.name(), AdminErrors.of(Errors.TOPIC_AUTHORIZATION_FAILED, null))));
                continue;
            }
            results.add(grow(t, request.validateOnly(), request.timeoutMs()));
        }
        return Batches.collect(results, CreatePartitionsResponseData::new, CreatePartitionsResponseData::results);
    }

    private CompletableFuture<CreatePartitionsTopicResult> grow(
            CreatePartitionsTopic t, boolean validateOnly, int timeoutMs) {
        List<List<Integer>> assignment = t.assignments() == null
                ? null
                : t.assignments().stream()
                        .map(a -> (List<Integer>) new ArrayList<>(a.brokerIds()))
                        .toList();
        return admin.call(() -> admin.partitionAdder().add(t.name(), t.count(), assignment, validateOnly))
                .thenCompose(added -> validateOnly
                        ? CompletableFuture.completedFuture(true)
                        : admin.awaitCache(
                                () -> admin.cache()
                                        .topic(t.name())
                                        .filter(view -> view.partitionCount() >= t.count() && view.complete())
                                        .isPresent(),
                                timeoutMs))
                .handle((ok, e) -> result(t.name(), e == null ? AdminErrors.NONE : AdminErrors.of(e)));
    }

    private static CreatePartitionsTopicResult result(String name, AdminErrors error) {
        return new CreatePartitionsTopicResult()
                .setName(name)
                .setErrorCode(error.code())
                .setErrorMessage(error.message());
    }
}
