package io.strand.server.security.tls;

import static io.strand.server.SslSettingsDefinition.SSL_CIPHER_SUITES;
import static io.strand.server.SslSettingsDefinition.SSL_CLIENT_AUTH;
import static io.strand.server.SslSettingsDefinition.SSL_ENABLED_PROTOCOLS;
import static io.strand.server.SslSettingsDefinition.SSL_KEYSTORE_KEY;
import static io.strand.server.SslSettingsDefinition.SSL_KEYSTORE_LOCATION;
import static io.strand.server.SslSettingsDefinition.SSL_PRINCIPAL_MAPPING_RULES;
import static io.strand.server.SslSettingsDefinition.SSL_TRUSTSTORE_LOCATION;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.strand.server.BrokerConfig;
import io.strand.server.ListenerConfig;
import io.strand.server.ListenerOverrides;
import io.strand.server.SslSettingsDefinition;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.network.ConnectionMode;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.auth.SslAuthenticationContext;
import org.apache.kafka.common.security.auth.SslEngineFactory;
import org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder;
import org.apache.kafka.common.security.ssl.DefaultSslEngineFactory;
import org.apache.kafka.common.security.ssl.SslFactory;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TLS listener's context: kafka-clients' {@link SslFactory} configured with the listener's
 * effective {@code ssl.*} settings (its {@code listener.name.<listener>.ssl.*} overrides first), the
 * SSLEngine of each new connection, the principal of a client certificate (Kafka's {@link
 * DefaultKafkaPrincipalBuilder} with {@code ssl.principal.mapping.rules}), and reloads: when the
 * keystore or truststore file changes, {@link #reloadIfChanged} builds a new context for new
 * connections (existing ones keep theirs); one that does not load, or whose certificate's subject or
 * alternative names differ (unless {@code ssl.allow.dn.changes}/{@code ssl.allow.san.changes}), is
 * refused with a log line after a few tries (a file caught half-written loads on the next) and the
 * old one kept. A bad setting at start throws a {@link
 * ConfigException} naming the key.
 *
 * <p>Thread-safe: engines are made on network threads while the reload thread may swap the factory
 * (both under this object's monitor).
 */
public final class ListenerTls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ListenerTls.class);
    /** A failed reload of the same files is tried this often (a file caught half-written loads later). */
    private static final int TRIES_PER_VERSION = 3;

    private final String listenerName;
    private final SecurityProtocol securityProtocol;
    private final Map<String, Object> settings;
    private final SslFactory factory;
    private final DefaultKafkaPrincipalBuilder principals;
    private final List<Path> watched = new ArrayList<>();
    /** kafka-clients' value (none, requested, required) in effect on this listener. */
    private final String clientAuth;
    /** True with strand.ssl.engine=openssl: engines come from {@link #openSsl}, built from the factory's stores. */
    private final boolean useOpenSsl;
    /** The OpenSSL context and the kafka-clients engine factory (stores) it was built from; under this monitor. */
    private SslContext openSsl;

    private SslEngineFactory openSslBuiltFrom;

    /** The files' modification stamps when a (re)load was last tried; the reload thread's only. */
    private List<Long> lastTried;
    /** Failed reloads of the files as {@link #lastTried} stamps them. */
    private int failedTries;

    private ListenerTls(
            String listenerName,
            SecurityProtocol securityProtocol,
            Map<String, Object> settings,
            SslFactory factory,
            DefaultKafkaPrincipalBuilder principals,
            String clientAuth,
            boolean useOpenSsl) {
        this.listenerName = listenerName;
        this.clientAuth = clientAuth;
        this.useOpenSsl = useOpenSsl;
        this.securityProtocol = securityProtocol;
        this.settings = settings;
        this.factory = factory;
        this.principals = principals;
        for (String key : List.of(SSL_KEYSTORE_LOCATION, SSL_TRUSTSTORE_LOCATION)) {
            if (settings.get(key) != null) {
                watched.add(Path.of((String) settings.get(key)));
            }
        }
        this.lastTried = stamps();
    }

    /**
     * The TLS context of {@code listener} (SSL or SASL_SSL) from {@code config}.
     *
     * @param interBroker true for the inter-broker listener: its keystore must then be trusted by its
     *     own truststore (the other brokers present the same kind of certificate), checked with a
     *     handshake at start and at every reload, as Kafka does
     * @param useOpenSsl strand.ssl.engine=openssl
     * @throws ConfigException naming the key of a missing or unusable setting
     */
    public static ListenerTls create(
            BrokerConfig config, ListenerConfig.Listener listener, boolean interBroker, boolean useOpenSsl) {
        String name = listener.name();
        Map<String, Object> settings = SslSettingsDefinition.forListener(config, name);
        Map<String, String> keyNames = new HashMap<>();
        for (String key : SslSettingsDefinition.PER_LISTENER) {
            keyNames.put(
                    key,
                    SslSettingsDefinition.setForListener(config, name, key)
                            ? ListenerOverrides.prefix(name) + key
                            : key);
        }
        if (settings.get(SSL_KEYSTORE_LOCATION) == null && settings.get(SSL_KEYSTORE_KEY) == null) {
            throw new ConfigException(
                    keyNames.get(SSL_KEYSTORE_LOCATION),
                    null,
                    "listener " + name + " (" + listener.securityProtocol() + ") needs a keystore with this"
                            + " broker's certificate: set ssl.keystore.location (or "
                            + ListenerOverrides.prefix(name) + "ssl.keystore.location)");
        }
        // Kafka: on SASL_SSL listeners only the listener's own ssl.client.auth applies, default none
        String clientAuthOverride = listener.securityProtocol() == SecurityProtocol.SASL_SSL
                        && !SslSettingsDefinition.setForListener(config, name, SSL_CLIENT_AUTH)
                ? "none"
                : null;
        DefaultKafkaPrincipalBuilder principals;
        try {
            principals = new DefaultKafkaPrincipalBuilder(
                    null, SslPrincipalMapper.fromRules((String) settings.get(SSL_PRINCIPAL_MAPPING_RULES)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    keyNames.get(SSL_PRINCIPAL_MAPPING_RULES),
                    settings.get(SSL_PRINCIPAL_MAPPING_RULES),
                    e.getMessage());
        }
        checkSupported(settings, keyNames);
        SslFactory factory = new SslFactory(ConnectionMode.SERVER, clientAuthOverride, interBroker);
        try {
            factory.configure(new HashMap<>(settings));
        } catch (KafkaException e) {
            throw badEngineSettings(e, settings, keyNames).orElseGet(() -> unusable(name, settings, keyNames, e));
        }
        if (useOpenSsl && OpenSslContexts.unavailableReason() != null) {
            factory.close();
            throw new ConfigException(
                    SslSettingsDefinition.SSL_ENGINE,
                    "openssl",
                    "netty-tcnative's OpenSSL does not load on this machine (" + OpenSslContexts.unavailableReason()
                            + "); use jdk");
        }
        String clientAuth = clientAuthOverride != null ? clientAuthOverride : (String) settings.get(SSL_CLIENT_AUTH);
        ListenerTls tls = new ListenerTls(
                name, listener.securityProtocol(), settings, factory, principals, clientAuth, useOpenSsl);
        try {
            // unknown protocols or cipher suites, or a key OpenSSL cannot read, fail here, not on a connection
            ReferenceCountUtil.release(tls.newEngine(ByteBufAllocator.DEFAULT, "127.0.0.1", 0));
        } catch (IllegalArgumentException | IllegalStateException e) {
            factory.close();
            throw badEngineSettings(e, settings, keyNames)
                    .orElseGet(() -> unusable(name, settings, keyNames, new KafkaException(e)));
        }
        log.info(
                "Listener {} ({}): TLS with {} on the {} engine (client certificates {}), certificate {}",
                name,
                listener.securityProtocol(),
                settings.get(SSL_ENABLED_PROTOCOLS),
                useOpenSsl ? "OpenSSL" : "JDK's",
                clientAuth,
                tls.describeKeystore());
        return tls;
    }

    /** Every configured protocol and cipher suite is one the JVM's TLS provider knows. */
    @SuppressWarnings("unchecked")
    private static void checkSupported(Map<String, Object> settings, Map<String, String> keyNames) {
        if (settings.get(SslSettingsDefinition.SSL_PROVIDER) != null) {
            return; // another provider: its engine says what it supports
        }
        javax.net.ssl.SSLParameters supported;
        try {
            supported = SSLContext.getDefault().getSupportedSSLParameters();
        } catch (java.security.NoSuchAlgorithmException e) {
            return;
        }
        for (String key : List.of(SSL_ENABLED_PROTOCOLS, SSL_CIPHER_SUITES)) {
            List<String> known =
                    List.of(key.equals(SSL_CIPHER_SUITES) ? supported.getCipherSuites() : supported.getProtocols());
            for (String value : (List<String>) settings.get(key)) {
                if (!known.contains(value)) {
                    throw new ConfigException(
                            keyNames.get(key), value, "not supported by this JVM (supported: " + known + ")");
                }
            }
        }
    }

    /** An unknown protocol or cipher suite among {@code e}'s causes, as the error naming its key. */
    private static java.util.Optional<ConfigException> badEngineSettings(
            Throwable e, Map<String, Object> settings, Map<String, String> keyNames) {
        for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof IllegalArgumentException && t.getMessage() != null) {
                String key = t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("cipher")
                        ? SSL_CIPHER_SUITES
                        : SSL_ENABLED_PROTOCOLS;
                return java.util.Optional.of(new ConfigException(keyNames.get(key), settings.get(key), t.getMessage()));
            }
        }
        return java.util.Optional.empty();
    }

    private static ConfigException unusable(
            String listener, Map<String, Object> settings, Map<String, String> keyNames, KafkaException e) {
        String reason = reason(e);
        String key = reason.toLowerCase(java.util.Locale.ROOT).contains("truststore")
                ? SSL_TRUSTSTORE_LOCATION
                : settings.get(SSL_KEYSTORE_LOCATION) != null ? SSL_KEYSTORE_LOCATION : SSL_KEYSTORE_KEY;
        Object value = key.equals(SSL_KEYSTORE_KEY) ? "(not shown)" : settings.get(key);
        String passwords = key.equals(SSL_TRUSTSTORE_LOCATION)
                ? keyNames.get(SSL_TRUSTSTORE_LOCATION.replace("location", "password"))
                : keyNames.get(SSL_KEYSTORE_LOCATION.replace("location", "password")) + " and "
                        + keyNames.get("ssl.key.password");
        return new ConfigException(
                keyNames.get(key),
                value,
                "listener " + listener + " cannot use it: " + reason + " (check the file, its type and " + passwords
                        + ")");
    }

    /** The messages of {@code e} and its causes, the innermost last. */
    static String reason(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
            if (t.getMessage() != null && (sb.length() == 0 || !sb.toString().contains(t.getMessage()))) {
                if (sb.length() > 0) {
                    sb.append(": ");
                }
                sb.append(t.getMessage());
            }
        }
        return sb.toString();
    }

    public String listenerName() {
        return listenerName;
    }

    public SecurityProtocol securityProtocol() {
        return securityProtocol;
    }

    /**
     * A server-mode engine for a new connection from {@code peerHost:peerPort}: kafka-clients' JDK
     * engine, or with strand.ssl.engine=openssl an OpenSSL one (built from the stores in use).
     *
     * @throws IllegalStateException when the OpenSSL context cannot be built from the stores
     */
    public synchronized SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
        if (!useOpenSsl) {
            return factory.createSslEngine(peerHost, peerPort);
        }
        SslEngineFactory current = factory.sslEngineFactory();
        if (openSsl == null || openSslBuiltFrom != current) {
            try {
                openSsl = OpenSslContexts.server(current, settings, clientAuth);
                openSslBuiltFrom = current;
            } catch (java.security.GeneralSecurityException | javax.net.ssl.SSLException e) {
                throw new IllegalStateException(
                        "listener " + listenerName + ": OpenSSL cannot use the keystore: " + reason(e), e);
            }
        }
        return openSsl.newEngine(alloc, peerHost, peerPort);
    }

    /** The current SSLContext (keystore and truststore), for this broker's own client connections. */
    synchronized SSLContext sslContext() {
        SslEngineFactory engines = factory.sslEngineFactory();
        if (engines instanceof DefaultSslEngineFactory d) {
            return d.sslContext();
        }
        throw new IllegalStateException("not kafka-clients' DefaultSslEngineFactory: " + engines);
    }

    /** This listener's effective {@code ssl.*} settings (kafka-clients' types). */
    Map<String, Object> settings() {
        return settings;
    }

    /**
     * The principal of a connection whose handshake completed: {@code User:<mapped DN>} with a client
     * certificate, {@link KafkaPrincipal#ANONYMOUS} without one.
     */
    public KafkaPrincipal principal(SSLSession session, InetAddress client) {
        return principals.build(new SslAuthenticationContext(session, client, listenerName));
    }

    /**
     * Loads the keystore and truststore again if their files changed since the last try; new
     * connections then use them. A new version that cannot be used is refused (logged) and the
     * current one kept until the files change again.
     *
     * @return true if a new context is in use
     */
    public boolean reloadIfChanged() {
        List<Long> now = stamps();
        if (now.equals(lastTried) && (failedTries == 0 || failedTries >= TRIES_PER_VERSION)) {
            return false;
        }
        if (!now.equals(lastTried)) {
            lastTried = now;
            failedTries = 0;
        }
        SslEngineFactory before;
        SslEngineFactory after;
        try {
            synchronized (this) {
                before = factory.sslEngineFactory();
                factory.reconfigure(new HashMap<>(settings));
                after = factory.sslEngineFactory();
            }
        } catch (KafkaException e) {
            if (++failedTries == TRIES_PER_VERSION) {
                log.error(
                        "Listener {}: keeping the current keystore and truststore; the changed files {} are"
                                + " refused: {}",
                        listenerName,
                        watched,
                        reason(e));
            }
            return false;
        }
        failedTries = 0;
        if (before == after) {
            return false;
        }
        log.info(
                "Listener {}: reloaded {}; new connections use certificate {}",
                listenerName,
                watched,
                describeKeystore());
        return true;
    }

    /** The subject, serial number and expiry of the certificate(s) in the keystore in use. */
    synchronized String describeKeystore() {
        KeyStore ks = factory.sslEngineFactory().keystore();
        if (ks == null) {
            return "(none)";
        }
        try {
            List<String> out = new ArrayList<>();
            Enumeration<String> aliases = ks.aliases();
            while (aliases.hasMoreElements()) {
                Certificate c = ks.getCertificate(aliases.nextElement());
                if (c instanceof X509Certificate x) {
                    out.add(x.getSubjectX500Principal().getName() + " (serial "
                            + x.getSerialNumber().toString(16) + ", valid until "
                            + x.getNotAfter().toInstant() + ")");
                }
            }
            return String.join(", ", out);
        } catch (KeyStoreException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Each watched file's modification time and size (-1 for a missing file). */
    private List<Long> stamps() {
        List<Long> out = new ArrayList<>();
        for (Path p : watched) {
            try {
                out.add(Files.getLastModifiedTime(p).toMillis());
                out.add(Files.size(p));
            } catch (IOException e) {
                out.add(-1L);
                out.add(-1L);
            }
        }
        return out;
    }

    @Override
    public void close() {
        factory.close();
    }
}
