package io.strand.server;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Kafka's per-listener settings: {@code listener.name.<listener>.<setting>} sets {@code <setting>}
 * for one listener only (the listener's name in lower case, as Kafka writes it; any case is
 * accepted). A setting may be overridden per listener when it is one of {@link
 * SslSettingsDefinition#PER_LISTENER}, a defined {@code sasl.*} setting, or a defined {@code sasl.*}
 * setting after a mechanism ({@code listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config}). An
 * override for a listener that is not in {@code listeners}, or whose value does not parse, stops
 * the broker with a message naming the key. Stateless.
 */
public final class ListenerOverrides {
    public static final String PREFIX = "listener.name.";

    private ListenerOverrides() {}

    /** True if {@code key} has the shape of a per-listener override of a setting that may be overridden. */
    static boolean isOverride(String key) {
        if (!key.startsWith(PREFIX)) {
            return false;
        }
        String rest = key.substring(PREFIX.length());
        int dot = rest.indexOf('.');
        return dot > 0 && mayOverride(rest.substring(dot + 1));
    }

    private static boolean mayOverride(String setting) {
        Set<String> defined = BrokerConfigDefinition.DEFINITION.names();
        if (SslSettingsDefinition.PER_LISTENER.contains(setting)) {
            return true;
        }
        if (setting.startsWith("sasl.") && defined.contains(setting)) {
            return true;
        }
        int dot = setting.indexOf('.');
        String afterMechanism = dot > 0 ? setting.substring(dot + 1) : "";
        return afterMechanism.startsWith("sasl.") && defined.contains(afterMechanism);
    }

    /** Checks every override: its listener is bound and its value parses. */
    static void validate(BrokerConfig config) {
        Set<String> listeners = config.listeners().stream()
                .map(l -> l.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        for (Map.Entry<String, Object> e : new TreeMap<>(config.originals()).entrySet()) {
            if (!isOverride(e.getKey())) {
                continue;
            }
            String rest = e.getKey().substring(PREFIX.length());
            String listener = rest.substring(0, rest.indexOf('.'));
            if (!listeners.contains(listener.toLowerCase(Locale.ROOT))) {
                throw new ConfigException(
                        e.getKey(),
                        "(not shown)",
                        "there is no listener " + listener + " in " + BrokerConfig.LISTENERS + " ("
                                + config.listeners().stream()
                                        .map(ListenerConfig.Listener::name)
                                        .toList() + ")");
            }
            String setting = rest.substring(rest.indexOf('.') + 1);
            if (BrokerConfigDefinition.DEFINITION.names().contains(setting)) {
                parse(listener, setting, String.valueOf(e.getValue()));
            }
        }
    }

    /** The settings listener {@code listenerName} overrides, by setting name (raw values). */
    static Map<String, String> of(BrokerConfig config, String listenerName) {
        String prefix = prefix(listenerName);
        Map<String, String> out = new HashMap<>();
        config.originals().forEach((k, v) -> {
            if (k.toLowerCase(Locale.ROOT).startsWith(prefix) && isOverride(k)) {
                out.put(k.substring(prefix.length()), String.valueOf(v));
            }
        });
        return out;
    }

    /** {@code listener.name.<listener in lower case>.}, Kafka's prefix of a listener's settings. */
    public static String prefix(String listenerName) {
        return PREFIX + listenerName.toLowerCase(Locale.ROOT) + ".";
    }

    /**
     * {@code value} parsed and validated as {@code setting}'s definition says.
     *
     * @throws ConfigException naming the prefixed key
     */
    static Object parse(String listenerName, String setting, String value) {
        ConfigDef.ConfigKey key = BrokerConfigDefinition.DEFINITION.configKeys().get(setting);
        String name = prefix(listenerName) + setting;
        Object parsed = ConfigDef.parseType(name, value, key.type);
        if (key.validator != null) {
            key.validator.ensureValid(name, parsed);
        }
        return parsed;
    }
}
