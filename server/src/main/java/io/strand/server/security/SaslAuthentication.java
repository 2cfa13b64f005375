package io.strand.server.security;

import com.codahale.metrics.MetricRegistry;
import io.strand.coordinator.ConfigChangeWatcher;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.admin.ScramCredentialStore;
import io.strand.server.BrokerConfig;
import io.strand.server.ListenerConfig;
import io.strand.server.network.ConnectionAuthenticator;
import java.util.HashMap;
import java.util.Map;

/**
 * A broker's SASL: its settings ({@link SaslConfig}), the users' SCRAM credentials in ZooKeeper
 * ({@link ScramCredentialStore}) and the in-memory copy every SASL listener checks ({@link
 * ScramCredentialCache}, followed through config change notifications), and per listener the
 * authenticator of each new connection. Started before the listeners are bound, so a client never
 * meets a broker that has not loaded its users yet. Thread-safe after {@link #start}.
 */
public final class SaslAuthentication implements AutoCloseable {
    private final SaslConfig config;
    private final ScramCredentialStore store;
    private final Map<String, SaslMechanisms> listeners = new HashMap<>();
    private final ConfigChangeWatcher watcher;
    private final SaslMetrics metrics;

    private SaslAuthentication(
            SaslConfig config, ScramCredentialStore store, ConfigChangeWatcher watcher, SaslMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.store = store;
        this.watcher = watcher;
    }

    /**
     * Reads the SASL settings and, when a listener speaks SASL, loads the SCRAM credentials and
     * follows their changes.
     *
     * @throws org.apache.kafka.common.config.ConfigException for a bad SASL setting
     */
    public static SaslAuthentication start(
            BrokerConfig brokerConfig, MetadataStore zk, long loadTimeoutMs, MetricRegistry registry) {
        SaslConfig config = SaslConfig.from(brokerConfig);
        ScramCredentialStore store = new ScramCredentialStore(zk);
        SaslMetrics metrics = new SaslMetrics(registry);
        if (config.listeners().isEmpty()) {
            return new SaslAuthentication(config, store, null, metrics);
        }
        ScramCredentialCache credentials = new ScramCredentialCache(store);
        ConfigChangeWatcher watcher = new ConfigChangeWatcher(zk, credentials);
        SaslAuthentication sasl = new SaslAuthentication(config, store, watcher, metrics);
        try {
            watcher.start(loadTimeoutMs);
        } catch (RuntimeException e) {
            watcher.close();
            throw e;
        }
        config.listeners().forEach((name, l) -> sasl.listeners.put(name, new SaslMechanisms(l, credentials)));
        return sasl;
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
