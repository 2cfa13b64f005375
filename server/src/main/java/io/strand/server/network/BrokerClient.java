package io.strand.server.network;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A blocking connection from this broker to another, speaking the Kafka protocol with
 * kafka-clients' generated classes: one request, then its response; a failed exchange closes it and
 * the next one reconnects. Used by one thread that owns it (a replica fetcher, a transaction-marker
 * sender). Not thread-safe.
 */
public final class BrokerClient implements AutoCloseable {
    private final String clientId;
    private final InetSocketAddress address;
    private final int maxResponseBytes;
    private SocketChannel channel;
    private int correlationId;

    public BrokerClient(String clientId, InetSocketAddress address, int maxResponseBytes) {
        this.clientId = clientId;
        this.address = address;
        this.maxResponseBytes = maxResponseBytes;
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
        try {
            if (channel == null) {
                channel = SocketChannel.open();
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.socket().connect(address, 5_000);
            }
            channel.socket().setSoTimeout(timeoutMs);
            RequestHeader header = new RequestHeader(api, version, clientId, ++correlationId);
            ObjectSerializationCache cache = new ObjectSerializationCache();
            short headerVersion = header.headerVersion();
            int size = header.data().size(cache, headerVersion) + request.size(cache, version);
            ByteBuffer out = ByteBuffer.allocate(4 + size);
            out.putInt(size);
            ByteBufferAccessor w = new ByteBufferAccessor(out);
            header.data().write(w, cache, headerVersion);
            request.write(w, cache, version);
            out.flip();
            while (out.hasRemaining()) {
                channel.write(out);
            }
            ByteBuffer sizeBuf = ByteBuffer.allocate(4);
            readFully(sizeBuf);
            int responseSize = sizeBuf.getInt(0);
            if (responseSize < 0 || responseSize > maxResponseBytes) {
                throw new IOException("response of " + responseSize + " bytes from " + address + " is out of bounds");
            }
            ByteBuffer in = ByteBuffer.allocate(responseSize);
            readFully(in);
            in.flip();
            return AbstractResponse.parseResponse(in, header);
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? io : new IOException("bad response from " + address + ": " + e, e);
        }
    }

    private void readFully(ByteBuffer buf) throws IOException {
        var in = channel.socket().getInputStream();
        byte[] chunk = buf.hasArray() ? buf.array() : new byte[buf.remaining()];
        int off = 0;
        int len = buf.remaining();
        while (off < len) {
            int n = in.read(chunk, off, len - off);
            if (n < 0) {
                throw new EOFException("connection to " + address + " closed");
            }
            off += n;
        }
        buf.position(buf.limit());
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            channel = null;
        }
    }
}
