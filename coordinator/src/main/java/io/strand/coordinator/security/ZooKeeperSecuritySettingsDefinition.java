package io.strand.coordinator.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * The settings of a broker's ZooKeeper client security, with Kafka's names and defaults ({@code
 * zookeeper.set.acl}, {@code zookeeper.clientCnxnSocket}, {@code zookeeper.ssl.*}) plus Strand's
 * {@code zookeeper.digest.credentials.file}; part of the broker's configuration definition, and read
 * by the tools from a broker's properties file ({@link #fromProperties}). {@link #options} turns them
 * into the {@link ZooKeeperClientOptions} every Strand ZooKeeper client is built with.
 *
 * <p>Kafka authenticates to ZooKeeper with SASL through a JAAS {@code Client} section; ZooKeeper's
 * client does that on its own when {@code java.security.auth.login.config} names a file with one,
 * and Strand honours it the same way. The digest file is the way that needs no ZooKeeper server
 * configuration: ZooKeeper's built-in {@code digest} scheme.
 *
 * <p>Immutable; thread-safe.
 */
public final class ZooKeeperSecuritySettingsDefinition {
    private ZooKeeperSecuritySettingsDefinition() {}

    public static final String ZK_SET_ACL = "zookeeper.set.acl";
    public static final String ZK_DIGEST_CREDENTIALS_FILE = "zookeeper.digest.credentials.file";
    public static final String ZK_SSL_CLIENT_ENABLE = "zookeeper.ssl.client.enable";
    public static final String ZK_CLIENT_CNXN_SOCKET = "zookeeper.clientCnxnSocket";
    public static final String ZK_SSL_KEYSTORE_LOCATION = "zookeeper.ssl.keystore.location";
    public static final String ZK_SSL_KEYSTORE_PASSWORD = "zookeeper.ssl.keystore.password";
    public static final String ZK_SSL_KEYSTORE_TYPE = "zookeeper.ssl.keystore.type";
    public static final String ZK_SSL_TRUSTSTORE_LOCATION = "zookeeper.ssl.truststore.location";
    public static final String ZK_SSL_TRUSTSTORE_PASSWORD = "zookeeper.ssl.truststore.password";
    public static final String ZK_SSL_TRUSTSTORE_TYPE = "zookeeper.ssl.truststore.type";
    public static final String ZK_SSL_PROTOCOL = "zookeeper.ssl.protocol";
    public static final String ZK_SSL_ENABLED_PROTOCOLS = "zookeeper.ssl.enabled.protocols";
    public static final String ZK_SSL_CIPHER_SUITES = "zookeeper.ssl.cipher.suites";
    public static final String ZK_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM =
            "zookeeper.ssl.endpoint.identification.algorithm";
    public static final String ZK_SSL_CRL_ENABLE = "zookeeper.ssl.crl.enable";
    public static final String ZK_SSL_OCSP_ENABLE = "zookeeper.ssl.ocsp.enable";

    /** ZooKeeper's TLS-capable client socket, the default when {@value #ZK_SSL_CLIENT_ENABLE} is true. */
    public static final String NETTY_CLIENT_SOCKET = "org.apache.zookeeper.ClientCnxnSocketNetty";

    /** The TLS protocols a client offers when {@value #ZK_SSL_ENABLED_PROTOCOLS} is not set. */
    static final String DEFAULT_ENABLED_PROTOCOLS = "TLSv1.3,TLSv1.2";

    /** The client keystore, under ZooKeeper's own property name. */
    static final String ZK_KEYSTORE_LOCATION = "zookeeper.ssl.keyStore.location";

