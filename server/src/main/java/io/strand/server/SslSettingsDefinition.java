package io.strand.server;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.internals.BrokerSecurityConfigs;

/**
 * The TLS settings of SSL and SASL_SSL listeners and of the inter-broker client, with Kafka's names
 * and defaults ({@code ssl.*}); part of {@link BrokerConfigDefinition#DEFINITION}. Each may be set
 * for one listener as {@code listener.name.<listener>.ssl.*} (see {@link ListenerOverrides}), which
 * wins over the plain key, as in Kafka. {@link #forListener} gives one listener's effective values
 * in the types kafka-clients' {@code SslFactory} reads. Immutable.
 */
public final class SslSettingsDefinition {
    private SslSettingsDefinition() {}

    public static final String SSL_KEYSTORE_TYPE = SslConfigs.SSL_KEYSTORE_TYPE_CONFIG;
    public static final String SSL_KEYSTORE_LOCATION = SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG;
    public static final String SSL_KEYSTORE_PASSWORD = SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG;
    public static final String SSL_KEY_PASSWORD = SslConfigs.SSL_KEY_PASSWORD_CONFIG;
    public static final String SSL_KEYSTORE_KEY = SslConfigs.SSL_KEYSTORE_KEY_CONFIG;
    public static final String SSL_KEYSTORE_CERTIFICATE_CHAIN = SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG;
    public static final String SSL_TRUSTSTORE_TYPE = SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG;
    public static final String SSL_TRUSTSTORE_LOCATION = SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG;
    public static final String SSL_TRUSTSTORE_PASSWORD = SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG;
    public static final String SSL_TRUSTSTORE_CERTIFICATES = SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG;
    public static final String SSL_CLIENT_AUTH = BrokerSecurityConfigs.SSL_CLIENT_AUTH_CONFIG;
    public static final String SSL_ENABLED_PROTOCOLS = SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG;
    public static final String SSL_PROTOCOL = SslConfigs.SSL_PROTOCOL_CONFIG;
    public static final String SSL_CIPHER_SUITES = SslConfigs.SSL_CIPHER_SUITES_CONFIG;
    public static final String SSL_PROVIDER = SslConfigs.SSL_PROVIDER_CONFIG;
    public static final String SSL_KEYMANAGER_ALGORITHM = SslConfigs.SSL_KEYMANAGER_ALGORITHM_CONFIG;
    public static final String SSL_TRUSTMANAGER_ALGORITHM = SslConfigs.SSL_TRUSTMANAGER_ALGORITHM_CONFIG;
    public static final String SSL_SECURE_RANDOM_IMPLEMENTATION = SslConfigs.SSL_SECURE_RANDOM_IMPLEMENTATION_CONFIG;
    public static final String SSL_ENDPOINT_IDENTIFICATION_ALGORITHM =
            SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG;
    public static final String SSL_PRINCIPAL_MAPPING_RULES = BrokerSecurityConfigs.SSL_PRINCIPAL_MAPPING_RULES_CONFIG;
    public static final String SSL_ALLOW_DN_CHANGES = BrokerSecurityConfigs.SSL_ALLOW_DN_CHANGES_CONFIG;
    public static final String SSL_ALLOW_SAN_CHANGES = BrokerSecurityConfigs.SSL_ALLOW_SAN_CHANGES_CONFIG;
    /** Strand's: how often keystore and truststore files are checked for a new version. */
    public static final String SSL_RELOAD_INTERVAL_MS = "strand.ssl.reload.interval.ms";

    public static final String SSL_ENGINE = "strand.ssl.engine";

    /** The {@code ssl.*} keys a listener may override with {@code listener.name.<listener>.}. */
    public static final Set<String> PER_LISTENER = new LinkedHashSet<>(List.of(
            SSL_KEYSTORE_TYPE,
            SSL_KEYSTORE_LOCATION,
            SSL_KEYSTORE_PASSWORD,
            SSL_KEY_PASSWORD,
            SSL_KEYSTORE_KEY,
            SSL_KEYSTORE_CERTIFICATE_CHAIN,
            SSL_TRUSTSTORE_TYPE,
            SSL_TRUSTSTORE_LOCATION,
            SSL_TRUSTSTORE_PASSWORD,
            SSL_TRUSTSTORE_CERTIFICATES,
            SSL_CLIENT_AUTH,
            SSL_ENABLED_PROTOCOLS,
            SSL_PROTOCOL,
            SSL_CIPHER_SUITES,
            SSL_PROVIDER,
            SSL_KEYMANAGER_ALGORITHM,
            SSL_TRUSTMANAGER_ALGORITHM,
            SSL_SECURE_RANDOM_IMPLEMENTATION,
            SSL_ENDPOINT_IDENTIFICATION_ALGORITHM,
            SSL_PRINCIPAL_MAPPING_RULES,
            SSL_ALLOW_DN_CHANGES,
            SSL_ALLOW_SAN_CHANGES));

