package io.strand.server.network;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;

/**
 * Who sent a request and how: its header, the connection it came on, the listener that accepted
 * it, its security protocol and the principal the connection authenticated as
 * ({@link KafkaPrincipal#ANONYMOUS} until then, and on PLAINTEXT). It is the context Kafka's
 * {@link org.apache.kafka.server.authorizer.Authorizer} takes. Immutable.
 */
public record RequestContext(
        RequestHeader header,
        String connectionId,
        InetSocketAddress remoteAddress,
        String listenerName,
        SecurityProtocol securityProtocol,
        KafkaPrincipal principal,
        long receivedNanos)
        implements AuthorizableRequestContext {
    public ApiKeys apiKey() {
        return header.apiKey();
    }

    public short apiVersion() {
        return header.apiVersion();
    }

    @Override
    public String clientId() {
        return header.clientId();
    }

    @Override
    public int correlationId() {
        return header.correlationId();
    }

    @Override
    public InetAddress clientAddress() {
        return remoteAddress == null ? null : remoteAddress.getAddress();
    }

    @Override
    public int requestType() {
        return header.apiKey().id;
    }

    @Override
    public int requestVersion() {
        return header.apiVersion();
    }
}
