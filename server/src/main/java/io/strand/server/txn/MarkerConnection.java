package io.strand.server.txn;

import io.strand.server.network.BrokerClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;

/**
 * The transaction coordinator's connection to one partition leader, over which it sends
 * WriteTxnMarkers: a {@link BrokerClient} that, on each new connection, asks ApiVersions first and
 * then uses the newest WriteTxnMarkers version both sides know. Used by one marker-sender thread only.
 * Not thread-safe.
 */
final class MarkerConnection implements AutoCloseable {
    /** The leader does not serve WriteTxnMarkers at a version this broker knows. */
    static final class NoMarkerApiException extends IOException {
        NoMarkerApiException(String message) {
            super(message);
        }
    }

    static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

    private final BrokerClient client;
    private final int timeoutMs;
    /** The version agreed on the current connection; -1 before it (and after any failure, which closes it). */
    private short version = -1;

    MarkerConnection(BrokerClient client, int timeoutMs) {
        this.client = client;
        this.timeoutMs = timeoutMs;
    }

    InetSocketAddress address() {
        return client.address();
    }

    /** The WriteTxnMarkers version in use, or -1 before the first request. */
    short version() {
        return version;
    }

    WriteTxnMarkersResponseData send(WriteTxnMarkersRequestData request) throws IOException {
        try {
            if (version < 0) {
                version = negotiate();
            }
            return ((WriteTxnMarkersResponse) client.send(ApiKeys.WRITE_TXN_MARKERS, version, request, timeoutMs))
                    .data();
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? io : new IOException("bad response from " + address() + ": " + e, e);
        }
    }

    private short negotiate() throws IOException {
        ApiVersionsResponse versions = (ApiVersionsResponse) client.send(
                ApiKeys.API_VERSIONS,
                (short) 3,
                new ApiVersionsRequestData()
                        .setClientSoftwareName("strand-txn-coordinator")
                        .setClientSoftwareVersion("1"),
                timeoutMs);
        ApiVersionsResponseData.ApiVersion theirs = versions.data().apiKeys().find(ApiKeys.WRITE_TXN_MARKERS.id);
        if (theirs == null
                || theirs.maxVersion() < ApiKeys.WRITE_TXN_MARKERS.oldestVersion()
                || theirs.minVersion() > ApiKeys.WRITE_TXN_MARKERS.latestVersion()) {
            throw new NoMarkerApiException("broker at " + address() + " does not serve WriteTxnMarkers "
                    + ApiKeys.WRITE_TXN_MARKERS.oldestVersion() + "-"
                    + ApiKeys.WRITE_TXN_MARKERS.latestVersion());
        }
        return (short) Math.min(theirs.maxVersion(), ApiKeys.WRITE_TXN_MARKERS.latestVersion());
    }

    @Override
    public void close() {
        client.close();
        version = -1;
    }
}