    /** Kafka's name → ZooKeeper's client property name, for the settings copied as they are. */
    private static final Map<String, String> ZOOKEEPER_NAMES = Map.of(
            ZK_SSL_KEYSTORE_LOCATION, ZK_KEYSTORE_LOCATION,
            ZK_SSL_KEYSTORE_PASSWORD, "zookeeper.ssl.keyStore.password",
            ZK_SSL_KEYSTORE_TYPE, "zookeeper.ssl.keyStore.type",
            ZK_SSL_TRUSTSTORE_LOCATION, "zookeeper.ssl.trustStore.location",
            ZK_SSL_TRUSTSTORE_PASSWORD, "zookeeper.ssl.trustStore.password",
            ZK_SSL_TRUSTSTORE_TYPE, "zookeeper.ssl.trustStore.type",
            ZK_SSL_PROTOCOL, "zookeeper.ssl.protocol",
            ZK_SSL_CRL_ENABLE, "zookeeper.ssl.crl",
            ZK_SSL_OCSP_ENABLE, "zookeeper.ssl.ocsp");

    /** Adds these settings to {@code def}. */
    public static ConfigDef addTo(ConfigDef def) {
        return def.define(
                        ZK_SET_ACL,
                        Type.BOOLEAN,
                        false,
                        Importance.HIGH,
                        "Create every znode with ACLs (Kafka's rules): the identity that created it may do"
                                + " everything, anyone may read, and nobody else may read the secrets under"
                                + " /config/users, /config/brokers and /delegation_token/tokens. Needs an identity:"
                                + " zookeeper.digest.credentials.file, a JAAS 'Client' section"
                                + " (java.security.auth.login.config), or a TLS client certificate. Every broker,"
                                + " and the tools that write, must use the same identity.")
                .define(
                        ZK_DIGEST_CREDENTIALS_FILE,
                        Type.STRING,
                        null,
                        Importance.HIGH,
                        "Strand's own: a file holding one line user:password with which the broker"
                                + " authenticates to ZooKeeper with its built-in digest scheme (no ZooKeeper server"
                                + " configuration needed). Keep it readable by the broker's user only; the password"
                                + " is never logged.")
                .define(
                        ZK_SSL_CLIENT_ENABLE,
                        Type.BOOLEAN,
                        false,
                        Importance.MEDIUM,
                        "Connect to ZooKeeper over TLS (its secureClientPort). The zookeeper.ssl.* settings"
                                + " configure it; zookeeper.clientCnxnSocket defaults to ZooKeeper's Netty socket"
                                + " then.")
                .define(
                        ZK_CLIENT_CNXN_SOCKET,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "ZooKeeper's client socket class; " + NETTY_CLIENT_SOCKET + " for TLS (the default"
                                + " when zookeeper.ssl.client.enable is true).")
                .define(
                        ZK_SSL_KEYSTORE_LOCATION,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "Keystore with the client certificate presented to ZooKeeper over TLS.")
                .define(
                        ZK_SSL_KEYSTORE_PASSWORD,
                        Type.PASSWORD,
                        null,
                        Importance.MEDIUM,
                        "Password of zookeeper.ssl.keystore.location.")
                .define(
                        ZK_SSL_KEYSTORE_TYPE,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "Type of zookeeper.ssl.keystore.location (PKCS12, JKS, PEM); by default ZooKeeper"
                                + " guesses it from the file name.")
                .define(
                        ZK_SSL_TRUSTSTORE_LOCATION,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "Truststore with the certificates that sign ZooKeeper's TLS certificate.")
                .define(
                        ZK_SSL_TRUSTSTORE_PASSWORD,
                        Type.PASSWORD,
                        null,
                        Importance.MEDIUM,
                        "Password of zookeeper.ssl.truststore.location.")
                .define(
                        ZK_SSL_TRUSTSTORE_TYPE,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "Type of zookeeper.ssl.truststore.location (PKCS12, JKS, PEM); by default ZooKeeper"
                                + " guesses it from the file name.")
                .define(
                        ZK_SSL_PROTOCOL,
                        Type.STRING,
                        "TLSv1.2",
                        Importance.LOW,
                        "TLS protocol of the connection to ZooKeeper.")
                .define(
                        ZK_SSL_ENABLED_PROTOCOLS,
                        Type.LIST,
                        null,
                        Importance.LOW,
                        "TLS protocols enabled for the connection to ZooKeeper; by default TLSv1.3 and TLSv1.2"
                                + " (Kafka's default, zookeeper.ssl.protocol alone, cannot reach a ZooKeeper 3.9"
                                + " server, which speaks TLSv1.3 only unless told otherwise).")
                .define(
                        ZK_SSL_CIPHER_SUITES,
                        Type.LIST,
                        null,
                        Importance.LOW,
                        "Cipher suites enabled for the connection to ZooKeeper; by default the JVM's.")
                .define(
                        ZK_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM,
                        Type.STRING,
                        "HTTPS",
                        Importance.LOW,
                        "HTTPS checks that ZooKeeper's certificate names the host connected to; empty turns the"
                                + " check off.")
                .define(
                        ZK_SSL_CRL_ENABLE,
                        Type.BOOLEAN,
                        false,
                        Importance.LOW,
                        "Check certificate revocation lists of ZooKeeper's certificate chain.")
                .define(
                        ZK_SSL_OCSP_ENABLE,
                        Type.BOOLEAN,
                        false,
                        Importance.LOW,
                        "Check ZooKeeper's certificate chain with OCSP.");
    }

