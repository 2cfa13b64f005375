package io.strand.server;

import java.util.Locale;
import java.util.Set;

/**
 * Kafka's per-listener settings, {@code listener.name.<listener>.<setting>}: the setting for one
 * listener only, over the unprefixed one. Accepted for every defined setting and for the per-mechanism
 * JAAS configs ({@code listener.name.<listener>.<mechanism>.sasl.jaas.config}, mechanism in lower
 * case); whether a setting is read per listener is up to its reader. Stateless.
 */
public final class ListenerPrefixes {
    public static final String PREFIX = "listener.name.";

    private static final Set<String> MECHANISMS = Set.of("plain", "scram-sha-256", "scram-sha-512");

    private ListenerPrefixes() {}

    /** {@code listener.name.<listener lower case>.} */
    public static String of(String listenerName) {
        return PREFIX + listenerName.toLowerCase(Locale.ROOT) + ".";
    }

    /** Whether {@code key} is a listener-prefixed setting a broker accepts. */
    static boolean accepts(String key) {
        if (!key.startsWith(PREFIX)) {
            return false;
        }
        String rest = key.substring(PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        String setting = rest.substring(dot + 1);
        if (BrokerConfigDefinition.DEFINITION.names().contains(setting)) {
            return true;
        }
        int mechanismEnd = setting.indexOf('.');
        return mechanismEnd > 0
                && MECHANISMS.contains(setting.substring(0, mechanismEnd))
                && setting.substring(mechanismEnd + 1).equals(SaslSettingsDefinition.SASL_JAAS_CONFIG);
    }
}
