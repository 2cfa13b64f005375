package io.strand.server.security;

import io.strand.server.network.ConnectionAuthenticator;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.apache.kafka.common.errors.IllegalSaslStateException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of SASL on one connection, with the semantics of Kafka's {@code
 * SaslServerAuthenticator}. Until the connection has authenticated it may send only ApiVersions,
 * SaslHandshake (v0-1) and SaslAuthenticate (v0-2), in that order, and frames of at most {@code
 * sasl.server.max.receive.size}: any other request before the handshake closes the connection with
 * a logged reason; after the handshake it is answered ILLEGAL_SASL_STATE and the connection closed.
 * An unknown mechanism is answered UNSUPPORTED_SASL_MECHANISM with the enabled ones; failed
 * credentials SASL_AUTHENTICATION_FAILED with Kafka's message (the reason and the user claimed are
 * logged), then the connection closes. Success makes the connection's principal {@code
 * User:<name>}. SaslHandshake v0 is followed by raw SASL tokens instead of SaslAuthenticate.
 *
 * <p>Re-authentication (KIP-368): with {@code connections.max.reauth.ms} > 0 SaslAuthenticate tells
 * the client its session lifetime; a SaslHandshake on the authenticated connection (at most one a
 * second) starts the exchange again for the same mechanism and must end with the same principal,
 * while requests read meanwhile keep the old one. A request after the session expired closes the
 * connection.
 *
 * <p>Threading: confined to the connection's event loop, like every {@link ConnectionAuthenticator}.
 */
