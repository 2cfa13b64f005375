package io.strand.server.network;

/**
 * A handler's answer that is no response at all: when a handler's stage fails with this, the
 * connection is closed once every earlier response on it has been written, and this request's
 * response is never sent (as Kafka's broker answers a request it must not answer normally, by
 * closing the connection so that the client notices). The request may already have taken effect.
 */
public final class CloseConnectionException extends RuntimeException {
    public CloseConnectionException(String reason) {
        super(reason, null, false, false);
    }
}
