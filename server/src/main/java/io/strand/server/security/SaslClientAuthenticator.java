package io.strand.server.security;

import java.io.IOException;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.security.scram.ScramExtensionsCallback;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslClient;

/**
 * The client side of a SASL exchange over a blocking connection, as Kafka's {@code
 * SaslClientAuthenticator} does it with SaslHandshake v1 and SaslAuthenticate v2: PLAIN through the
 * JDK's SASL client, SCRAM-SHA-256/512 through kafka-clients' {@link ScramSaslClient} (which also
 * checks the broker's final signature). A broker uses it on its inter-broker connections before their
 * first request. Immutable; each {@link #authenticate} runs one exchange on the calling thread.
 */
public final class SaslClientAuthenticator {
    /** Sends one request on the connection being authenticated and returns its response. */
    @FunctionalInterface
    public interface Exchange {
        AbstractResponse send(ApiKeys api, short version, ApiMessage request) throws IOException;
    }

    private final String mechanism;
    private final String username;
    private final String password;

    public SaslClientAuthenticator(String mechanism, String username, String password) {
        this.mechanism = mechanism;
        this.username = username;
        this.password = password;
    }

    public static SaslClientAuthenticator of(SaslConfig.InterBrokerCredentials credentials) {
        return new SaslClientAuthenticator(credentials.mechanism(), credentials.username(), credentials.password());
    }

    /**
     * Authenticates the connection behind {@code exchange}.
     *
     * @return the session lifetime the broker granted in ms (0: no expiry)
     * @throws UnsupportedSaslMechanismException if the broker does not enable the mechanism
     * @throws SaslAuthenticationException if the broker refused the credentials (with its message) or did not
     *     prove it knows them (SCRAM)
     * @throws IOException if the connection failed
     */
    public long authenticate(Exchange exchange) throws IOException {
        SaslHandshakeResponseData hs = (SaslHandshakeResponseData)
                exchange.send(ApiKeys.SASL_HANDSHAKE, (short) 1, new SaslHandshakeRequestData().setMechanism(mechanism))
                        .data();
        if (hs.errorCode() == Errors.UNSUPPORTED_SASL_MECHANISM.code()) {
            throw new UnsupportedSaslMechanismException(
                    "the broker does not enable " + mechanism + " (it enables " + hs.mechanisms() + ")");
        }
        Errors.forCode(hs.errorCode()).maybeThrow();
        SaslClient client = newClient();
        try {
            byte[] token = client.hasInitialResponse() ? client.evaluateChallenge(new byte[0]) : new byte[0];
            while (true) {
                SaslAuthenticateResponseData r = (SaslAuthenticateResponseData) exchange.send(
                                ApiKeys.SASL_AUTHENTICATE,
                                (short) 2,
                                new SaslAuthenticateRequestData().setAuthBytes(token))
                        .data();
                if (r.errorCode() != Errors.NONE.code()) {
                    throw Errors.forCode(r.errorCode()).exception(r.errorMessage());
                }
                if (!client.isComplete()) {
                    token = client.evaluateChallenge(r.authBytes());
                }
                if (client.isComplete()) {
                    return r.sessionLifetimeMs();
                }
            }
        } catch (SaslException e) {
            throw new SaslAuthenticationException(
                    mechanism + " exchange as " + username + " failed: " + e.getMessage(), e);
        } finally {
            try {
                client.dispose();
            } catch (SaslException ignored) {
                // nothing held
            }
        }
    }

    private SaslClient newClient() throws SaslException {
        if (mechanism.equals(SaslConfig.PLAIN)) {
            SaslClient plain = Sasl.createSaslClient(
                    new String[] {SaslConfig.PLAIN}, null, "kafka", "kafka", Map.of(), this::handle);
            if (plain == null) {
                throw new SaslException("this JVM has no PLAIN SASL client");
            }
            return plain;
        }
        ScramMechanism scram = ScramMechanism.forMechanismName(mechanism);
        if (scram == null) {
            throw new UnsupportedSaslMechanismException("unsupported SASL mechanism " + mechanism);
        }
        try {
            return new ScramSaslClient(scram, this::handle);
        } catch (NoSuchAlgorithmException e) {
            throw new SaslException(mechanism + " is not available in this JVM", e);
        }
    }

    private void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback c : callbacks) {
            if (c instanceof NameCallback n) {
                n.setName(username);
            } else if (c instanceof PasswordCallback p) {
                p.setPassword(password.toCharArray());
            } else if (!(c instanceof ScramExtensionsCallback)) { // no extensions: the defaults are empty
                throw new UnsupportedCallbackException(c);
            }
        }
    }
}
