package io.strand.server.security;

import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.plain.internals.PlainServerCallbackHandler;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslServer;
import org.apache.kafka.common.security.scram.internals.ScramServerCallbackHandler;
import org.apache.kafka.common.security.token.delegation.internals.DelegationTokenCache;

/**
 * The SASL mechanisms one listener serves and how to start an exchange of each, with kafka-clients'
 * servers: {@link PlainSaslServer} checking the {@code user_<name>} options of the listener's JAAS
 * config ({@link PlainServerCallbackHandler}), {@link ScramSaslServer} checking the credentials
 * ZooKeeper holds ({@link ScramCredentialCache}). Delegation tokens are not issued, so a SCRAM token
 * login always fails. Thread-safe: each exchange gets its own SaslServer.
 */
public final class SaslMechanisms {
    private final List<String> enabled;
    private final PlainServerCallbackHandler plainUsers;
    private final ScramServerCallbackHandler scramUsers256;
    private final ScramServerCallbackHandler scramUsers512;

    public SaslMechanisms(SaslConfig.ListenerSasl listener, ScramCredentialCache credentials) {
        this.enabled = listener.mechanisms();
        if (enabled.contains(SaslConfig.PLAIN)) {
            plainUsers = new PlainServerCallbackHandler();
            plainUsers.configure(
                    Map.of(), SaslConfig.PLAIN, List.of(listener.jaas().get(SaslConfig.PLAIN)));
        } else {
            plainUsers = null;
        }
        DelegationTokenCache noTokens = new DelegationTokenCache(ScramMechanism.mechanismNames());
        scramUsers256 = new ScramServerCallbackHandler(credentials.credentials(ScramMechanism.SCRAM_SHA_256), noTokens);
        scramUsers512 = new ScramServerCallbackHandler(credentials.credentials(ScramMechanism.SCRAM_SHA_512), noTokens);
    }

    /** The enabled mechanisms, as SaslHandshake lists them. */
    public List<String> enabled() {
        return enabled;
    }

    /** A server for one exchange of {@code mechanism}, which must be enabled. */
    public SaslServer newServer(String mechanism) throws SaslException {
        if (!enabled.contains(mechanism)) {
            throw new IllegalArgumentException(mechanism + " is not enabled");
        }
        if (mechanism.equals(SaslConfig.PLAIN)) {
            return new PlainSaslServer(plainUsers);
        }
        ScramMechanism scram = ScramMechanism.forMechanismName(mechanism);
        try {
            return new ScramSaslServer(
                    scram, Map.of(), scram == ScramMechanism.SCRAM_SHA_256 ? scramUsers256 : scramUsers512);
        } catch (NoSuchAlgorithmException e) {
            throw new SaslException(mechanism + " is not available in this JVM", e);
        }
    }
}
