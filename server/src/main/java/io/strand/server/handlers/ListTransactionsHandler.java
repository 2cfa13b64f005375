package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.txn.TransactionCoordinator;
import io.strand.server.txn.TxnListing;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.InvalidRegularExpression;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ListTransactions: the transactional ids this broker coordinates, filtered by state (unknown state
 * names are answered back), producer id, duration (v1) and transactional id pattern (v2, a regular
 * expression the id must match; INVALID_REGULAR_EXPRESSION if it does not compile);
 * COORDINATOR_LOAD_IN_PROGRESS while one of its {@code __transaction_state} partitions loads. Only the
 * ids the principal may DESCRIBE are listed, as Kafka checks.
 */
public record ListTransactionsHandler(TransactionCoordinator transactions, RequestAuthorization auth)
        implements ApiHandler<ListTransactionsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_TRANSACTIONS;
    }

    @Override
    public CompletionStage<ListTransactionsResponseData> handle(
            RequestContext ctx, ListTransactionsRequestData request) {
        short version = ctx.apiVersion();
        TxnListing.Filter filter;
        try {
            filter = TxnListing.Filter.of(
                    request.stateFilters(),
                    request.producerIdFilters(),
                    version >= 1 ? request.durationFilter() : -1,
                    version >= 2 ? request.transactionalIdPattern() : null);
        } catch (InvalidRegularExpression e) {
            return CompletableFuture.completedFuture(
                    new ListTransactionsResponseData().setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code()));
        }
        return transactions.list(filter).thenApply(listed -> {
            Predicate<String> describable = auth.allowedNames(
                    ctx,
                    AclOperation.DESCRIBE,
                    ResourceType.TRANSACTIONAL_ID,
                    listed.transactionStates(),
                    ListTransactionsResponseData.TransactionState::transactionalId,
                    true);
            listed.transactionStates().removeIf(s -> !describable.test(s.transactionalId()));
            return listed;
        });
    }
}
