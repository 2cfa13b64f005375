package io.strand.server.security.tls;

import io.strand.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SslConfigs;

/** Broker and client TLS settings over {@link TestCertificates}, and a plain JDK TLS socket. Stateless. */
final class TlsTestSupport {
    private TlsTestSupport() {}

    /** A broker's keystore (PKCS12) and the CA truststore, with Kafka's names. */
    static Map<String, String> brokerSsl(TestCertificates certs, TestCertificates.Identity broker) {
        Map<String, String> p = new HashMap<>();
        p.put("ssl.keystore.location", broker.keystore("PKCS12").toString());
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.password", TestCertificates.PASSWORD);
        p.put("ssl.key.password", TestCertificates.PASSWORD);
        p.put("ssl.truststore.location", certs.truststore("PKCS12").toString());
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.password", TestCertificates.PASSWORD);
        // -Dstrand.test.ssl.engine=openssl runs every TLS test on the OpenSSL engine
        p.put("strand.ssl.engine", System.getProperty("strand.test.ssl.engine", "jdk"));
        return p;
    }

    /** Kafka client settings for TLS trusting the CA, presenting {@code client}'s certificate unless null. */
    static Map<String, Object> clientSsl(TestCertificates certs, TestCertificates.Identity client) {
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        p.put(
                SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
                certs.truststore("PKCS12").toString());
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        if (client != null) {
            p.put(
                    SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG,
                    client.keystore("PKCS12").toString());
            p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
            p.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
            p.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        }
        return p;
    }

    /**
     * A JDK TLS socket to {@code address}, handshake done, trusting {@code truststore} and checking
     * the host as https does; presents {@code client} unless null.
     */
    static SSLSocket connect(Path truststore, TestCertificates.Identity client, InetSocketAddress address)
            throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(truststore)) {
            trusted.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        KeyManagerFactory kmf = null;
        if (client != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(client.keystore("PKCS12"))) {
                ks.load(in, TestCertificates.PASSWORD.toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, TestCertificates.PASSWORD.toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(address.getHostString(), address.getPort());
        SSLParameters params = s.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("https");
        s.setSSLParameters(params);
        s.setSoTimeout(15_000);
        s.startHandshake();
        return s;
    }

    /** The serial number of the certificate the broker at {@code address} presents to a new connection. */
    static BigInteger servedSerial(Path truststore, InetSocketAddress address) throws Exception {
        try (SSLSocket s = connect(truststore, null, address)) {
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
