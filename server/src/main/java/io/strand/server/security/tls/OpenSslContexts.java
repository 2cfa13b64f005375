package io.strand.server.security.tls;

import static io.strand.server.SslSettingsDefinition.SSL_CIPHER_SUITES;
import static io.strand.server.SslSettingsDefinition.SSL_ENABLED_PROTOCOLS;
import static io.strand.server.SslSettingsDefinition.SSL_KEYSTORE_PASSWORD;
import static io.strand.server.SslSettingsDefinition.SSL_KEY_PASSWORD;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.auth.SslEngineFactory;

/**
 * Builds the OpenSSL (BoringSSL, netty-tcnative) server context of a TLS listener from what
 * kafka-clients' {@link SslEngineFactory} loaded — the same keystore and truststore, so reloads,
 * {@code PEM} stores and the checks made at start stay kafka-clients' — with the listener's
 * protocols, cipher suites and client authentication. Stateless.
 */
final class OpenSslContexts {
    private OpenSslContexts() {}

    /** Why OpenSSL cannot be used on this machine, or null when it can. */
    static String unavailableReason() {
        return OpenSsl.isAvailable() ? null : String.valueOf(OpenSsl.unavailabilityCause());
    }

    /**
     * @param clientAuth kafka-clients' value: none, requested or required
     * @throws GeneralSecurityException when the keystore's key cannot be read with the configured passwords
     */
    @SuppressWarnings("unchecked")
    static SslContext server(SslEngineFactory engines, Map<String, Object> settings, String clientAuth)
            throws GeneralSecurityException, SSLException {
        KeyStore keystore = engines.keystore();
        PrivateKey key = null;
        X509Certificate[] chain = null;
        Enumeration<String> aliases = keystore.aliases();
        while (key == null && aliases.hasMoreElements()) {
            String alias = aliases.nextElement();
            if (keystore.isKeyEntry(alias)) {
                key = privateKey(keystore, alias, settings);
                Certificate[] certs = keystore.getCertificateChain(alias);
                chain = Arrays.copyOf(certs, certs.length, X509Certificate[].class);
            }
        }
        if (key == null) {
            throw new GeneralSecurityException("no private key in the keystore");
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(engines.truststore()); // null: the JVM's default trust, as kafka-clients
        SslContextBuilder builder = SslContextBuilder.forServer(key, chain)
                .sslProvider(SslProvider.OPENSSL)
                .trustManager(trust)
                .protocols((List<String>) settings.get(SSL_ENABLED_PROTOCOLS))
                .clientAuth(
                        switch (clientAuth == null ? "none" : clientAuth) {
                            case "required" -> ClientAuth.REQUIRE;
                            case "requested" -> ClientAuth.OPTIONAL;
                            default -> ClientAuth.NONE;
                        });
        List<String> ciphers = (List<String>) settings.get(SSL_CIPHER_SUITES);
        if (ciphers != null && !ciphers.isEmpty()) {
            builder.ciphers(ciphers);
        }
        return builder.build();
    }

    /** The key of {@code alias}, read with ssl.key.password, else ssl.keystore.password, else none. */
    private static PrivateKey privateKey(KeyStore keystore, String alias, Map<String, Object> settings)
            throws GeneralSecurityException {
        List<char[]> passwords = new ArrayList<>();
        for (String k : List.of(SSL_KEY_PASSWORD, SSL_KEYSTORE_PASSWORD)) {
            if (settings.get(k) instanceof Password p) {
                passwords.add(p.value().toCharArray());
            }
        }
        passwords.add(new char[0]);
        GeneralSecurityException last = null;
        for (char[] password : passwords) {
            try {
                Key key = keystore.getKey(alias, password);
                if (key instanceof PrivateKey pk) {
                    return pk;
                }
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last != null
                ? last
                : new GeneralSecurityException("the keystore entry " + alias + " holds no private key");
    }
}
