package io.strand.server.network;

import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.Endpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * How this broker reaches other brokers: the inter-broker listener (whose endpoint it picks from a
 * registration), how a socket to it is opened (plain, or TLS with the handshake done), and what
 * runs on a new connection before its first request (nothing, or SASL authentication). Built once
 * by the broker from its configuration; replica fetchers, transaction-marker senders and the share
 * persister open their {@link BrokerClient}s through it.
 *
 * <p>Immutable and thread-safe (the opener and authentication must be too).
 */
public final class BrokerConnector {
    /** Opens a connected socket, ready for Kafka requests apart from authentication. */
    @FunctionalInterface
    public interface SocketOpener {
        Socket open(InetSocketAddress address, int timeoutMs) throws IOException;
    }

    /** One request and its response on a connection being set up. */
    @FunctionalInterface
    public interface Exchange {
        AbstractResponse send(ApiKeys api, short version, ApiMessage request, int timeoutMs) throws IOException;
    }

    /** Runs on every new connection before its first request (e.g. SaslHandshake and SaslAuthenticate). */
    @FunctionalInterface
    public interface Authentication {
        Authentication NONE = exchange -> 0L;

        /**
         * Authenticates the new connection behind {@code exchange}.
         *
         * @return how long the session lasts in ms (the SASL session lifetime, KIP-368), 0 for ever
         */
        long authenticate(Exchange exchange) throws IOException;
    }

    /** Plain TCP sockets with TCP_NODELAY (a blocking {@link SocketChannel}'s socket). */
    public static final SocketOpener PLAIN_SOCKETS = (address, timeoutMs) -> {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.socket().connect(address, timeoutMs);
            return channel.socket();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    };

    private final String listenerName;
    private final SecurityProtocol securityProtocol;
    private final SocketOpener opener;
    private final Authentication authentication;

    public BrokerConnector(
            String listenerName,
            SecurityProtocol securityProtocol,
            SocketOpener opener,
            Authentication authentication) {
        this.listenerName = listenerName;
        this.securityProtocol = securityProtocol;
        this.opener = opener;
        this.authentication = authentication;
    }

    /** PLAINTEXT connections to listener {@code listenerName}. */
    public static BrokerConnector plaintext(String listenerName) {
        return new BrokerConnector(listenerName, SecurityProtocol.PLAINTEXT, PLAIN_SOCKETS, Authentication.NONE);
    }

    /** The same, with {@code authentication} on every new connection. */
    public BrokerConnector withAuthentication(Authentication authentication) {
        return new BrokerConnector(listenerName, securityProtocol, opener, authentication);
    }

    public String listenerName() {
        return listenerName;
    }

    public SecurityProtocol securityProtocol() {
        return securityProtocol;
    }

    /**
     * The address of {@code broker}'s inter-broker listener, else (a broker registered without it)
     * its first endpoint; the host as registered (no reverse lookup: TLS checks it against the
     * certificate).
     */
    public Optional<InetSocketAddress> endpoint(BrokerRegistration broker) {
        return broker.getEndpointsList().stream()
                .filter(e -> e.getListenerName().equals(listenerName))
                .findFirst()
                .or(() -> broker.getEndpointsList().stream().findFirst())
                .map((Endpoint e) -> new InetSocketAddress(e.getHost(), e.getPort()));
    }

    /** A client for one broker; it connects on its first request. */
    public BrokerClient client(String clientId, InetSocketAddress address, int maxResponseBytes) {
        return new BrokerClient(clientId, address, maxResponseBytes, this);
    }

    Socket open(InetSocketAddress address, int timeoutMs) throws IOException {
        return opener.open(address, timeoutMs);
    }

    long authenticate(Exchange exchange) throws IOException {
        return authentication.authenticate(exchange);
    }

    @Override
    public String toString() {
        return listenerName + " (" + securityProtocol + ")";
    }
}
