package io.strand.server.security;

import static io.strand.server.SaslSettingsDefinition.CONNECTIONS_MAX_REAUTH_MS;
import static io.strand.server.SaslSettingsDefinition.SASL_ENABLED_MECHANISMS;
import static io.strand.server.SaslSettingsDefinition.SASL_JAAS_CONFIG;
import static io.strand.server.SaslSettingsDefinition.SASL_MECHANISM_INTER_BROKER_PROTOCOL;
import static io.strand.server.SaslSettingsDefinition.SASL_SERVER_MAX_RECEIVE_SIZE;

import io.strand.server.BrokerConfig;
import io.strand.server.ListenerConfig;
import io.strand.server.ListenerOverrides;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.plain.PlainLoginModule;
import org.apache.kafka.common.security.scram.ScramLoginModule;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/**
 * The broker's SASL settings, read and checked at start (a bad value stops the broker with a
 * ConfigException naming the key): per SASL listener its enabled mechanisms and the JAAS login
 * context of each ({@code listener.name.<listener>.<mechanism>.sasl.jaas.config}, else {@code
 * sasl.jaas.config}, else the JAAS file of {@code java.security.auth.login.config}, parsed by
 * kafka-clients' {@link JaasContext}); the inter-broker mechanism and the broker's own credentials
 * for it; {@code connections.max.reauth.ms} and {@code sasl.server.max.receive.size}. Immutable.
 */
public final class SaslConfig {
    public static final String PLAIN = "PLAIN";
    /** The JVM's JAAS file, Kafka's fallback when no sasl.jaas.config applies. */
    private static final String JAAS_FILE_PROPERTY = "java.security.auth.login.config";

    /** A SASL listener: its mechanisms and, per mechanism that has one, its JAAS login module entry. */
    public record ListenerSasl(String listenerName, List<String> mechanisms, Map<String, AppConfigurationEntry> jaas) {}

    /** How this broker authenticates to the others: a mechanism and its username and password. */
    public record InterBrokerCredentials(String mechanism, String username, String password) {
        @Override
        public String toString() {
            return "InterBrokerCredentials[" + mechanism + ", " + username + "]";
        }
    }

    private final Map<String, ListenerSasl> listeners;
    private final InterBrokerCredentials interBroker;
    private final long maxReauthMs;
    private final int maxReceiveSize;

    private SaslConfig(
            Map<String, ListenerSasl> listeners,
            InterBrokerCredentials interBroker,
            long maxReauthMs,
            int maxReceiveSize) {
        this.listeners = listeners;
        this.interBroker = interBroker;
        this.maxReauthMs = maxReauthMs;
        this.maxReceiveSize = maxReceiveSize;
    }

    /** @throws ConfigException naming the key of the first bad setting */
    public static SaslConfig from(BrokerConfig config) {
        List<String> globalMechanisms = mechanisms(SASL_ENABLED_MECHANISMS, config.getList(SASL_ENABLED_MECHANISMS));
        Password globalJaas = config.getPassword(SASL_JAAS_CONFIG);
        String ibMechanism = config.getString(SASL_MECHANISM_INTER_BROKER_PROTOCOL);
        long maxReauthMs = config.getLong(CONNECTIONS_MAX_REAUTH_MS);
        int maxReceiveSize = config.getInt(SASL_SERVER_MAX_RECEIVE_SIZE);

        Map<String, ListenerSasl> listeners = new LinkedHashMap<>();
        for (ListenerConfig.Listener l : config.listeners()) {
            if (!l.securityProtocol().name.startsWith("SASL_")) {
                continue;
            }
            String prefix = ListenerOverrides.prefix(l.name());
            Object own = config.originals().get(prefix + SASL_ENABLED_MECHANISMS);
            List<String> mechanisms = own == null
                    ? globalMechanisms
                    : mechanisms(
                            prefix + SASL_ENABLED_MECHANISMS,
                            List.of(own.toString().split(",")));
            if (mechanisms.isEmpty()) {
                throw new ConfigException(
                        SASL_ENABLED_MECHANISMS,
                        "",
                        "listener " + l.name() + " is " + l.securityProtocol() + " and needs at least one mechanism");
            }
            Map<String, AppConfigurationEntry> jaas = new HashMap<>();
            for (String m : mechanisms) {
                String key = prefix + m.toLowerCase(Locale.ROOT) + "." + SASL_JAAS_CONFIG;
                Object text = config.originals().get(key);
                if (text == null && globalJaas != null) {
                    key = SASL_JAAS_CONFIG;
                    text = globalJaas.value();
                }
                AppConfigurationEntry entry = jaasEntry(l.name(), m, key, text == null ? null : text.toString());
                if (entry != null) {
                    jaas.put(m, entry);
                } else if (m.equals(PLAIN)) {
                    throw new ConfigException(
                            prefix + "plain." + SASL_JAAS_CONFIG,
                            null,
                            "PLAIN on listener " + l.name() + " needs a JAAS config naming its users: "
                                    + PlainLoginModule.class.getName()
                                    + " required user_alice=\"alice-secret\"; (here, in " + SASL_JAAS_CONFIG
                                    + " or in the JAAS file of java.security.auth.login.config)");
                }
            }
            listeners.put(l.name(), new ListenerSasl(l.name(), List.copyOf(mechanisms), Map.copyOf(jaas)));
        }

        InterBrokerCredentials interBroker = null;
        ListenerSasl ib = listeners.get(config.interBrokerListenerName());
        if (ib != null) {
            String mechanism = ibMechanism == null
                    ? ib.mechanisms().get(0)
                    : ibMechanism.trim().toUpperCase(Locale.ROOT);
            if (!ib.mechanisms().contains(mechanism)) {
                throw new ConfigException(
                        SASL_MECHANISM_INTER_BROKER_PROTOCOL,
                        mechanism,
                        "must be one of the mechanisms of the inter-broker listener " + ib.listenerName() + " ("
                                + ib.mechanisms() + ")");
            }
            AppConfigurationEntry entry = ib.jaas().get(mechanism);
            String username = entry == null ? null : (String) entry.getOptions().get("username");
            String password = entry == null ? null : (String) entry.getOptions().get("password");
            if (username == null || password == null) {
                throw new ConfigException(
                        ListenerOverrides.prefix(ib.listenerName()) + mechanism.toLowerCase(Locale.ROOT) + "."
                                + SASL_JAAS_CONFIG,
                        null,
                        "the inter-broker listener " + ib.listenerName() + " authenticates brokers with " + mechanism
                                + ": its JAAS config needs this broker's username=\"...\" password=\"...\"");
            }
            interBroker = new InterBrokerCredentials(mechanism, username, password);
        }
        return new SaslConfig(Map.copyOf(listeners), interBroker, maxReauthMs, maxReceiveSize);
    }

