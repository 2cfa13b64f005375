package io.strand.server.security.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.strand.server.BrokerConfig;
import io.strand.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TLS settings as the broker reads them at start, with real keystores: each way to hold the
 * broker's key (PKCS12, JKS, PEM file, and a PKCS12 file under Kafka's default type JKS), the
 * per-listener overrides, and every misconfiguration stopping the start with a message naming its
 * key.
 */
class TlsSettingsTest {
    @TempDir
    Path dir;

    private TestCertificates certs;
    private TestCertificates.Identity broker;

    @BeforeEach
    void certificates() {
        certs = TestCertificates.create(dir.resolve("certs"));
        broker = certs.broker("broker");
    }

    private Map<String, String> props(String listeners) {
        Map<String, String> p = new HashMap<>();
        p.put("broker.id", "1");
        p.put("zookeeper.connect", "127.0.0.1:1/unused");
        p.put("log.dirs", dir.resolve("logs").toString());
        p.put("listeners", listeners);
        if (!listeners.contains("PLAINTEXT://")) {
            p.put("security.inter.broker.protocol", "SSL");
        }
        return p;
    }

    private static ConfigException startFails(Map<String, String> props) {
        return assertThrows(ConfigException.class, () -> {
            try (BrokerTls tls = BrokerTls.create(BrokerConfig.of(props), new MetricRegistry())) {
                // started: the test fails
            }
        });
    }

