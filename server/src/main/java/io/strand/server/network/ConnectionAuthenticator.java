package io.strand.server.network;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * One connection's authentication, consulted by {@link KafkaFrameDecoder} and {@link RequestChannel}
 * before a frame reaches its API handler: it says how large a frame may be now, who the requests
 * read now come from, and may answer a request itself (the SASL exchange), pass it on, or close
 * the connection. {@link #NONE} (PLAINTEXT, SSL) passes everything, the principal being the transport's.
 *
 * <p>Threading: every method is called on the connection's event loop only, in the order the
 * frames arrived; implementations keep per-connection state without locks and must not block.
 */
public interface ConnectionAuthenticator {
    /** Makes the authenticator of each new connection on a listener. */
    @FunctionalInterface
    interface Factory {
        ConnectionAuthenticator create(SocketAddress peer);
    }

    /** What to do with a request frame. */
    sealed interface Verdict {}

    /** Give the request to its handler. */
    enum Pass implements Verdict {
        INSTANCE
    }

    /**
     * Answered here: write {@code response} (at the request's version) in its turn; with {@code
     * thenClose}, close the connection once it is written (a failed authentication).
     */
    record Respond(ApiMessage response, boolean thenClose) implements Verdict {}

    /**
     * A raw SASL token (after SaslHandshake v0, no Kafka header) was consumed: write {@code token}
     * size-prefixed in its turn, unless null; with {@code thenClose}, close after it.
     */
    record RespondRaw(byte[] token, boolean thenClose) implements Verdict {}

    /** Close the connection without an answer; {@code reason} is logged. */
    record Close(String reason) implements Verdict {}

    /**
     * The principal of requests read now; null when the connection's transport names it ({@link
     * ConnectionPrincipal}: a TLS client certificate, else ANONYMOUS).
     */
    KafkaPrincipal principal();

    /** The largest frame accepted now, given {@code socket.request.max.bytes}. */
    int maxFrameBytes(int socketRequestMaxBytes);

    /** Whether the next frame is a raw SASL token rather than a Kafka request (SaslHandshake v0). */
    boolean expectsRawToken();

    /** Consumes a raw SASL token; only called while {@link #expectsRawToken()}. */
    Verdict onRawToken(ByteBuffer token, long nowNanos);

    /**
     * Decides about a request whose header was parsed; {@code body} is positioned after the header
     * and must be left there when the verdict is {@link Pass}.
     */
    Verdict onRequest(RequestHeader header, ByteBuffer body, long nowNanos);

    /** No SASL (PLAINTEXT and SSL listeners): the principal is the transport's. */
    ConnectionAuthenticator NONE = new ConnectionAuthenticator() {
        @Override
        public KafkaPrincipal principal() {
            return null;
        }

        @Override
        public int maxFrameBytes(int socketRequestMaxBytes) {
            return socketRequestMaxBytes;
        }

        @Override
        public boolean expectsRawToken() {
            return false;
        }

        @Override
        public Verdict onRawToken(ByteBuffer token, long nowNanos) {
            throw new IllegalStateException("no raw tokens on an unauthenticated listener");
        }

        @Override
        public Verdict onRequest(RequestHeader header, ByteBuffer body, long nowNanos) {
            return Pass.INSTANCE;
        }
    };
}