    private static List<String> mechanisms(String key, List<String> given) {
        List<String> out = new ArrayList<>();
        for (String raw : given) {
            String m = raw.trim().toUpperCase(Locale.ROOT);
            if (m.isEmpty() || out.contains(m)) {
                continue;
            }
            if (m.equals("GSSAPI")) {
                throw new ConfigException(
                        key,
                        raw,
                        "GSSAPI (Kerberos) is not supported by Strand; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512");
            }
            if (!m.equals(PLAIN) && !ScramMechanism.isScram(m)) {
                throw new ConfigException(
                        key,
                        raw,
                        "unsupported SASL mechanism (Strand supports PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512)");
            }
            out.add(m);
        }
        return out;
    }

    /** The login module entry for {@code mechanism} on {@code listener}, or null if it has no JAAS config. */
    private static AppConfigurationEntry jaasEntry(String listener, String mechanism, String key, String text) {
        if (text == null && System.getProperty(JAAS_FILE_PROPERTY) == null) {
            return null;
        }
        String mechanismKey = mechanism.toLowerCase(Locale.ROOT) + "." + SASL_JAAS_CONFIG;
        List<AppConfigurationEntry> entries;
        try {
            Map<String, Object> configs = new HashMap<>();
            if (text != null) {
                configs.put(mechanismKey, new Password(text));
            }
            entries = JaasContext.loadServerContext(new ListenerName(listener), mechanism, configs)
                    .configurationEntries();
        } catch (RuntimeException e) {
            if (text == null) {
                return null; // the JAAS file has no section for this listener: as if unset
            }
            throw new ConfigException(key, "[hidden]", "not a valid JAAS config: " + e.getMessage());
        }
        String expected = mechanism.equals(PLAIN) ? PlainLoginModule.class.getName() : ScramLoginModule.class.getName();
        for (AppConfigurationEntry e : entries) {
            if (e.getLoginModuleName().equals(expected)) {
                return e;
            }
        }
        throw new ConfigException(
                key,
                "[hidden]",
                "the JAAS config for " + mechanism + " on listener " + listener + " must use "
                        + expected + " (found "
                        + entries.stream()
                                .map(AppConfigurationEntry::getLoginModuleName)
                                .toList()
                        + ")");
    }

    /** The SASL listeners by name. */
    public Map<String, ListenerSasl> listeners() {
        return listeners;
    }

    /** This broker's credentials for the inter-broker listener, or null if that listener is not SASL. */
    public InterBrokerCredentials interBroker() {
        return interBroker;
    }

    /** {@code connections.max.reauth.ms}; 0 = sessions never expire. */
    public long maxReauthMs() {
        return maxReauthMs;
    }

    /** {@code sasl.server.max.receive.size}. */
    public int maxReceiveSize() {
        return maxReceiveSize;
    }
}
