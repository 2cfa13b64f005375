package io.strand.server.network;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A blocking connection from this broker to another, speaking the Kafka protocol with
 * kafka-clients' generated classes: one request, then its response; a failed exchange closes it and
 * the next one reconnects. The socket is opened, and authenticated, by the {@link BrokerConnector}
 * (plain or TLS, per the inter-broker listener); a SASL session with an end is renewed by reconnecting
 * before it. Used by one thread that owns it (a replica fetcher,
 * a transaction-marker sender). Not thread-safe.
 */
public final class BrokerClient implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final String clientId;
    private final InetSocketAddress address;
    private final int maxResponseBytes;
    private final BrokerConnector connector;
    private Socket socket;
    private OutputStream out;
    private DataInputStream in;
    private int correlationId;
    /** When to start a new connection because the authenticated session is about to end; 0: never. */
    private long renewAtNanos;
    /** {@link #sendReusingBuffer}'s response buffer, kept from one call to the next (null until the first). */
    private byte[] reusable;

    BrokerClient(String clientId, InetSocketAddress address, int maxResponseBytes, BrokerConnector connector) {
        this.clientId = clientId;
        this.address = address;
        this.maxResponseBytes = maxResponseBytes;
        this.connector = connector;
    }

    public InetSocketAddress address() {
        return address;
    }

    /**
     * Sends {@code request} at {@code version} and waits for its response.
     *
     * @throws IOException if the connection fails; the next call reconnects
     */
    public AbstractResponse send(ApiKeys api, short version, ApiMessage request, int timeoutMs) throws IOException {
        return send(api, version, request, timeoutMs, false);
    }

    /**
     * As {@link #send}, but the response is read into a buffer this client keeps for its next call (grown as needed,
     * up to {@code maxResponseBytes}): the response, and every record it holds, is valid only until the next call,
     * so the caller consumes (appends, copies) it first. A replica fetcher's responses are most of a follower's
     * allocation otherwise, and one above half a G1 region is a humongous object.
     */
    public AbstractResponse sendReusingBuffer(ApiKeys api, short version, ApiMessage request, int timeoutMs)
            throws IOException {
        return send(api, version, request, timeoutMs, true);
    }

    private AbstractResponse send(ApiKeys api, short version, ApiMessage request, int timeoutMs, boolean reuse)
            throws IOException {
        try {
            if (socket == null) {
                socket = connector.open(address, CONNECT_TIMEOUT_MS);
                out = socket.getOutputStream();
                // buffered: the size prefix and a small response come in one read, not one per byte
                in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
                long sessionMs = connector.authenticate((a, v, r, t) -> exchange(a, v, r, t, false));
                // a SASL session that ends (connections.max.reauth.ms): reconnect, and so authenticate
                // again, before the broker would close the connection at its end, as Kafka's clients
                // re-authenticate at 85-95% of it
                renewAtNanos = sessionMs > 0 ? System.nanoTime() + sessionMs * 850_000L : 0;
            } else if (renewAtNanos != 0 && System.nanoTime() - renewAtNanos > 0) {
                close();
                return send(api, version, request, timeoutMs, reuse);
            }
            return exchange(api, version, request, timeoutMs, reuse);
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? io : new IOException("bad response from " + address + ": " + e, e);
        }
    }

    private AbstractResponse exchange(ApiKeys api, short version, ApiMessage request, int timeoutMs, boolean reuse)
            throws IOException {
        socket.setSoTimeout(timeoutMs);
        RequestHeader header = new RequestHeader(api, version, clientId, ++correlationId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        short headerVersion = header.headerVersion();
        int size = header.data().size(cache, headerVersion) + request.size(cache, version);
        ByteBuffer frame = ByteBuffer.allocate(4 + size);
        frame.putInt(size);
        ByteBufferAccessor w = new ByteBufferAccessor(frame);
        header.data().write(w, cache, headerVersion);
        request.write(w, cache, version);
        out.write(frame.array(), 0, frame.position());
        out.flush();
        int responseSize;
        try {
            responseSize = in.readInt();
        } catch (java.io.EOFException e) {
            throw new java.io.EOFException("connection to " + address + " closed");
        }
        if (responseSize < 0 || responseSize > maxResponseBytes) {
            throw new IOException("response of " + responseSize + " bytes from " + address + " is out of bounds");
        }
        byte[] response;
        if (!reuse) {
            response = new byte[responseSize];
        } else {
            if (reusable == null || reusable.length < responseSize) {
                // doubling, so that growing responses reallocate a few times only
                long grown = Math.max(64 * 1024, reusable == null ? 0 : 2L * reusable.length);
                reusable = new byte[(int) Math.min(maxResponseBytes, Math.max(grown, responseSize))];
            }
            response = reusable;
        }
        in.readFully(response, 0, responseSize);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(response, 0, responseSize), header);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
            out = null;
            in = null;
            reusable = null;
        }
    }
}
