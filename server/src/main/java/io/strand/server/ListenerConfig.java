package io.strand.server;

import static io.strand.server.ListenerSettingsDefinition.INTER_BROKER_LISTENER_NAME;
import static io.strand.server.ListenerSettingsDefinition.LISTENER_SECURITY_PROTOCOL_MAP;
import static io.strand.server.ListenerSettingsDefinition.SECURITY_INTER_BROKER_PROTOCOL;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The broker's listeners as Kafka reads them: {@code listeners} and {@code advertised.listeners}
 * ({@code NAME://host:port}), each name's security protocol from {@code
 * listener.security.protocol.map}, and the inter-broker listener ({@code inter.broker.listener.name},
 * else the listener named after {@code security.inter.broker.protocol}, PLAINTEXT by default).
 * Every rule Kafka checks at start is checked here and names the key. Immutable.
 */
public final class ListenerConfig {
    /** A listener: its name, the security protocol it speaks and its address. */
    public record Listener(String name, SecurityProtocol securityProtocol, String host, int port) {}

    private final List<Listener> listeners;
    private final List<Listener> advertised;
    private final String interBrokerListenerName;

    ListenerConfig(
            List<String> listenerSpecs,
            List<String> advertisedSpecs,
            List<String> protocolMap,
            String ibName,
            String ibProtocol) {
        Map<String, SecurityProtocol> protocols = protocolMap(protocolMap);
        this.listeners = parseAll(BrokerConfig.LISTENERS, listenerSpecs, protocols);
        if (listeners.isEmpty()) {
            throw new ConfigException(BrokerConfig.LISTENERS, "", "at least one listener is required");
        }
        this.advertised = advertisedSpecs == null || advertisedSpecs.isEmpty()
                ? listeners
                : parseAll(BrokerConfig.ADVERTISED_LISTENERS, advertisedSpecs, protocols);
        Set<String> bound = new HashSet<>();
        listeners.forEach(l -> bound.add(l.name()));
        for (Listener a : advertised) {
            if (!bound.contains(a.name())) {
                throw new ConfigException(
                        BrokerConfig.ADVERTISED_LISTENERS, a.name(), "advertises a listener that is not in listeners");
            }
        }
        if (ibName != null && ibProtocol != null) {
            throw new ConfigException(
                    INTER_BROKER_LISTENER_NAME,
                    ibName,
                    "only one of inter.broker.listener.name and security.inter.broker.protocol may be set");
        }
        String name;
        String key;
        if (ibName != null) {
            name = ibName.trim().toUpperCase(Locale.ROOT);
            key = INTER_BROKER_LISTENER_NAME;
        } else {
            String protocol =
                    ibProtocol == null ? "PLAINTEXT" : ibProtocol.trim().toUpperCase(Locale.ROOT);
            protocol(SECURITY_INTER_BROKER_PROTOCOL, protocol);
            name = protocol;
            key = ibProtocol == null ? INTER_BROKER_LISTENER_NAME : SECURITY_INTER_BROKER_PROTOCOL;
        }
        if (advertised.stream().noneMatch(a -> a.name().equals(name))) {
            throw new ConfigException(
                    key,
                    name,
                    "the inter-broker listener must be one of advertised.listeners (set inter.broker.listener.name"
                            + " to one of "
                            + advertised.stream().map(Listener::name).toList() + ")");
        }
        this.interBrokerListenerName = name;
    }

    /** The listeners to bind, in the order given. */
    public List<Listener> listeners() {
        return listeners;
    }

    /** The listeners published in ZooKeeper for clients and other brokers. */
    public List<Listener> advertisedListeners() {
        return advertised;
    }

    /** The name of the listener brokers use to reach each other. */
    public String interBrokerListenerName() {
        return interBrokerListenerName;
    }

    /** The inter-broker listener as this broker binds it. */
    public Listener interBrokerListener() {
        return listeners.stream()
                .filter(l -> l.name().equals(interBrokerListenerName))
                .findFirst()
                .orElseThrow();
    }

    private static Map<String, SecurityProtocol> protocolMap(List<String> entries) {
        Map<String, SecurityProtocol> out = new HashMap<>();
        for (String e : entries) {
            int colon = e.indexOf(':');
            if (colon <= 0) {
                throw new ConfigException(LISTENER_SECURITY_PROTOCOL_MAP, e, "expected NAME:PROTOCOL");
            }
            String name = e.substring(0, colon).trim().toUpperCase(Locale.ROOT);
            SecurityProtocol p = protocol(
                    LISTENER_SECURITY_PROTOCOL_MAP,
                    e.substring(colon + 1).trim().toUpperCase(Locale.ROOT));
            if (out.put(name, p) != null) {
                throw new ConfigException(LISTENER_SECURITY_PROTOCOL_MAP, e, "listener " + name + " is mapped twice");
            }
        }
        return out;
    }

    private static SecurityProtocol protocol(String key, String name) {
        try {
            return SecurityProtocol.forName(name);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, name, "unknown security protocol (one of " + SecurityProtocol.names() + ")");
        }
    }

    private static List<Listener> parseAll(String key, List<String> specs, Map<String, SecurityProtocol> protocols) {
        List<Listener> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<Integer> ports = new HashSet<>();
        for (String s : specs) {
            Listener l = parse(key, s, protocols);
            if (!names.add(l.name())) {
                throw new ConfigException(key, s, "listener " + l.name() + " is named twice");
            }
            if (l.port() != 0 && !ports.add(l.port()) && key.equals(BrokerConfig.LISTENERS)) {
                throw new ConfigException(key, s, "port " + l.port() + " is used by two listeners");
            }
            out.add(l);
        }
        return List.copyOf(out);
    }

    static Listener parse(String key, String spec, Map<String, SecurityProtocol> protocols) {
        int sep = spec.indexOf("://");
        if (sep <= 0) {
            throw new ConfigException(key, spec, "expected NAME://host:port");
        }
        String name = spec.substring(0, sep).trim().toUpperCase(Locale.ROOT);
        String hostPort = spec.substring(sep + 3).trim();
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException(key, spec, "expected NAME://host:port");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(key, spec, "port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(key, spec, "port out of range");
        }
        SecurityProtocol protocol = protocols.get(name);
        if (protocol == null) {
            throw new ConfigException(
                    LISTENER_SECURITY_PROTOCOL_MAP,
                    name,
                    "no security protocol is mapped for listener " + name + " of " + key);
        }
        return new Listener(name, protocol, host, port);
    }
}
