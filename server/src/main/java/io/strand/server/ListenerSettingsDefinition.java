package io.strand.server;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The listener settings beside {@code listeners} and {@code advertised.listeners}: which security
 * protocol each listener name speaks and which listener brokers use among themselves, with Kafka's
 * names and defaults; part of {@link BrokerConfigDefinition#DEFINITION}. Read through
 * {@link ListenerConfig}. Immutable.
 */
public final class ListenerSettingsDefinition {
    private ListenerSettingsDefinition() {}

    public static final String LISTENER_SECURITY_PROTOCOL_MAP = "listener.security.protocol.map";
    public static final String INTER_BROKER_LISTENER_NAME = "inter.broker.listener.name";
    public static final String SECURITY_INTER_BROKER_PROTOCOL = "security.inter.broker.protocol";

    static ConfigDef addTo(ConfigDef def) {
        return def.define(
                        LISTENER_SECURITY_PROTOCOL_MAP,
                        Type.LIST,
                        "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
                        Importance.LOW,
                        "Listener name to security protocol, NAME:PROTOCOL pairs; a listener whose name is not"
                                + " a security protocol must be named here (e.g. INTERNAL:SASL_SSL).")
                .define(
                        INTER_BROKER_LISTENER_NAME,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "The listener brokers use to reach each other (replication, transaction markers, share"
                                + " state); one of advertised.listeners. Not together with"
                                + " security.inter.broker.protocol.")
                .define(
                        SECURITY_INTER_BROKER_PROTOCOL,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "The security protocol brokers use among themselves when inter.broker.listener.name is"
                                + " not set: the listener of that name. Unset means PLAINTEXT, as in Kafka.");
    }
}
