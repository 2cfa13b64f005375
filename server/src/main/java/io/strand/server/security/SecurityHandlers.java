package io.strand.server.security;

import io.strand.coordinator.MetadataStore;
import io.strand.server.BrokerConfig;
import io.strand.server.handlers.CreateAclsHandler;
import io.strand.server.handlers.DeleteAclsHandler;
import io.strand.server.handlers.DescribeAclsHandler;
import io.strand.server.network.ApiHandler;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.server.authorizer.Authorizer;

/**
 * Builds a broker's security parts: the authorizer its settings ask for, and the handlers of the ACL
 * APIs over it. Stateless.
 */
public final class SecurityHandlers {
    private SecurityHandlers() {}

    /**
     * The authorizer {@code authorizer.class.name} asks for, with every ACL loaded; empty when the setting is
     * empty (every request allowed).
     */
    public static Optional<Authorizer> openAuthorizer(BrokerConfig config, MetadataStore store)
            throws InterruptedException {
        AuthorizerConfig settings = AuthorizerConfig.from(config);
        if (!settings.enabled()) {
            return Optional.empty();
        }
        ZkAclAuthorizer authorizer = new ZkAclAuthorizer(store, settings);
        try {
            return Optional.of(authorizer.open());
        } catch (InterruptedException | RuntimeException e) {
            authorizer.close();
            throw e;
        }
    }

    /** CreateAcls, DescribeAcls and DeleteAcls over {@code authorizer}. */
    public static List<ApiHandler<?>> aclHandlers(RequestAuthorization auth) {
        return List.of(new CreateAclsHandler(auth), new DescribeAclsHandler(auth), new DeleteAclsHandler(auth));
    }
}