    static ConfigDef addTo(ConfigDef def) {
        return def.define(
                        SSL_KEYSTORE_TYPE,
                        Type.STRING,
                        SslConfigs.DEFAULT_SSL_KEYSTORE_TYPE,
                        Importance.MEDIUM,
                        "Format of the keystore: JKS (which also reads PKCS12 files), PKCS12 or PEM.")
                .define(
                        SSL_KEYSTORE_LOCATION,
                        Type.STRING,
                        null,
                        Importance.HIGH,
                        "The keystore file holding this broker's private key and certificate chain; required by"
                                + " SSL and SASL_SSL listeners (unless ssl.keystore.key is given). A new version of"
                                + " the file is loaded for new connections (strand.ssl.reload.interval.ms).")
                .define(
                        SSL_KEYSTORE_PASSWORD,
                        Type.PASSWORD,
                        null,
                        Importance.HIGH,
                        "Password of the keystore file (not for PEM).")
                .define(
                        SSL_KEY_PASSWORD,
                        Type.PASSWORD,
                        null,
                        Importance.HIGH,
                        "Password of the private key in the keystore; defaults to ssl.keystore.password.")
                .define(
                        SSL_KEYSTORE_KEY,
                        Type.PASSWORD,
                        null,
                        Importance.HIGH,
                        "The private key in PEM (PKCS#8) inline, with ssl.keystore.type=PEM and"
                                + " ssl.keystore.certificate.chain, instead of a keystore file.")
                .define(
                        SSL_KEYSTORE_CERTIFICATE_CHAIN,
                        Type.PASSWORD,
                        null,
                        Importance.HIGH,
                        "The certificate chain in PEM inline, with ssl.keystore.key.")
                .define(
                        SSL_TRUSTSTORE_TYPE,
                        Type.STRING,
                        SslConfigs.DEFAULT_SSL_TRUSTSTORE_TYPE,
                        Importance.MEDIUM,
                        "Format of the truststore: JKS (which also reads PKCS12 files), PKCS12 or PEM.")
                .define(
                        SSL_TRUSTSTORE_LOCATION,
                        Type.STRING,
                        null,
                        Importance.HIGH,
                        "The truststore file: the CAs whose client certificates a listener accepts, and whose"
                                + " broker certificates the inter-broker client trusts. Unset = the JDK's CAs.")
                .define(
                        SSL_TRUSTSTORE_PASSWORD,
                        Type.PASSWORD,
                        null,
                        Importance.HIGH,
                        "Password of the truststore file.")
                .define(
                        SSL_TRUSTSTORE_CERTIFICATES,
                        Type.PASSWORD,
                        null,
                        Importance.HIGH,
                        "Trusted certificates in PEM inline, with ssl.truststore.type=PEM, instead of a file.")
                .define(
                        SSL_CLIENT_AUTH,
                        Type.STRING,
                        "none",
                        ValidString.in("required", "requested", "none"),
                        Importance.MEDIUM,
                        "Whether a listener asks clients for a certificate: required (a client without a trusted"
                                + " certificate is refused), requested, or none. On SASL_SSL listeners only the"
                                + " listener-prefixed setting applies (default none), as in Kafka.")
                .define(
                        SSL_ENABLED_PROTOCOLS,
                        Type.LIST,
                        SslConfigs.DEFAULT_SSL_ENABLED_PROTOCOLS,
                        Importance.MEDIUM,
                        "The TLS versions accepted.")
                .define(
                        SSL_PROTOCOL,
                        Type.STRING,
                        SslConfigs.DEFAULT_SSL_PROTOCOL,
                        Importance.MEDIUM,
                        "The SSLContext protocol (TLSv1.3 also negotiates TLSv1.2 when enabled).")
                .define(
                        SSL_CIPHER_SUITES,
                        Type.LIST,
                        "",
                        Importance.LOW,
                        "Cipher suites allowed (JDK names); unset = the JDK's defaults.")
                .define(SSL_PROVIDER, Type.STRING, null, Importance.LOW, "Security provider of the SSLContext.")
                .define(
                        SSL_KEYMANAGER_ALGORITHM,
                        Type.STRING,
                        KeyManagerFactory.getDefaultAlgorithm(),
                        Importance.LOW,
                        "Key manager factory algorithm.")
                .define(
                        SSL_TRUSTMANAGER_ALGORITHM,
                        Type.STRING,
                        TrustManagerFactory.getDefaultAlgorithm(),
                        Importance.LOW,
                        "Trust manager factory algorithm.")
                .define(
                        SSL_SECURE_RANDOM_IMPLEMENTATION,
                        Type.STRING,
                        null,
                        Importance.LOW,
                        "SecureRandom algorithm for TLS; unset = the JDK's default.")
                .define(
                        SSL_ENDPOINT_IDENTIFICATION_ALGORITHM,
                        Type.STRING,
                        SslConfigs.DEFAULT_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM,
                        Importance.LOW,
                        "How the inter-broker client checks the other broker's certificate against the host it"
                                + " connects to: https (its SAN must name the advertised host or IP) or empty (no"
                                + " check).")
                .define(
                        SSL_PRINCIPAL_MAPPING_RULES,
                        Type.STRING,
                        BrokerSecurityConfigs.DEFAULT_SSL_PRINCIPAL_MAPPING_RULES,
                        Importance.LOW,
                        "Rules mapping a client certificate's distinguished name to a user name (Kafka's"
                                + " RULE:pattern/replacement/[LU], DEFAULT = the whole DN); the principal is"
                                + " User:<name>.")
                .define(
                        SSL_ALLOW_DN_CHANGES,
                        Type.BOOLEAN,
                        BrokerSecurityConfigs.DEFAULT_SSL_ALLOW_DN_CHANGES_VALUE,
                        Importance.LOW,
                        "Whether a reloaded keystore may carry a certificate with another subject name.")
                .define(
                        SSL_ALLOW_SAN_CHANGES,
                        Type.BOOLEAN,
                        BrokerSecurityConfigs.DEFAULT_SSL_ALLOW_SAN_CHANGES_VALUE,
                        Importance.LOW,
                        "Whether a reloaded keystore may carry a certificate with other subject alternative"
                                + " names.")
                .define(
                        SSL_RELOAD_INTERVAL_MS,
                        Type.LONG,
                        5_000L,
                        Range.atLeast(0),
                        Importance.LOW,
                        "How often the keystore and truststore files of TLS listeners and of the inter-broker"
                                + " client are checked for a new version, which new connections then use (existing"
                                + " ones keep theirs); a new file that does not load is refused with a log line and"
                                + " the old one kept. 0 = never.")
                .define(
                        SSL_ENGINE,
                        Type.STRING,
                        "jdk",
                        ConfigDef.ValidString.in("jdk", "openssl"),
                        Importance.LOW,
                        "The TLS implementation of the broker's TLS listeners: jdk (the JVM's SSLEngine, as Kafka)"
                                + " or openssl (BoringSSL through netty-tcnative, shipped for Linux x86-64: the same"
                                + " protocols, cipher suites, certificates and principals, less CPU per byte). The"
                                + " broker's own connections to other brokers use the JVM's TLS either way.");
    }

