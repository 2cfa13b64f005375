package io.strand.tools.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.security.DigestCredentials;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files of {@code start --secure} are what TLS peers need: PKCS12 stores that load with their
 * passwords, broker certificates that chain to the cluster's CA and name 127.0.0.1 and localhost, a
 * TLS handshake over loopback with hostname verification (and with a client certificate when the
 * server requires one), client properties naming the admin user, secrets readable by the owner only;
 * a second run keeps what exists and signs new brokers with the same CA.
 */
class SecureClusterFilesTest {
    @TempDir
    Path tmp;

    private ClusterLayout layout;
    private SecureClusterFiles files;

    @BeforeEach
    void generate() throws Exception {
        layout = new ClusterLayout(tmp.resolve("cluster"));
        files = new SecureClusterFiles(layout);
        files.ensure(List.of(1, 2));
    }

    @Test
    void shouldChainEveryBrokerCertificateToTheClusterCa() throws Exception {
        X509Certificate ca = (X509Certificate)
                load(files.truststore(), files.truststorePassword()).getCertificate("ca");
        assertTrue(ca.getBasicConstraints() >= 0, "the CA is a CA");
        ca.verify(ca.getPublicKey());
        assertEquals(ca, pemCertificates(files.caPem()).get(0));

        for (int id : List.of(1, 2)) {
            KeyStore ks = load(files.brokerKeystore(id), files.brokerKeystorePassword(id));
            assertTrue(ks.isKeyEntry("broker-" + id));
            Certificate[] chain = ks.getCertificateChain("broker-" + id);
            X509Certificate leaf = (X509Certificate) chain[0];
            assertEquals(ca, chain[1]);
            leaf.verify(ca.getPublicKey());
            assertEquals(-1, leaf.getBasicConstraints(), "not a CA");
            assertTrue(leaf.getSubjectX500Principal().getName().contains("CN=broker-" + id));
            assertEquals(Set.of(List.of(2, "localhost"), List.of(7, "127.0.0.1")), altNames(leaf));
            assertTrue(leaf.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")));
            assertTrue(leaf.getKeyUsage()[0], "digitalSignature");

            PKIXParameters pkix = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
            pkix.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), pkix);
        }
        X509Certificate client = (X509Certificate)
                load(files.clientKeystore(), files.clientKeystorePassword()).getCertificate("client");
        client.verify(ca.getPublicKey());
        assertEquals(client, pemCertificates(files.clientPem()).get(0));
        assertTrue(Files.readString(files.clientKey()).startsWith("-----BEGIN PRIVATE KEY-----\n"));
    }

    @Test
    void shouldCompleteATlsHandshakeOverLoopbackWithHostnameVerification() throws Exception {
        SSLContext server = context(files.brokerKeystore(1), files.brokerKeystorePassword(1));
        SSLContext client = context(null, null);
        assertEquals("CN=client,O=Strand", handshake(server, client, false));

        SSLContext withCertificate = context(files.clientKeystore(), files.clientKeystorePassword());
        assertEquals("CN=client,O=Strand", handshake(server, withCertificate, true));
        assertThrows(Exception.class, () -> handshake(server, client, true), "a required client certificate");

        // a client that trusts another CA refuses the broker
        SecureClusterFiles other = new SecureClusterFiles(new ClusterLayout(tmp.resolve("other")));
        other.ensure(List.of(1));
        SSLContext stranger = SSLContext.getInstance("TLS");
        stranger.init(null, trustManagers(other.truststore(), other.truststorePassword()), null);
        assertThrows(SSLHandshakeException.class, () -> handshake(server, stranger, false));
    }

    @Test
    void shouldWriteAdminClientPropertiesAndKeepSecretsToTheOwner() throws Exception {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(layout.clientAdminProperties())) {
            p.load(in);
        }
        assertEquals("SASL_SSL", p.getProperty("security.protocol"));
        assertEquals("SCRAM-SHA-512", p.getProperty("sasl.mechanism"));
        assertEquals(
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\""
                        + files.adminPassword() + "\";",
                p.getProperty("sasl.jaas.config"));
        assertEquals(files.truststore().toString(), p.getProperty("ssl.truststore.location"));
        assertEquals(files.truststorePassword(), p.getProperty("ssl.truststore.password"));
        assertEquals("PKCS12", p.getProperty("ssl.truststore.type"));

        assertEquals("broker", DigestCredentials.read(files.zooKeeperDigest()).user());
        Set<String> passwords = Set.of(
                files.adminPassword(),
                files.brokerPassword(),
                files.truststorePassword(),
                files.brokerKeystorePassword(1),
                files.brokerKeystorePassword(2),
                files.clientKeystorePassword());
        assertEquals(6, passwords.size(), "every password is its own");
        passwords.forEach(pw -> assertTrue(pw.matches("[A-Za-z0-9]{24}"), pw));

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.dir())));
        try (var entries = Files.list(files.dir())) {
            for (Path f : entries.toList()) {
                assertEquals(
                        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
            }
        }
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(layout.clientAdminProperties())));
    }

    @Test
    void shouldKeepWhatExistsAndSignNewBrokersWithTheSameCa() throws Exception {
        byte[] broker1 = Files.readAllBytes(files.brokerKeystore(1));
        byte[] ca = Files.readAllBytes(files.caKeystore());
        String admin = files.adminPassword();

        SecureClusterFiles again = new SecureClusterFiles(layout);
        again.ensure(List.of(1, 2, 3));
        assertArrayEquals(broker1, Files.readAllBytes(files.brokerKeystore(1)));
        assertArrayEquals(ca, Files.readAllBytes(files.caKeystore()));
        assertEquals(admin, again.adminPassword());
        X509Certificate caCert = pemCertificates(files.caPem()).get(0);
        X509Certificate third = (X509Certificate)
                load(again.brokerKeystore(3), again.brokerKeystorePassword(3)).getCertificate("broker-3");
        third.verify(caCert.getPublicKey());
        assertNotEquals(again.brokerKeystorePassword(1), again.brokerKeystorePassword(3));
        assertFalse(Files.readString(layout.clientAdminProperties()).isEmpty());
    }

    /** Runs one TLS exchange; returns the client certificate's subject the server saw, or CN=client when none. */
    private static String handshake(SSLContext server, SSLContext client, boolean needClientAuth) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket)
                server.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(needClientAuth);
            CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(10_000);
                    int b = s.getInputStream().read();
                    s.getOutputStream().write(b + 1);
                    s.getOutputStream().flush();
                    return needClientAuth
                            ? ((X509Certificate) s.getSession().getPeerCertificates()[0])
                                    .getSubjectX500Principal()
                                    .getName()
                            : "CN=client,O=Strand";
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket()) {
                s.connect(new InetSocketAddress("127.0.0.1", listener.getLocalPort()), 10_000);
                s.setSoTimeout(10_000);
                SSLParameters params = s.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(params);
                OutputStream out = s.getOutputStream();
                out.write(41);
                out.flush();
                assertEquals(42, s.getInputStream().read());
            }
            return served.get(10, TimeUnit.SECONDS);
        }
    }

    private SSLContext context(Path keystore, String password) throws Exception {
        KeyManagerFactory kmf = null;
        if (keystore != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(keystore, password), password.toCharArray());
        }
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(
                kmf == null ? null : kmf.getKeyManagers(),
                trustManagers(files.truststore(), files.truststorePassword()),
                null);
        return c;
    }

    private static javax.net.ssl.TrustManager[] trustManagers(Path truststore, String password) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(truststore, password));
        return tmf.getTrustManagers();
    }

    private static KeyStore load(Path file, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password.toCharArray());
        }
        return ks;
    }

    @SuppressWarnings("unchecked")
    private static List<X509Certificate> pemCertificates(Path file) throws Exception {
        Collection<X509Certificate> certs = (Collection<X509Certificate>) CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file)));
        return List.copyOf(certs);
    }

    private static Set<List<?>> altNames(X509Certificate cert) throws Exception {
        return Set.copyOf(cert.getSubjectAlternativeNames());
    }
}