    private static void assertNamed(String key, ConfigException e) {
        assertTrue(e.getMessage().contains(key), "names " + key + ": " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"PKCS12", "JKS", "PEM", "PKCS12 under the default type"})
    void shouldServeTlsWithTheBrokersKeyInEachKeystoreFormat(String format) throws Exception {
        Map<String, String> p = props("SSL://127.0.0.1:0");
        p.putAll(TlsTestSupport.brokerSsl(certs, broker));
        switch (format) {
            case "JKS" -> {
                p.put("ssl.keystore.location", broker.keystore("JKS").toString());
                p.put("ssl.keystore.type", "JKS");
            }
            case "PEM" -> {
                p.put("ssl.keystore.location", broker.pemKeystore().toString());
                p.put("ssl.keystore.type", "PEM");
                p.remove("ssl.keystore.password");
                p.remove("ssl.key.password");
            }
            case "PKCS12 under the default type" -> {
                p.remove("ssl.keystore.type");
                p.remove("ssl.truststore.type");
            }
            default -> {}
        }
        try (BrokerTls tls = BrokerTls.create(BrokerConfig.of(p), new MetricRegistry())) {
            ListenerTls listener = tls.listener("SSL").orElseThrow();
            SSLEngine engine = listener.newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT, "127.0.0.1", 1234);
            assertEquals(
                    List.of("TLSv1.2", "TLSv1.3"),
                    // OpenSSL engines also list SSLv2Hello, a hello format rather than a protocol
                    List.of(engine.getEnabledProtocols()).stream()
                            .filter(protocol -> !protocol.equals("SSLv2Hello"))
                            .sorted()
                            .toList());
            assertTrue(listener.describeKeystore().contains("CN=localhost,OU=broker"), listener.describeKeystore());
            assertEquals(SecurityProtocol.SSL, tls.connector().securityProtocol());
        }
    }

    @Test
    void shouldRefuseAnSslListenerWithoutAKeystoreNamingTheKey() {
        ConfigException e = startFails(props("SSL://127.0.0.1:0"));
        assertTrue(e.getMessage().contains("ssl.keystore.location"), e.getMessage());
    }

    @Test
    void shouldRefuseAWrongKeystorePasswordNamingTheKeystoreAndItsPasswords() {
        Map<String, String> p = props("SSL://127.0.0.1:0");
        p.putAll(TlsTestSupport.brokerSsl(certs, broker));
        p.put("ssl.keystore.password", "wrong");
        ConfigException e = startFails(p);
        assertTrue(e.getMessage().contains("ssl.keystore.location"), e.getMessage());
        assertTrue(e.getMessage().contains("ssl.keystore.password"), e.getMessage());
        assertTrue(!e.getMessage().contains(TestCertificates.PASSWORD), "no password in the message");
    }

    @Test
    void shouldRefuseAMissingTruststoreNamingIt() {
        Map<String, String> p = props("SSL://127.0.0.1:0");
        p.putAll(TlsTestSupport.brokerSsl(certs, broker));
        p.put("ssl.truststore.location", dir.resolve("no-such-truststore.p12").toString());
        ConfigException e = startFails(p);
        assertTrue(e.getMessage().contains("ssl.truststore.location"), e.getMessage());
    }

    @Test
    void shouldUseAListenersOwnSettingsOverThePlainOnesAndNameThemWhenWrong() throws Exception {
        Map<String, String> p = props("PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:SSL,EXTERNAL:SSL");
        p.put("inter.broker.listener.name", "INTERNAL");
        p.putAll(TlsTestSupport.brokerSsl(certs, broker));
        TestCertificates.Identity external = certs.broker("external");
        p.put(
                "listener.name.external.ssl.keystore.location",
                external.keystore("JKS").toString());
        p.put("listener.name.external.ssl.keystore.type", "JKS");
        p.put("listener.name.external.ssl.client.auth", "required");
        try (BrokerTls tls = BrokerTls.create(BrokerConfig.of(p), new MetricRegistry())) {
            assertTrue(tls.listener("INTERNAL").orElseThrow().describeKeystore().contains("OU=broker,"));
            ListenerTls ext = tls.listener("EXTERNAL").orElseThrow();
            assertTrue(ext.describeKeystore().contains("OU=external,"), ext.describeKeystore());
            assertTrue(
                    ext.newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT, "127.0.0.1", 1)
                            .getNeedClientAuth(),
                    "EXTERNAL requires client certificates");
            assertTrue(!tls.listener("INTERNAL")
                    .orElseThrow()
                    .newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT, "127.0.0.1", 1)
                    .getNeedClientAuth());
            assertTrue(tls.listener("PLAINTEXT").isEmpty());
            assertEquals("INTERNAL", tls.connector().listenerName());
        }
        p.put(
                "listener.name.external.ssl.keystore.location",
                dir.resolve("missing.jks").toString());
        ConfigException e = startFails(p);
        assertTrue(e.getMessage().contains("listener.name.external.ssl.keystore.location"), e.getMessage());
    }

    @Test
    void shouldRefuseOverridesOfUnknownListenersSettingsOrValuesNamingTheKey() {
        Map<String, String> p = props("SSL://127.0.0.1:0");
        p.putAll(TlsTestSupport.brokerSsl(certs, broker));

        Map<String, String> unknownListener = new HashMap<>(p);
        unknownListener.put("listener.name.nope.ssl.client.auth", "required");
        ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.of(unknownListener));
        assertTrue(e.getMessage().contains("listener.name.nope.ssl.client.auth"), e.getMessage());

        Map<String, String> unknownSetting = new HashMap<>(p);
        unknownSetting.put("listener.name.ssl.ssl.keystore.colour", "blue");
        e = assertThrows(ConfigException.class, () -> BrokerConfig.of(unknownSetting));
        assertTrue(e.getMessage().contains("listener.name.ssl.ssl.keystore.colour"), e.getMessage());

        Map<String, String> badValue = new HashMap<>(p);
        badValue.put("listener.name.ssl.ssl.client.auth", "sometimes");
        e = assertThrows(ConfigException.class, () -> BrokerConfig.of(badValue));
        assertTrue(e.getMessage().contains("listener.name.ssl.ssl.client.auth"), e.getMessage());

        Map<String, String> badPlain = new HashMap<>(p);
        badPlain.put("ssl.client.auth", "sometimes");
        e = assertThrows(ConfigException.class, () -> BrokerConfig.of(badPlain));
        assertTrue(e.getMessage().contains("ssl.client.auth"), e.getMessage());
    }

    @Test
    void shouldRefuseUnknownCipherSuitesProtocolsAndMappingRulesNamingTheKey() {
        Map<String, String> p = props("SSL://127.0.0.1:0");
        p.putAll(TlsTestSupport.brokerSsl(certs, broker));

        Map<String, String> suites = new HashMap<>(p);
        suites.put("ssl.cipher.suites", "TLS_NO_SUCH_SUITE");
        assertNamed("ssl.cipher.suites", startFails(suites));

        Map<String, String> protocols = new HashMap<>(p);
        protocols.put("ssl.enabled.protocols", "TLSv0.9");
        assertNamed("ssl.enabled.protocols", startFails(protocols));

        Map<String, String> rules = new HashMap<>(p);
        rules.put("ssl.principal.mapping.rules", "RULE:no-slashes");
        assertNamed("ssl.principal.mapping.rules", startFails(rules));

        Map<String, String> plaintextOnly = props("PLAINTEXT://127.0.0.1:0");
        plaintextOnly.put("ssl.principal.mapping.rules", "RULE:no-slashes");
        assertNamed("ssl.principal.mapping.rules", startFails(plaintextOnly));
    }

    @Test
    void shouldRefuseAnInterBrokerKeystoreItsOwnTruststoreDoesNotTrust() throws Exception {
        Map<String, String> p = props("SSL://127.0.0.1:0");
        p.putAll(TlsTestSupport.brokerSsl(certs, broker));
        TestCertificates.Identity stranger = certs.selfSigned("stranger", "CN=localhost,O=Elsewhere");
        p.put("ssl.keystore.location", stranger.keystore("PKCS12").toString());
        ConfigException e = startFails(p);
        assertTrue(e.getMessage().contains("ssl.keystore.location"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("certs")));
    }
}