    /**
     * The client options these settings describe. Reads every setting (a broker reads them all).
     *
     * @throws ConfigException naming the key: {@value #ZK_SET_ACL} without an identity, a credentials
     *     file, keystore or truststore that cannot be read, TLS with a socket that cannot do it
     */
    public static ZooKeeperClientOptions options(AbstractConfig c) {
        boolean setAcl = c.getBoolean(ZK_SET_ACL);
        String credentialsFile = c.getString(ZK_DIGEST_CREDENTIALS_FILE);
        boolean tls = c.getBoolean(ZK_SSL_CLIENT_ENABLE);
        String socket = c.getString(ZK_CLIENT_CNXN_SOCKET);
        Map<String, String> copied = new TreeMap<>();
        putIfSet(copied, ZK_SSL_KEYSTORE_LOCATION, c.getString(ZK_SSL_KEYSTORE_LOCATION));
        putIfSet(copied, ZK_SSL_KEYSTORE_PASSWORD, value(c.getPassword(ZK_SSL_KEYSTORE_PASSWORD)));
        putIfSet(copied, ZK_SSL_KEYSTORE_TYPE, c.getString(ZK_SSL_KEYSTORE_TYPE));
        putIfSet(copied, ZK_SSL_TRUSTSTORE_LOCATION, c.getString(ZK_SSL_TRUSTSTORE_LOCATION));
        putIfSet(copied, ZK_SSL_TRUSTSTORE_PASSWORD, value(c.getPassword(ZK_SSL_TRUSTSTORE_PASSWORD)));
        putIfSet(copied, ZK_SSL_TRUSTSTORE_TYPE, c.getString(ZK_SSL_TRUSTSTORE_TYPE));
        putIfSet(copied, ZK_SSL_PROTOCOL, c.getString(ZK_SSL_PROTOCOL));
        putIfSet(copied, ZK_SSL_CRL_ENABLE, String.valueOf(c.getBoolean(ZK_SSL_CRL_ENABLE)));
        putIfSet(copied, ZK_SSL_OCSP_ENABLE, String.valueOf(c.getBoolean(ZK_SSL_OCSP_ENABLE)));
        List<String> protocols = c.getList(ZK_SSL_ENABLED_PROTOCOLS);
        List<String> ciphers = c.getList(ZK_SSL_CIPHER_SUITES);
        String endpointIdentification = c.getString(ZK_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM);

        DigestCredentials digest = credentialsFile == null || credentialsFile.isBlank()
                ? null
                : readCredentials(Path.of(credentialsFile.strip()));

        Map<String, String> client = new HashMap<>();
        if (tls || socket != null) {
            if (tls && socket != null && !socket.equals(NETTY_CLIENT_SOCKET)) {
                throw new ConfigException(
                        ZK_CLIENT_CNXN_SOCKET, socket, "TLS to ZooKeeper needs " + NETTY_CLIENT_SOCKET);
            }
            client.put(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, socket != null ? socket : NETTY_CLIENT_SOCKET);
            client.put(ZKClientConfig.SECURE_CLIENT, String.valueOf(tls));
            if (tls) {
                requireFile(ZK_SSL_KEYSTORE_LOCATION, copied.get(ZOOKEEPER_NAMES.get(ZK_SSL_KEYSTORE_LOCATION)));
                requireFile(ZK_SSL_TRUSTSTORE_LOCATION, copied.get(ZOOKEEPER_NAMES.get(ZK_SSL_TRUSTSTORE_LOCATION)));
                client.putAll(copied);
                client.put(
                        "zookeeper.ssl.enabledProtocols",
                        protocols != null && !protocols.isEmpty()
                                ? String.join(",", protocols)
                                : DEFAULT_ENABLED_PROTOCOLS);
                if (ciphers != null && !ciphers.isEmpty()) {
                    client.put("zookeeper.ssl.ciphersuites", String.join(",", ciphers));
                }
                client.put(
                        "zookeeper.ssl.hostnameVerification",
                        String.valueOf(
                                endpointIdentification != null && endpointIdentification.equalsIgnoreCase("HTTPS")));
            }
        }
        ZooKeeperClientOptions options = new ZooKeeperClientOptions(setAcl, digest, client, jaasClientSection());
        if (setAcl && !options.authenticates()) {
            throw new ConfigException(
                    ZK_SET_ACL,
                    true,
                    "needs an identity to create znodes with: set " + ZK_DIGEST_CREDENTIALS_FILE
                            + ", a JAAS 'Client' section (java.security.auth.login.config), or TLS with a client"
                            + " certificate (" + ZK_SSL_CLIENT_ENABLE + ", " + ZK_SSL_KEYSTORE_LOCATION + ")");
        }
        return options;
    }