    /**
     * The effective {@code ssl.*} values of listener {@code listenerName}: each {@code
     * listener.name.<listener>.ssl.*} override, else the plain setting, typed as kafka-clients
     * reads them (passwords as {@code Password}, lists as lists). A mutable map of its own.
     *
     * @throws ConfigException naming the prefixed key of an override that does not parse
     */
    public static Map<String, Object> forListener(BrokerConfig config, String listenerName) {
        Map<String, String> overrides = ListenerOverrides.of(config, listenerName);
        Map<String, Object> out = new HashMap<>();
        for (String key : PER_LISTENER) {
            Object value = config.get(key);
            String override = overrides.get(key);
            if (override != null) {
                value = ListenerOverrides.parse(listenerName, key, override);
            }
            if (value == null && BrokerConfigDefinition.DEFINITION.configKeys().get(key).type == Type.LIST) {
                value = List.of(); // kafka-clients reads an unset list as empty, never null
            }
            out.put(key, value);
        }
        return out;
    }

    /** True when listener {@code listenerName} sets {@code key} itself (with {@code listener.name.<listener>.}). */
    public static boolean setForListener(BrokerConfig config, String listenerName, String key) {
        return ListenerOverrides.of(config, listenerName).containsKey(key);
    }

    /** True when {@code strand.ssl.engine=openssl}. */
    public static boolean openSslEngine(BrokerConfig config) {
        return "openssl".equals(config.getString(SSL_ENGINE));
    }

    public static long reloadIntervalMs(BrokerConfig config) {
        return config.getLong(SSL_RELOAD_INTERVAL_MS);
    }
}
