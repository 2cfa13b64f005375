package io.strand.server.handlers;

import io.strand.coordinator.ProducerIdManager;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.txn.TransactionCoordinator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.internals.ProducerIdAndEpoch;

/**
 * InitProducerId. Without a transactional id (idempotent producers): a fresh producer id at epoch 0
 * from the ZooKeeper-claimed id blocks, as Kafka does (the client bumps its epoch itself when it
 * resets). With one: the transaction coordinator's answer (a new id at epoch 0, or the existing id at
 * the next epoch, fencing the previous instance; KIP-360 producer id and epoch from v3). Two-phase
 * commit (v6 {@code enable2Pc}, KIP-939) is not offered: TRANSACTIONAL_ID_AUTHORIZATION_FAILED, as
 * Kafka answers when it is not allowed. PRODUCER_FENCED is INVALID_PRODUCER_EPOCH before v4.
 *
 * <p>Authorization as Kafka's (3.x rules, KIP-679): a transactional producer needs WRITE on its
 * transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED); an idempotent one IDEMPOTENT_WRITE on
 * the cluster or WRITE on some topic (else CLUSTER_AUTHORIZATION_FAILED).
 */
public record InitProducerIdHandler(
        ProducerIdManager producerIds,
        TransactionCoordinator transactions,
        Executor blockingPool,
        RequestAuthorization auth)
        implements ApiHandler<InitProducerIdRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    @Override
    public CompletionStage<InitProducerIdResponseData> handle(RequestContext ctx, InitProducerIdRequestData request) {
        short version = ctx.apiVersion();
        if (request.transactionalId() == null) {
            if (!auth.allowedOnCluster(ctx, AclOperation.IDEMPOTENT_WRITE, false)
                    && !auth.allowedByResourceType(ctx, AclOperation.WRITE, ResourceType.TOPIC)) {
                return CompletableFuture.completedFuture(error(Errors.CLUSTER_AUTHORIZATION_FAILED));
            }
            return CompletableFuture.supplyAsync(
                    () -> new InitProducerIdResponseData()
                            .setErrorCode(Errors.NONE.code())
                            .setProducerId(producerIds.nextProducerId())
                            .setProducerEpoch((short) 0),
                    blockingPool);
        }
        if (!auth.allowed(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId())) {
            return CompletableFuture.completedFuture(error(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        }
        if (version >= 6 && (request.enable2Pc() || request.keepPreparedTxn())) {
            return CompletableFuture.completedFuture(error(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        }
        Optional<ProducerIdAndEpoch> expected = Optional.empty();
        if (version >= 3 && request.producerId() != RecordBatch.NO_PRODUCER_ID) {
            expected = Optional.of(new ProducerIdAndEpoch(request.producerId(), request.producerEpoch()));
        }
        return transactions
                .initProducerId(request.transactionalId(), request.transactionTimeoutMs(), expected)
                .thenApply(r -> {
                    if (r.error() != Errors.NONE) {
                        Errors e = version < 4 && r.error() == Errors.PRODUCER_FENCED
                                ? Errors.INVALID_PRODUCER_EPOCH
                                : r.error();
                        return error(e);
                    }
                    return new InitProducerIdResponseData()
                            .setErrorCode(Errors.NONE.code())
                            .setProducerId(r.producerId())
                            .setProducerEpoch(r.producerEpoch());
                });
    }

    private static InitProducerIdResponseData error(Errors e) {
        return new InitProducerIdResponseData()
                .setErrorCode(e.code())
                .setProducerId(RecordBatch.NO_PRODUCER_ID)
                .setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH);
    }
}