public final class SaslServerAuthenticator implements ConnectionAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(SaslServerAuthenticator.class);
    private static final long MIN_REAUTH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private enum State {
        HANDSHAKE, // ApiVersions or SaslHandshake
        AUTHENTICATE, // SaslAuthenticate (after SaslHandshake v1)
        AUTHENTICATE_RAW, // raw tokens (after SaslHandshake v0)
        COMPLETE,
        FAILED
    }

    private final SaslMechanisms mechanisms;
    private final long maxReauthMs;
    private final int maxReceiveSize;
    private final SocketAddress peer;
    private final SaslMetrics metrics;

    private State state = State.HANDSHAKE;
    private SaslServer server;
    private String mechanism;
    /** The user the client claimed in its first token, for logs; "?" until then. */
    private String claimedUser = "?";

    private KafkaPrincipal principal = KafkaPrincipal.ANONYMOUS;
    private boolean authenticatedOnce;
    private boolean reauthenticating;
    private long sessionExpiresAtNanos;
    private boolean sessionExpires;
    private long lastReauthStartNanos;

    public SaslServerAuthenticator(
            SaslMechanisms mechanisms, long maxReauthMs, int maxReceiveSize, SocketAddress peer, SaslMetrics metrics) {
        this.mechanisms = mechanisms;
        this.metrics = metrics;
        this.maxReauthMs = maxReauthMs;
        this.maxReceiveSize = maxReceiveSize;
        this.peer = peer;
    }

    @Override
    public KafkaPrincipal principal() {
        return principal;
    }

    @Override
    public int maxFrameBytes(int socketRequestMaxBytes) {
        return authenticatedOnce ? socketRequestMaxBytes : Math.min(maxReceiveSize, socketRequestMaxBytes);
    }

    @Override
    public boolean expectsRawToken() {
        return state == State.AUTHENTICATE_RAW;
    }

    @Override
    public Verdict onRequest(RequestHeader header, ByteBuffer body, long nowNanos) {
        ApiKeys api = header.apiKey();
        switch (state) {
            case HANDSHAKE -> {
                if (api == ApiKeys.API_VERSIONS) {
                    return Pass.INSTANCE;
                }
                if (api == ApiKeys.SASL_HANDSHAKE) {
                    return handshake(header, body);
                }
                state = State.FAILED;
                return new Close("Unexpected Kafka request of type " + api + " during SASL handshake");
            }
            case AUTHENTICATE -> {
                if (api == ApiKeys.SASL_AUTHENTICATE) {
                    return authenticate(header, body, nowNanos);
                }
                state = State.FAILED;
                return refuse(header, body, "Unexpected Kafka request of type " + api + " during SASL authentication.");
            }
            case COMPLETE -> {
                if (api == ApiKeys.SASL_HANDSHAKE && mayReauthenticate(nowNanos)) {
                    lastReauthStartNanos = nowNanos;
                    reauthenticating = true;
                    return handshake(header, body);
                }
                if (sessionExpires && nowNanos - sessionExpiresAtNanos > 0) {
                    state = State.FAILED;
                    metrics.expiredConnectionsKilled.inc();
                    return new Close("the SASL session of " + principal + " expired "
                            + TimeUnit.NANOSECONDS.toMillis(nowNanos - sessionExpiresAtNanos)
                            + " ms ago and was not re-authenticated (connections.max.reauth.ms=" + maxReauthMs + ")");
                }
                return Pass.INSTANCE; // SaslHandshake/SaslAuthenticate here are answered ILLEGAL_SASL_STATE by their
                // handlers
            }
            default -> {
                return new Close("the connection failed authentication");
            }
        }
    }

    private boolean mayReauthenticate(long nowNanos) {
        return sessionExpires
                && (lastReauthStartNanos == 0 || nowNanos - lastReauthStartNanos >= MIN_REAUTH_INTERVAL_NANOS);
    }

    private Verdict handshake(RequestHeader header, ByteBuffer body) {
        SaslHandshakeRequestData request;
        try {
            request = (SaslHandshakeRequestData) parse(header, body);
        } catch (RuntimeException e) {
            state = State.FAILED;
            return new Close("malformed SaslHandshake v" + header.apiVersion() + ": " + e.getMessage());
        }
        String asked = request.mechanism();
        SaslHandshakeResponseData response = new SaslHandshakeResponseData().setMechanisms(mechanisms.enabled());
        if (reauthenticating && !asked.equals(mechanism)) {
            return fail(
                    response.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code()),
                    "SASL mechanism '" + asked + "' requested by client is not supported for re-authentication of"
                            + " mechanism '" + mechanism + "'",
                    null);
        }
        if (!mechanisms.enabled().contains(asked)) {
            return fail(
                    response.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code()),
                    "Unsupported SASL mechanism " + asked + " (enabled: " + mechanisms.enabled() + ")",
                    null);
        }
        try {
            server = mechanisms.newServer(asked);
        } catch (SaslException e) {
            state = State.FAILED;
            return new Close("cannot start a " + asked + " exchange: " + e.getMessage());
        }
        mechanism = asked;
        claimedUser = "?";
        state = header.apiVersion() >= 1 ? State.AUTHENTICATE : State.AUTHENTICATE_RAW;
        return new Respond(response.setErrorCode(Errors.NONE.code()), false);
    }

    private Verdict authenticate(RequestHeader header, ByteBuffer body, long nowNanos) {
        SaslAuthenticateRequestData request;
        try {
            request = (SaslAuthenticateRequestData) parse(header, body);
        } catch (RuntimeException e) {
            state = State.FAILED;
            return new Close("malformed SaslAuthenticate v" + header.apiVersion() + ": " + e.getMessage());
        }
        SaslAuthenticateResponseData response = new SaslAuthenticateResponseData();
        try {
            byte[] challenge = evaluate(request.authBytes());
            long lifetimeMs = server.isComplete() ? complete(nowNanos) : 0L;
            return new Respond(
                    response.setErrorCode(Errors.NONE.code())
                            .setAuthBytes(challenge == null ? new byte[0] : challenge)
                            .setSessionLifetimeMs(lifetimeMs),
                    false);
        } catch (SaslAuthenticationException e) {
            return fail(
                    response.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                            .setErrorMessage(e.getMessage()),
                    e.getMessage(),
                    null);
        } catch (SaslException e) {
            // Kafka's message: the cause may tell whether the user exists, which a client must not learn
            String message = invalidCredentials();
            return fail(
                    response.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                            .setErrorMessage(message),
                    message,
                    e.getMessage());
        } catch (RuntimeException e) {
            state = State.FAILED;
            return new Close(mechanism + " exchange failed: " + e);
        }
    }

    @Override
    public Verdict onRawToken(ByteBuffer token, long nowNanos) {
        byte[] bytes = new byte[token.remaining()];
        token.get(bytes);
        try {
            byte[] challenge = evaluate(bytes);
            if (server.isComplete()) {
                complete(nowNanos);
            }
            return new RespondRaw(challenge, false);
        } catch (SaslAuthenticationException e) {
            failed(e.getMessage(), null);
        } catch (SaslException e) {
            failed(invalidCredentials(), e.getMessage());
        } catch (RuntimeException e) {
            failed(mechanism + " exchange failed", e.toString());
        }
        return new RespondRaw(null, true); // no Kafka response without SaslAuthenticate: just close
    }

    private byte[] evaluate(byte[] token) throws SaslException {
        if ("?".equals(claimedUser)) {
            claimedUser = claimedUser(mechanism, token);
        }
        return server.evaluateResponse(token);
    }

    /** The exchange succeeded: the connection is now its user's, for at most connections.max.reauth.ms. */
    private long complete(long nowNanos) {
        KafkaPrincipal authenticated = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, server.getAuthorizationID());
        if (reauthenticating && !authenticated.equals(principal)) {
            throw new SaslAuthenticationException(String.format(
                    "Cannot change principals during re-authentication from %s.%s: %s.%s",
                    principal.getPrincipalType(),
                    principal.getName(),
                    authenticated.getPrincipalType(),
                    authenticated.getName()));
        }
        dispose();
        principal = authenticated;
        (reauthenticating ? metrics.reauthentications : metrics.authentications).inc();
        log.debug(
                "{} {} as {} with {}",
                peer,
                reauthenticating ? "re-authenticated" : "authenticated",
                principal,
                mechanism);
        reauthenticating = false;
        authenticatedOnce = true;
        state = State.COMPLETE;
        sessionExpires = maxReauthMs > 0;
        sessionExpiresAtNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(maxReauthMs);
        return maxReauthMs;
    }

    private void dispose() {
        if (server != null) {
            try {
                server.dispose();
            } catch (SaslException ignored) {
                // nothing held
            }
            server = null;
        }
    }

    private String invalidCredentials() {
        return "Authentication failed during " + (reauthenticating ? "re-authentication" : "authentication")
                + " due to invalid credentials with SASL mechanism " + mechanism;
    }

    /** Answers {@code response} and closes; logs who failed and why. */
    private Verdict fail(ApiMessage response, String message, String cause) {
        failed(message, cause);
        return new Respond(response, true);
    }

    private void failed(String message, String cause) {
        state = State.FAILED;
        metrics.failures.inc();
        dispose();
        log.info(
                "Failed {} with {} (user '{}', mechanism {}): {}{}",
                reauthenticating ? "re-authentication" : "authentication",
                peer,
                claimedUser,
                mechanism,
                message,
                cause == null ? "" : " (" + cause + ")");
    }

    /** Answers a request that may not come now with its error response for ILLEGAL_SASL_STATE, then closes. */
    private Verdict refuse(RequestHeader header, ByteBuffer body, String message) {
        try {
            AbstractRequest request = AbstractRequest.parseRequest(
                            header.apiKey(), header.apiVersion(), new ByteBufferAccessor(body))
                    .request;
            failed(message, null);
            return new Respond(
                    request.getErrorResponse(0, new IllegalSaslStateException(message))
                            .data(),
                    true);
        } catch (RuntimeException e) {
            return new Close(message);
        }
    }

    private static ApiMessage parse(RequestHeader header, ByteBuffer body) {
        if (header.apiVersion() > header.apiKey().latestVersion()
                || header.apiVersion() < header.apiKey().oldestVersion()) {
            throw new IllegalArgumentException("version " + header.apiVersion() + " is not supported");
        }
        return AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(), new ByteBufferAccessor(body))
                .request
                .data();
    }

    /** The user a first token names, for logs only ("?" if it cannot be read). */
    static String claimedUser(String mechanism, byte[] token) {
        try {
            if (SaslConfig.PLAIN.equals(mechanism)) {
                String s = new String(token, StandardCharsets.UTF_8);
                int first = s.indexOf('\0');
                int second = s.indexOf('\0', first + 1);
                return first >= 0 && second > first ? s.substring(first + 1, second) : "?";
            }
            return ScramFormatter.username(new ScramMessages.ClientFirstMessage(token).saslName());
        } catch (SaslException | RuntimeException e) {
            return "?";
        }
    }
}
