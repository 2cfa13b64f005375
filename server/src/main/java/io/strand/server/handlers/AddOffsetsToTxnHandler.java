package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.txn.TransactionCoordinator;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * AddOffsetsToTxn: the group's {@code __consumer_offsets} partition (the group coordinator's
 * mapping) joins the transaction, so that its TxnOffsetCommit is completed by the transaction's
 * marker. PRODUCER_FENCED is INVALID_PRODUCER_EPOCH before v2, as Kafka answers older clients.
 */
public record AddOffsetsToTxnHandler(TransactionCoordinator transactions)
        implements ApiHandler<AddOffsetsToTxnRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ADD_OFFSETS_TO_TXN;
    }

    @Override
    public CompletionStage<AddOffsetsToTxnResponseData> handle(RequestContext ctx, AddOffsetsToTxnRequestData request) {
        short version = ctx.apiVersion();
        if (request.groupId() == null || request.groupId().isEmpty()) {
            return java.util.concurrent.CompletableFuture.completedFuture(
                    new AddOffsetsToTxnResponseData().setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        return transactions
                .addOffsets(request.transactionalId(), request.producerId(), request.producerEpoch(), request.groupId())
                .thenApply(e -> new AddOffsetsToTxnResponseData()
                        .setErrorCode((version < 2 && e == Errors.PRODUCER_FENCED ? Errors.INVALID_PRODUCER_EPOCH : e)
                                .code()));
    }
}
