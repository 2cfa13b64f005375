package io.strand.server.security.tls;

import static io.strand.server.SslSettingsDefinition.SSL_CIPHER_SUITES;
import static io.strand.server.SslSettingsDefinition.SSL_ENABLED_PROTOCOLS;
import static io.strand.server.SslSettingsDefinition.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM;

import io.strand.server.network.BrokerConnector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Opens this broker's TLS connections to other brokers' inter-broker listener: a blocking {@link
 * SSLSocket} from the inter-broker listener's own SSLContext — this broker's keystore (its
 * certificate, for listeners that require client certificates) and truststore, reloaded with them —
 * with that listener's protocols and cipher suites, checking the other broker's certificate against
 * the registered host as {@code ssl.endpoint.identification.algorithm} says (https by default: an
 * IP address must be in the certificate's SAN as {@code IP:...}). The handshake is done before
 * {@link #open} returns.
 *
 * <p>Thread-safe.
 */
final class TlsSocketOpener implements BrokerConnector.SocketOpener {
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;

    private final ListenerTls listener;
    private final String[] protocols;
    private final String[] cipherSuites;
    private final String endpointIdentification;

    @SuppressWarnings("unchecked")
    TlsSocketOpener(ListenerTls listener) {
        this.listener = listener;
        List<String> p = (List<String>) listener.settings().get(SSL_ENABLED_PROTOCOLS);
        List<String> c = (List<String>) listener.settings().get(SSL_CIPHER_SUITES);
        this.protocols = p == null || p.isEmpty() ? null : p.toArray(new String[0]);
        this.cipherSuites = c == null || c.isEmpty() ? null : c.toArray(new String[0]);
        String algorithm = (String) listener.settings().get(SSL_ENDPOINT_IDENTIFICATION_ALGORITHM);
        this.endpointIdentification = algorithm == null || algorithm.isBlank() ? null : algorithm;
    }

    @Override
    public Socket open(InetSocketAddress address, int timeoutMs) throws IOException {
        Socket plain = BrokerConnector.PLAIN_SOCKETS.open(address, timeoutMs);
        try {
            SSLSocket tls = (SSLSocket) listener.sslContext()
                    .getSocketFactory()
                    .createSocket(plain, address.getHostString(), address.getPort(), true);
            if (protocols != null) {
                tls.setEnabledProtocols(protocols);
            }
            if (cipherSuites != null) {
                tls.setEnabledCipherSuites(cipherSuites);
            }
            SSLParameters params = tls.getSSLParameters();
            params.setEndpointIdentificationAlgorithm(endpointIdentification);
            tls.setSSLParameters(params);
            tls.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
            try {
                tls.startHandshake();
            } catch (SSLException e) {
                tls.close();
                throw new SSLException(
                        "TLS handshake with broker at " + address + " (listener " + listener.listenerName()
                                + ") failed: " + ListenerTls.reason(e),
                        e);
            }
            return tls;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }
}
