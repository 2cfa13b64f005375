package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.txn.TransactionCoordinator;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * AddOffsetsToTxn: the group's {@code __consumer_offsets} partition (the group coordinator's
 * mapping) joins the transaction, so that its TxnOffsetCommit is completed by the transaction's
 * marker. PRODUCER_FENCED is INVALID_PRODUCER_EPOCH before v2, as Kafka answers older clients. Needs
 * WRITE on the transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and READ on the group
 * (else GROUP_AUTHORIZATION_FAILED), as Kafka checks.
 */
public record AddOffsetsToTxnHandler(TransactionCoordinator transactions, RequestAuthorization auth)
        implements ApiHandler<AddOffsetsToTxnRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ADD_OFFSETS_TO_TXN;
    }

    @Override
    public CompletionStage<AddOffsetsToTxnResponseData> handle(RequestContext ctx, AddOffsetsToTxnRequestData request) {
        short version = ctx.apiVersion();
        if (!auth.allowed(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId())) {
            return java.util.concurrent.CompletableFuture.completedFuture(new AddOffsetsToTxnResponseData()
                    .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
        }
        if (!auth.allowed(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId())) {
            return java.util.concurrent.CompletableFuture.completedFuture(
                    new AddOffsetsToTxnResponseData().setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
        }
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
