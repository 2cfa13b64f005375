package io.strand.server;

import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The broker's SASL settings (SASL_PLAINTEXT and SASL_SSL listeners), with Kafka's names; part of
 * {@link BrokerConfigDefinition#DEFINITION}. Read and checked by {@link
 * io.strand.server.security.SaslConfig#from}. {@code sasl.enabled.mechanisms} and {@code
 * <mechanism>.sasl.jaas.config} may also be given per listener with Kafka's prefix {@code
 * listener.name.<listener>.} (see {@link ListenerOverrides}). Immutable.
 */
public final class SaslSettingsDefinition {
    private SaslSettingsDefinition() {}

    public static final String SASL_ENABLED_MECHANISMS = "sasl.enabled.mechanisms";
    public static final String SASL_MECHANISM_INTER_BROKER_PROTOCOL = "sasl.mechanism.inter.broker.protocol";
    public static final String SASL_JAAS_CONFIG = "sasl.jaas.config";
    public static final String CONNECTIONS_MAX_REAUTH_MS = "connections.max.reauth.ms";
    public static final String SASL_SERVER_MAX_RECEIVE_SIZE = "sasl.server.max.receive.size";

    /** The mechanisms Strand serves by default: those that need nothing in the broker's configuration. */
    public static final List<String> DEFAULT_MECHANISMS = List.of("SCRAM-SHA-256", "SCRAM-SHA-512");

    static ConfigDef addTo(ConfigDef def) {
        return def.define(
                        SASL_ENABLED_MECHANISMS,
                        Type.LIST,
                        DEFAULT_MECHANISMS,
                        Importance.MEDIUM,
                        "The SASL mechanisms SASL listeners accept: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (Kafka's"
                                + " default, GSSAPI, is not supported and refused, as is OAUTHBEARER). The default"
                                + " enables the SCRAM mechanisms, whose users live in ZooKeeper; PLAIN needs the"
                                + " listener's JAAS config with user_<name>=\"<password>\" options. A listener may"
                                + " have its own list: listener.name.<listener>.sasl.enabled.mechanisms.")
                .define(
                        SASL_MECHANISM_INTER_BROKER_PROTOCOL,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "The SASL mechanism brokers authenticate with among themselves when the inter-broker"
                                + " listener is SASL_PLAINTEXT or SASL_SSL; one of the listener's enabled mechanisms."
                                + " The broker's identity is the username and password of that listener's JAAS"
                                + " config for the mechanism. Unset: the first enabled mechanism (Kafka's default,"
                                + " GSSAPI, is not supported).")
                .define(
                        SASL_JAAS_CONFIG,
                        Type.PASSWORD,
                        null,
                        Importance.MEDIUM,
                        "The JAAS login context, in JAAS file format, for every SASL listener and mechanism"
                                + " that has no listener.name.<listener>.<mechanism>.sasl.jaas.config of its own"
                                + " (Kafka's brokers read only the prefixed form; Strand reads both). E.g."
                                + " org.apache.kafka.common.security.plain.PlainLoginModule required"
                                + " username=\"broker\" password=\"broker-secret\" user_broker=\"broker-secret\""
                                + " user_alice=\"alice-secret\";")
                .define(
                        CONNECTIONS_MAX_REAUTH_MS,
                        Type.LONG,
                        0L,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "The longest a SASL session lasts before the client must re-authenticate on the same"
                                + " connection (KIP-368); SaslAuthenticate tells the client, and a connection whose"
                                + " session expired is closed at its next request. 0: sessions never expire.")
                .define(
                        SASL_SERVER_MAX_RECEIVE_SIZE,
                        Type.INT,
                        524_288,
                        Range.atLeast(1024),
                        Importance.LOW,
                        "The largest request a SASL connection may send before it has authenticated; a larger"
                                + " frame closes the connection before anything is read into memory.");
    }
}
