package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.txn.TransactionCoordinator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * EndTxn: commit or abort, answered once PrepareCommit/PrepareAbort is written (the markers follow).
 * A retry of a completed commit or abort is answered NONE; the other direction INVALID_TXN_STATE; a
 * retry while the markers are being written CONCURRENT_TRANSACTIONS. Every version has the classic
 * (transaction version 1) semantics: v5's producer id and epoch are the transaction's, unchanged
 * (Strand does not finalize transaction.version 2, under which a client would send v5).
 * PRODUCER_FENCED is INVALID_PRODUCER_EPOCH before v2. Needs WRITE on the transactional id (else
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED), as Kafka checks.
 */
public record EndTxnHandler(TransactionCoordinator transactions, RequestAuthorization auth)
        implements ApiHandler<EndTxnRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.END_TXN;
    }

    @Override
    public CompletionStage<EndTxnResponseData> handle(RequestContext ctx, EndTxnRequestData request) {
        short version = ctx.apiVersion();
        if (!auth.allowed(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId())) {
            return CompletableFuture.completedFuture(
                    new EndTxnResponseData().setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
        }
        return transactions
                .endTxn(request.transactionalId(), request.producerId(), request.producerEpoch(), request.committed())
                .thenApply(r -> {
                    Errors e = version < 2 && r.error() == Errors.PRODUCER_FENCED
                            ? Errors.INVALID_PRODUCER_EPOCH
                            : r.error();
                    return new EndTxnResponseData()
                            .setErrorCode(e.code())
                            .setProducerId(r.producerId())
                            .setProducerEpoch(r.producerEpoch());
                });
    }
}
