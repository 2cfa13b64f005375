package io.strand.server.network;

import java.net.InetSocketAddress;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Who sent a request and how: its header, the connection it came on and the listener that
 * accepted it. Immutable.
 */
public record RequestContext(
        RequestHeader header,
        String connectionId,
        InetSocketAddress clientAddress,
        String listenerName,
        long receivedNanos) {
    public ApiKeys apiKey() {
        return header.apiKey();
    }

    public short apiVersion() {
        return header.apiVersion();
    }

    public String clientId() {
        return header.clientId();
    }

    public int correlationId() {
        return header.correlationId();
    }
}
