package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.security.ScramCredentialAdmin;
import java.util.List;

/**
 * The handlers of the SASL APIs and of the SCRAM users, which a broker serves on every listener
 * (SaslHandshake and SaslAuthenticate reach them only outside a SASL exchange), built together. Stateless.
 */
public final class SaslHandlers {
    private SaslHandlers() {}

    public static List<ApiHandler<?>> of(ScramCredentialAdmin scramUsers, RequestAuthorization auth) {
        return List.of(
                new SaslHandshakeHandler(),
                new SaslAuthenticateHandler(),
                new DescribeUserScramCredentialsHandler(scramUsers, auth),
                new AlterUserScramCredentialsHandler(scramUsers, auth));
    }
}
