package io.strand.server.txn;

import io.strand.coordinator.MetadataCache;
import io.strand.server.network.BrokerConnector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;

/**
 * The marker sender's connections: one {@link MarkerConnection} per leader broker, to the endpoint its
 * registration publishes for this broker's first listener (the inter-broker listener, as the replica
 * fetchers use it), re-resolved after a failure. Each broker's connection is used by that broker's
 * sender thread only.
 */
final class LeaderConnections implements MarkerSender.Transport {
    private final MetadataCache cache;
    private final BrokerConnector brokers;
    private final String clientId;
    private final int timeoutMs;
    private final Map<Integer, MarkerConnection> connections = new ConcurrentHashMap<>();

    LeaderConnections(MetadataCache cache, int localBrokerId, BrokerConnector brokers, int timeoutMs) {
        this.cache = cache;
        this.brokers = brokers;
        this.clientId = "strand-txn-coordinator-" + localBrokerId;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public WriteTxnMarkersResponseData send(int brokerId, WriteTxnMarkersRequestData request) throws IOException {
        MarkerConnection c = connections.get(brokerId);
        if (c == null) {
            InetSocketAddress address = cache.broker(brokerId)
                    .flatMap(brokers::endpoint)
                    .orElseThrow(() -> new IOException("broker " + brokerId + " is not registered"));
            c = new MarkerConnection(brokers.client(clientId, address, MarkerConnection.MAX_RESPONSE_BYTES), timeoutMs);
            connections.put(brokerId, c);
        }
        try {
            return c.send(request);
        } catch (IOException e) {
            connections.remove(brokerId, c);
            throw e;
        }
    }

    @Override
    public void close() {
        connections.values().forEach(MarkerConnection::close);
        connections.clear();
    }
}
