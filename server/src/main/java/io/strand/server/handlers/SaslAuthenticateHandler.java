package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * SaslAuthenticate outside a SASL exchange (no SASL on the listener, or after authentication):
 * ILLEGAL_SASL_STATE with Kafka's message. The exchange itself is {@link
 * io.strand.server.security.SaslServerAuthenticator}'s, which sees the request first. Stateless.
 */
public record SaslAuthenticateHandler() implements ApiHandler<SaslAuthenticateRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SASL_AUTHENTICATE;
    }

    @Override
    public CompletionStage<SaslAuthenticateResponseData> handle(
            RequestContext ctx, SaslAuthenticateRequestData request) {
        return CompletableFuture.completedFuture(new SaslAuthenticateResponseData()
                .setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                .setErrorMessage("SaslAuthenticate request received after successful authentication"));
    }
}
