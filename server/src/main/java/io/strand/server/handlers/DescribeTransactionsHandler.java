package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.txn.TransactionCoordinator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeTransactions: each transactional id's state, producer id and epoch, timeout, start time and
 * partitions, from its coordinator (NOT_COORDINATOR elsewhere, TRANSACTIONAL_ID_NOT_FOUND for an id it
 * does not know), in request order. As Kafka checks: each id needs DESCRIBE (else
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED), and only partitions of topics the principal may DESCRIBE are
 * listed.
 */
public record DescribeTransactionsHandler(TransactionCoordinator transactions, RequestAuthorization auth)
        implements ApiHandler<DescribeTransactionsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_TRANSACTIONS;
    }

    @Override
    public CompletionStage<DescribeTransactionsResponseData> handle(
            RequestContext ctx, DescribeTransactionsRequestData request) {
        List<CompletableFuture<DescribeTransactionsResponseData.TransactionState>> parts = new ArrayList<>();
        Predicate<String> describable = auth.allowedNames(
                ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, request.transactionalIds(), id -> id, true);
        request.transactionalIds()
                .forEach(id -> parts.add(
                        describable.test(id)
                                ? transactions.describe(id)
                                : CompletableFuture.completedFuture(
                                        new DescribeTransactionsResponseData.TransactionState()
                                                .setTransactionalId(id)
                                                .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()))));
        return Batches.allInOrder(parts).thenApply(states -> {
            if (auth.enabled()) {
                Predicate<String> topics = auth.allowedTopics(
                        ctx,
                        AclOperation.DESCRIBE,
                        states.stream().flatMap(s -> s.topics().stream()).toList(),
                        DescribeTransactionsResponseData.TopicData::topic);
                states.forEach(s -> s.topics().removeIf(t -> !topics.test(t.topic())));
            }
            return new DescribeTransactionsResponseData().setTransactionStates(states);
        });
    }
}
