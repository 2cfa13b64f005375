package io.strand.server.security;

import com.codahale.metrics.MetricRegistry;
import io.strand.coordinator.ConfigChangeWatcher;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.admin.ScramCredentialStore;
import io.strand.server.BrokerConfig;
import io.strand.server.ListenerConfig;
import io.strand.server.network.BrokerConnector;
import io.strand.server.network.ConnectionAuthenticator;
import java.util.HashMap;
import java.util.Map;

/**
 * A broker's SASL: its settings ({@link SaslConfig}), the users' SCRAM credentials in ZooKeeper
 * ({@link ScramCredentialStore}) and the in-memory copy every SASL listener checks ({@link
 * ScramCredentialCache}, followed through config change notifications), and per listener the
 * authenticator of each new connection, and the inter-broker connector (SASL_* inter-broker listener:
 * authenticated as this broker). Started before the listeners are bound, so a client never
 * meets a broker that has not loaded its users yet. Thread-safe after {@link #start}.
 */
public final class SaslAuthentication implements AutoCloseable {
    /** How long one request of the inter-broker SASL exchange may take. */
    private static final int INTER_BROKER_AUTH_TIMEOUT_MS = 30_000;

    private final SaslConfig config;
    private final ScramCredentialStore store;
    private final Map<String, SaslMechanisms> listeners = new HashMap<>();
    private final ConfigChangeWatcher watcher;
    private final SaslMetrics metrics;
    private final BrokerConnector connector;

    private SaslAuthentication(
            SaslConfig config,
            ScramCredentialStore store,
            ConfigChangeWatcher watcher,
            SaslMetrics metrics,
            BrokerConnector connector) {
        this.config = config;
        this.metrics = metrics;
        this.connector = connector;
        this.store = store;
        this.watcher = watcher;
    }

    /**
     * Reads the SASL settings and, when a listener speaks SASL, loads the SCRAM credentials and
     * follows their changes.
     *
     * @param connector how this broker reaches the others' inter-broker listener (plain or TLS); when
     *     that listener is SASL, {@link #connector()} is it with authentication on each new connection
     * @throws org.apache.kafka.common.config.ConfigException for a bad SASL setting
     */
    public static SaslAuthentication start(
            BrokerConfig brokerConfig,
            MetadataStore zk,
            long loadTimeoutMs,
            MetricRegistry registry,
            BrokerConnector connector) {
        SaslConfig config = SaslConfig.from(brokerConfig);
        ScramCredentialStore store = new ScramCredentialStore(zk);
        SaslMetrics metrics = new SaslMetrics(registry);
        BrokerConnector interBroker = config.interBroker() == null
                ? connector
                : connector.withAuthentication(interBrokerAuthentication(config.interBroker()));
        if (config.listeners().isEmpty()) {
            return new SaslAuthentication(config, store, null, metrics, interBroker);
        }
        ScramCredentialCache credentials = new ScramCredentialCache(store);
        ConfigChangeWatcher watcher = new ConfigChangeWatcher(zk, credentials);
        SaslAuthentication sasl = new SaslAuthentication(config, store, watcher, metrics, interBroker);
        try {
            watcher.start(loadTimeoutMs);
        } catch (RuntimeException e) {
            watcher.close();
            throw e;
        }
        config.listeners().forEach((name, l) -> sasl.listeners.put(name, new SaslMechanisms(l, credentials)));
        return sasl;
    }

    /** SaslHandshake and SaslAuthenticate as {@code credentials} on each new inter-broker connection. */
    private static BrokerConnector.Authentication interBrokerAuthentication(
            SaslConfig.InterBrokerCredentials credentials) {
        SaslClientAuthenticator client = SaslClientAuthenticator.of(credentials);
        return exchange -> client.authenticate(
                (api, version, request) -> exchange.send(api, version, request, INTER_BROKER_AUTH_TIMEOUT_MS));
    }

    /**
     * How this broker reaches the others (replica fetchers, transaction markers, share state): the
     * inter-broker listener, authenticated with {@code sasl.mechanism.inter.broker.protocol} when it is SASL.
     */
    public BrokerConnector connector() {
        return connector;
    }

    public SaslConfig config() {
        return config;
    }

    public SaslMetrics metrics() {
        return metrics;
    }

    /** The users' SCRAM credentials in ZooKeeper. */
    public ScramCredentialStore credentialStore() {
        return store;
    }

    /** The authenticator of each connection to {@code listener}: SASL, or none (PLAINTEXT, SSL). */
    public ConnectionAuthenticator.Factory authenticators(ListenerConfig.Listener listener) {
        SaslMechanisms mechanisms = listeners.get(listener.name());
        if (mechanisms == null) {
            return peer -> ConnectionAuthenticator.NONE;
        }
        return peer ->
                new SaslServerAuthenticator(mechanisms, config.maxReauthMs(), config.maxReceiveSize(), peer, metrics);
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
