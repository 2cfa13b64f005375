package io.strand.server.security.tls;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.strand.server.BrokerConfig;
import io.strand.server.ListenerConfig;
import io.strand.server.SslSettingsDefinition;
import io.strand.server.network.BrokerConnector;
import io.strand.server.network.ChannelSecurity;
import io.strand.server.network.FileRegionCopier;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's TLS, built from its configuration at start: a {@link ListenerTls} per SSL and
 * SASL_SSL listener, what each listener adds to a new connection's pipeline ({@link
 * #channelSecurity}), the {@link BrokerConnector} through which this broker reaches the others'
 * inter-broker listener (TLS when that listener is SSL or SASL_SSL), and the thread that reloads
 * changed keystore and truststore files every {@code strand.ssl.reload.interval.ms}. A bad TLS
 * setting throws a {@link ConfigException} naming the key, so the broker does not start.
 *
 * <p>Thread-safe.
 */
public final class BrokerTls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerTls.class);

    private final Map<String, ListenerTls> listeners;
    private final BrokerConnector connector;
    private final Meter handshakeFailures;
    private final ScheduledExecutorService reloader;

    private BrokerTls(
            Map<String, ListenerTls> listeners,
            BrokerConnector connector,
            Meter handshakeFailures,
            long reloadIntervalMs) {
        this.listeners = listeners;
        this.connector = connector;
        this.handshakeFailures = handshakeFailures;
        if (listeners.isEmpty() || reloadIntervalMs == 0) {
            reloader = null;
        } else {
            reloader = Executors.newSingleThreadScheduledExecutor(
                    ThreadUtils.createThreadFactory("strand-ssl-reload", true));
            reloader.scheduleWithFixedDelay(
                    this::reloadChanged, reloadIntervalMs, reloadIntervalMs, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * @throws ConfigException naming the key of a TLS setting that is missing or does not work
     */
    public static BrokerTls create(BrokerConfig config, MetricRegistry metrics) {
        ListenerConfig lc = config.listenerConfig();
        String interBroker = lc.interBrokerListenerName();
        // the ssl.* settings are validated even when no listener uses TLS, as Kafka does
        Map<String, Object> plain = SslSettingsDefinition.forListener(config, interBroker);
        try {
            SslPrincipalMapper.fromRules((String) plain.get(SslSettingsDefinition.SSL_PRINCIPAL_MAPPING_RULES));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    SslSettingsDefinition.SSL_PRINCIPAL_MAPPING_RULES,
                    plain.get(SslSettingsDefinition.SSL_PRINCIPAL_MAPPING_RULES),
                    e.getMessage());
        }
        long reloadIntervalMs = SslSettingsDefinition.reloadIntervalMs(config);
        boolean openSsl = SslSettingsDefinition.openSslEngine(config);
        Map<String, ListenerTls> listeners = new LinkedHashMap<>();
        try {
            for (ListenerConfig.Listener l : lc.listeners()) {
                if (usesTls(l.securityProtocol())) {
                    listeners.put(
                            l.name(), ListenerTls.create(config, l, l.name().equals(interBroker), openSsl));
                }
            }
        } catch (RuntimeException e) {
            listeners.values().forEach(ListenerTls::close);
            throw e;
        }
        SecurityProtocol ibProtocol = lc.interBrokerListener().securityProtocol();
        BrokerConnector connector = usesTls(ibProtocol)
                ? new BrokerConnector(
                        interBroker,
                        ibProtocol,
                        new TlsSocketOpener(listeners.get(interBroker)),
                        BrokerConnector.Authentication.NONE)
                : new BrokerConnector(
                        interBroker, ibProtocol, BrokerConnector.PLAIN_SOCKETS, BrokerConnector.Authentication.NONE);
        return new BrokerTls(listeners, connector, metrics.meter("network.tls-handshake-failures"), reloadIntervalMs);
    }

    private static boolean usesTls(SecurityProtocol p) {
        return p == SecurityProtocol.SSL || p == SecurityProtocol.SASL_SSL;
    }

    /** What {@code listener} adds to each new connection: TLS, or nothing. */
    public ChannelSecurity channelSecurity(ListenerConfig.Listener listener) {
        ListenerTls tls = listeners.get(listener.name());
        if (tls == null) {
            return ChannelSecurity.NONE;
        }
        return channel -> {
            InetSocketAddress remote = channel.remoteAddress();
            channel.pipeline()
                    .addLast(
                            "tls",
                            new SslHandler(tls.newEngine(
                                    channel.alloc(), remote.getAddress().getHostAddress(), remote.getPort())))
                    .addLast("tls-chunks", new ChunkedWriteHandler())
                    .addLast("tls-file-copy", FileRegionCopier.INSTANCE)
                    .addLast("tls-session", new TlsSessionHandler(tls, handshakeFailures));
        };
    }

    /** How this broker connects to the others (their inter-broker listener). */
    public BrokerConnector connector() {
        return connector;
    }

    /** The TLS context of listener {@code name}, if it uses TLS. */
    public Optional<ListenerTls> listener(String name) {
        return Optional.ofNullable(listeners.get(name));
    }

    /** Reloads every listener whose keystore or truststore file changed; returns the listeners reloaded. */
    public synchronized List<String> reloadChanged() {
        List<String> reloaded = new ArrayList<>();
        for (ListenerTls tls : listeners.values()) {
            try {
                if (tls.reloadIfChanged()) {
                    reloaded.add(tls.listenerName());
                }
            } catch (RuntimeException e) {
                log.error(
                        "Listener {}: checking the keystore and truststore for changes failed", tls.listenerName(), e);
            }
        }
        return reloaded;
    }

    @Override
    public void close() {
        if (reloader != null) {
            reloader.shutdownNow();
            try {
                reloader.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        listeners.values().forEach(ListenerTls::close);
    }
}
