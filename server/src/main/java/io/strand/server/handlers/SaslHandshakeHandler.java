package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * SaslHandshake where no SASL exchange can start: on a listener without SASL, or on a connection
 * that has authenticated and may not re-authenticate now. Answered ILLEGAL_SASL_STATE, as Kafka's
 * KafkaApis does; the exchange itself is {@link io.strand.server.security.SaslServerAuthenticator}'s,
 * which sees the request first. Stateless.
 */
public record SaslHandshakeHandler() implements ApiHandler<SaslHandshakeRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SASL_HANDSHAKE;
    }

    @Override
    public CompletionStage<SaslHandshakeResponseData> handle(RequestContext ctx, SaslHandshakeRequestData request) {
        return CompletableFuture.completedFuture(
                new SaslHandshakeResponseData().setErrorCode(Errors.ILLEGAL_SASL_STATE.code()));
    }
}
