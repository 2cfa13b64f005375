/**
 * TLS for SSL and SASL_SSL listeners and for the inter-broker client, on kafka-clients' {@code
 * SslFactory} (Kafka's {@code ssl.*} settings, keystores in JKS, PKCS12 or PEM) and Netty's {@code
 * SslHandler} with the JDK provider: {@link io.strand.server.security.tls.BrokerTls} builds
 * everything from the broker's configuration; {@link io.strand.server.security.tls.ListenerTls} is one
 * listener's context (new connections' engines, the client certificate's principal, reloads of the
 * keystore and truststore files); {@link io.strand.server.security.tls.TlsSessionHandler} sets a
 * connection's principal once its handshake is done; {@link
 * io.strand.server.security.tls.TlsSocketOpener} opens the inter-broker client's TLS sockets.
 *
 * <p>Threading: engines are made on network threads; reloads run on one polling thread; each
 * connection's handlers run on its event loop.
 */
package io.strand.server.security.tls;