    /**
     * The client options of a properties file's settings (a broker's server.properties will do):
     * the keys defined here are read and checked, all others ignored.
     *
     * @throws ConfigException naming the key of a bad value
     */
    public static ZooKeeperClientOptions fromProperties(Map<String, String> properties) {
        ConfigDef def = addTo(new ConfigDef());
        Map<String, String> ours = new HashMap<>();
        properties.forEach((k, v) -> {
            if (def.names().contains(k.strip())) {
                ours.put(k.strip(), v.strip());
            }
        });
        return options(new AbstractConfig(def, ours, false));
    }

    private static void putIfSet(Map<String, String> zookeeperProperties, String kafkaName, String value) {
        if (value != null && !value.isBlank()) {
            zookeeperProperties.put(ZOOKEEPER_NAMES.get(kafkaName), value.strip());
        }
    }

    private static String value(Password p) {
        return p == null ? null : p.value();
    }

    private static DigestCredentials readCredentials(Path file) {
        try {
            return DigestCredentials.read(file);
        } catch (IOException e) {
            throw new ConfigException(ZK_DIGEST_CREDENTIALS_FILE, file.toString(), "cannot be read: " + e);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ZK_DIGEST_CREDENTIALS_FILE, file.toString(), e.getMessage());
        }
    }

    private static void requireFile(String key, String location) {
        if (location != null && !Files.isReadable(Path.of(location))) {
            throw new ConfigException(key, location, "is not a readable file");
        }
    }

    /**
     * ZooKeeper's client authenticates with SASL on its own when client SASL is on and the JAAS
     * configuration has its login section ({@code Client} unless {@code zookeeper.sasl.clientconfig}
     * names another).
     */
    private static boolean jaasClientSection() {
        if (System.getProperty("java.security.auth.login.config") == null
                || !Boolean.parseBoolean(System.getProperty(
                        ZKClientConfig.ENABLE_CLIENT_SASL_KEY, ZKClientConfig.ENABLE_CLIENT_SASL_DEFAULT))) {
            return false;
        }
        String section = System.getProperty(
                ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, ZKClientConfig.LOGIN_CONTEXT_NAME_KEY_DEFAULT);
        try {
            AppConfigurationEntry[] entries = Configuration.getConfiguration().getAppConfigurationEntry(section);
            return entries != null && entries.length > 0;
        } catch (SecurityException e) {
            throw new ConfigException(
                    "java.security.auth.login.config",
                    System.getProperty("java.security.auth.login.config"),
                    "cannot be read: " + e.getMessage());
        }
    }
}
