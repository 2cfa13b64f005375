package io.strand.server.security;

import static io.strand.server.testing.SaslClients.PLAIN_MODULE;
import static io.strand.server.testing.SaslClients.SCRAM_MODULE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.BrokerConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * The SASL settings as the broker reads them at start: Kafka's names, the defaults, per-listener
 * mechanisms and JAAS configs, the inter-broker credentials, and every misconfiguration stopping the
 * start with a message naming its key.
 */
class SaslSettingsTest {
    private static Map<String, String> props(String... more) {
        Map<String, String> p = new HashMap<>();
        p.put("broker.id", "1");
        p.put("zookeeper.connect", "127.0.0.1:1/unused");
        p.put("log.dirs", "/tmp/unused-strand-sasl-settings");
        p.put("listeners", "PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:9093");
        for (int i = 0; i < more.length; i += 2) {
            p.put(more[i], more[i + 1]);
        }
        return p;
    }

    private static SaslConfig read(Map<String, String> props) {
        return SaslConfig.from(BrokerConfig.of(props));
    }

    private static ConfigException refused(Map<String, String> props) {
        return assertThrows(ConfigException.class, () -> read(props));
    }

    @Test
    void theDefaultsServeScramWithNothingConfigured() {
        SaslConfig c = read(props());
        assertEquals(
                List.of("SCRAM-SHA-256", "SCRAM-SHA-512"),
                c.listeners().get("SASL_PLAINTEXT").mechanisms());
        assertNull(c.interBroker(), "PLAINTEXT between brokers");
        assertEquals(0, c.maxReauthMs());
        assertEquals(524_288, c.maxReceiveSize());
        assertTrue(read(props("listeners", "PLAINTEXT://127.0.0.1:9092"))
                .listeners()
                .isEmpty());
    }

    @Test
    void gssapiAndOauthbearerAreRefusedNamingTheKey() {
        ConfigException gssapi = refused(props("sasl.enabled.mechanisms", "GSSAPI"));
        assertTrue(gssapi.getMessage().contains("sasl.enabled.mechanisms"), gssapi.getMessage());
        assertTrue(gssapi.getMessage().contains("GSSAPI (Kerberos) is not supported"), gssapi.getMessage());
        ConfigException oauth = refused(props("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "OAUTHBEARER"));
        assertTrue(
                oauth.getMessage().contains("listener.name.sasl_plaintext.sasl.enabled.mechanisms"),
                oauth.getMessage());
    }

    @Test
    void plainNeedsItsUsersInAPlainLoginModule() {
        ConfigException none = refused(props("sasl.enabled.mechanisms", "PLAIN"));
        assertTrue(
                none.getMessage().contains("listener.name.sasl_plaintext.plain.sasl.jaas.config"), none.getMessage());
        ConfigException wrongModule = refused(props(
                "sasl.enabled.mechanisms",
                "PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config",
                SCRAM_MODULE + " required;"));
        assertTrue(wrongModule.getMessage().contains(PLAIN_MODULE), wrongModule.getMessage());
        assertTrue(!wrongModule.getMessage().contains("secret"), "never the value");
        ConfigException unparsable = refused(props(
                "sasl.enabled.mechanisms", "PLAIN", "sasl.jaas.config", PLAIN_MODULE + " required user_a=\"secret\""));
        assertTrue(unparsable.getMessage().contains("sasl.jaas.config"), unparsable.getMessage());
        assertTrue(!unparsable.getMessage().contains("secret"), "never the value");

        SaslConfig global = read(props(
                "sasl.enabled.mechanisms", "PLAIN", "sasl.jaas.config", PLAIN_MODULE + " required user_a=\"x\";"));
        assertEquals(
                "x",
                global.listeners()
                        .get("SASL_PLAINTEXT")
                        .jaas()
                        .get("PLAIN")
                        .getOptions()
                        .get("user_a"));
    }

    @Test
    void theInterBrokerListenerNeedsThisBrokersCredentials() {
        String[] saslBetweenBrokers = {
            "listeners", "SASL_PLAINTEXT://127.0.0.1:9093", "security.inter.broker.protocol", "SASL_PLAINTEXT"
        };
        ConfigException missing = refused(props(saslBetweenBrokers));
        assertTrue(
                missing.getMessage().contains("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config"),
                missing.getMessage());
        ConfigException notEnabled = refused(props(
                "listeners", "SASL_PLAINTEXT://127.0.0.1:9093",
                "security.inter.broker.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism.inter.broker.protocol", "PLAIN"));
        assertTrue(notEnabled.getMessage().contains("sasl.mechanism.inter.broker.protocol"), notEnabled.getMessage());

        Map<String, String> ok = props(saslBetweenBrokers);
        ok.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
        ok.put(
                "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
                SCRAM_MODULE + " required username=\"broker\" password=\"broker-secret\";");
        SaslConfig c = read(ok);
        assertEquals(
                new SaslConfig.InterBrokerCredentials("SCRAM-SHA-512", "broker", "broker-secret"), c.interBroker());
        assertTrue(!c.interBroker().toString().contains("broker-secret"), "the password stays out of logs");
    }

    @Test
    void aListenerPrefixedSettingForAnUnknownListenerStopsTheStart() {
        assertThrows(
                ConfigException.class,
                () -> BrokerConfig.of(
                        props("listener.name.nowhere.plain.sasl.jaas.config", PLAIN_MODULE + " required;")));
        assertThrows(
                ConfigException.class,
                () -> BrokerConfig.of(props("listener.name.sasl_plaintext.gssapi.sasl.kerberos.service.name", "k")));
    }
}
