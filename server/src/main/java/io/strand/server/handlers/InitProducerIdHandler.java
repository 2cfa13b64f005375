package io.strand.server.handlers;

import io.strand.coordinator.ProducerIdManager;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * InitProducerId for idempotent (non-transactional) producers: a fresh producer id at epoch 0 from
 * the ZooKeeper-claimed id blocks, as Kafka does for a producer without a transactional id (the
 * client bumps its epoch itself when it resets). Transactions are not supported: a transactional id
 * is answered with an error that says so.
 */
public record InitProducerIdHandler(ProducerIdManager producerIds, Executor blockingPool)
        implements ApiHandler<InitProducerIdRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    @Override
    public CompletionStage<InitProducerIdResponseData> handle(RequestContext ctx, InitProducerIdRequestData request) {
        if (request.transactionalId() != null) {
            return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                    .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())
                    .setProducerId(-1)
                    .setProducerEpoch((short) -1));
        }
        return CompletableFuture.supplyAsync(
                () -> new InitProducerIdResponseData()
                        .setErrorCode(Errors.NONE.code())
                        .setProducerId(producerIds.nextProducerId())
                        .setProducerEpoch((short) 0),
                blockingPool);
    }
}
