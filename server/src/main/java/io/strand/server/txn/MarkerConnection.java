package io.strand.server.txn;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;

/**
 * A blocking connection from the transaction coordinator to one partition leader, over which it sends
 * WriteTxnMarkers (kafka-clients' generated classes; the replica fetchers' {@code BrokerClient} is
 * private to the replica package). On connecting it asks ApiVersions and then uses the newest
 * WriteTxnMarkers version both sides know. Used by one marker-sender thread only. Not thread-safe.
 */
final class MarkerConnection implements AutoCloseable {
    /** The leader does not serve WriteTxnMarkers at a version this broker knows. */
    static final class NoMarkerApiException extends IOException {
        NoMarkerApiException(String message) {
            super(message);
        }
    }

    private final String clientId;
    private final InetSocketAddress address;
    private final int timeoutMs;
    private Socket socket;
    private short version = -1;
    private int correlationId;

    MarkerConnection(String clientId, InetSocketAddress address, int timeoutMs) {
        this.clientId = clientId;
        this.address = address;
        this.timeoutMs = timeoutMs;
    }

    InetSocketAddress address() {
        return address;
    }

    /** The WriteTxnMarkers version in use, or -1 before the first request. */
    short version() {
        return version;
    }

    WriteTxnMarkersResponseData send(WriteTxnMarkersRequestData request) throws IOException {
        try {
            if (socket == null) {
                connect();
            }
            AbstractResponse r = exchange(ApiKeys.WRITE_TXN_MARKERS, version, request);
            return ((WriteTxnMarkersResponse) r).data();
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? io : new IOException("bad response from " + address + ": " + e, e);
        }
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(address, Math.min(timeoutMs, 5_000));
        socket.setSoTimeout(timeoutMs);
        ApiVersionsResponse versions = (ApiVersionsResponse) exchange(
                ApiKeys.API_VERSIONS,
                (short) 3,
                new ApiVersionsRequestData()
                        .setClientSoftwareName("strand-txn-coordinator")
                        .setClientSoftwareVersion("1"));
        ApiVersionsResponseData.ApiVersion theirs = versions.data().apiKeys().find(ApiKeys.WRITE_TXN_MARKERS.id);
        if (theirs == null
                || theirs.maxVersion() < ApiKeys.WRITE_TXN_MARKERS.oldestVersion()
                || theirs.minVersion() > ApiKeys.WRITE_TXN_MARKERS.latestVersion()) {
            throw new NoMarkerApiException("broker at " + address + " does not serve WriteTxnMarkers "
                    + ApiKeys.WRITE_TXN_MARKERS.oldestVersion() + "-"
                    + ApiKeys.WRITE_TXN_MARKERS.latestVersion());
        }
        version = (short) Math.min(theirs.maxVersion(), ApiKeys.WRITE_TXN_MARKERS.latestVersion());
    }

    private AbstractResponse exchange(ApiKeys api, short apiVersion, ApiMessage body) throws IOException {
        RequestHeader header = new RequestHeader(api, apiVersion, clientId, ++correlationId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        short headerVersion = header.headerVersion();
        int size = header.data().size(cache, headerVersion) + body.size(cache, apiVersion);
        ByteBuffer out = ByteBuffer.allocate(4 + size);
        out.putInt(size);
        ByteBufferAccessor w = new ByteBufferAccessor(out);
        header.data().write(w, cache, headerVersion);
        body.write(w, cache, apiVersion);
        socket.getOutputStream().write(out.array(), 0, out.position());
        socket.getOutputStream().flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int responseSize = in.readInt();
        if (responseSize < 0 || responseSize > 64 * 1024 * 1024) {
            throw new IOException("response of " + responseSize + " bytes from " + address + " is out of bounds");
        }
        byte[] payload = new byte[responseSize];
        in.readFully(payload);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(payload), header);
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
            version = -1;
        }
    }
}
