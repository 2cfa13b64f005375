package io.strand.coordinator.security;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * How one Strand ZooKeeper client connects and what it creates: whether every znode it creates
 * gets ACLs ({@code zookeeper.set.acl}, see {@link ZnodeAcls}), the digest credentials it adds to
 * its session, and ZooKeeper client properties (ZooKeeper's own names, e.g. {@code
 * zookeeper.client.secure}, {@code zookeeper.ssl.keyStore.location}) for a TLS connection.
 * {@link ZooKeeperSecuritySettingsDefinition} builds it from Kafka's setting names; {@link #NONE} is
 * a plain client that creates open znodes, as before security.
 *
 * <p>{@link #toString()} shows no password. Immutable; thread-safe.
 *
 * @param setAcl create every znode with {@link ZnodeAcls}' ACL instead of open to anyone
 * @param digest credentials for ZooKeeper's {@code digest} scheme, or null
 * @param clientProperties ZooKeeper client properties handed to {@link ZKClientConfig}; empty for
 *     ZooKeeper's defaults (and its system properties)
 * @param jaasClient a JAAS {@code Client} section is configured: ZooKeeper's client authenticates
 *     with SASL on its own
 */
public record ZooKeeperClientOptions(
        boolean setAcl, DigestCredentials digest, Map<String, String> clientProperties, boolean jaasClient) {
    /** No authentication, no ACLs, ZooKeeper's default connection. */
    public static final ZooKeeperClientOptions NONE = new ZooKeeperClientOptions(false, null, Map.of(), false);

    /** ZooKeeper's client property that turns TLS on. */
    public static final String CLIENT_SECURE = ZKClientConfig.SECURE_CLIENT;

    public ZooKeeperClientOptions {
        clientProperties = Map.copyOf(clientProperties);
    }

    /** Plain connection, digest {@code credentials}, ACLs as {@code setAcl}. */
    public static ZooKeeperClientOptions digest(DigestCredentials credentials, boolean setAcl) {
        return new ZooKeeperClientOptions(setAcl, credentials, Map.of(), false);
    }

    public Optional<DigestCredentials> digestCredentials() {
        return Optional.ofNullable(digest);
    }

    /** The connection uses TLS. */
    public boolean tls() {
        return Boolean.parseBoolean(clientProperties.getOrDefault(CLIENT_SECURE, "false"));
    }

    /** The client proves an identity to ZooKeeper (digest, SASL, or a TLS client certificate). */
    public boolean authenticates() {
        return digest != null
                || jaasClient
                || (tls() && clientProperties.containsKey(ZooKeeperSecuritySettingsDefinition.ZK_KEYSTORE_LOCATION));
    }

    /**
     * A ZooKeeper client configuration with {@link #clientProperties()} over ZooKeeper's defaults
     * (which include its {@code zookeeper.*} system properties), or null when there are none: a new
     * one per client, as ZooKeeper's client reads and keeps it.
     */
    public ZKClientConfig zkClientConfig() {
        if (clientProperties.isEmpty()) {
            return null;
        }
        ZKClientConfig config = new ZKClientConfig();
        clientProperties.forEach(config::setProperty);
        return config;
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        clientProperties.forEach(
                (k, v) -> shown.put(k, k.toLowerCase(java.util.Locale.ROOT).contains("password") ? "[hidden]" : v));
        return "ZooKeeperClientOptions[setAcl=" + setAcl + ", " + (digest == null ? "no digest" : digest)
                + (jaasClient ? ", JAAS Client section" : "") + ", client properties " + shown + "]";
    }
}
