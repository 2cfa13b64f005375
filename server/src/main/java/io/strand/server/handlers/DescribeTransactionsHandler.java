package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.txn.TransactionCoordinator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * DescribeTransactions: each transactional id's state, producer id and epoch, timeout, start time and
 * partitions, from its coordinator (NOT_COORDINATOR elsewhere, TRANSACTIONAL_ID_NOT_FOUND for an id it
 * does not know), in request order.
 */
public record DescribeTransactionsHandler(TransactionCoordinator transactions)
        implements ApiHandler<DescribeTransactionsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_TRANSACTIONS;
    }

    @Override
    public CompletionStage<DescribeTransactionsResponseData> handle(
            RequestContext ctx, DescribeTransactionsRequestData request) {
        List<CompletableFuture<DescribeTransactionsResponseData.TransactionState>> parts = new ArrayList<>();
        request.transactionalIds().forEach(id -> parts.add(transactions.describe(id)));
        return Batches.allInOrder(parts)
                .thenApply(states -> new DescribeTransactionsResponseData().setTransactionStates(states));
    }
}
