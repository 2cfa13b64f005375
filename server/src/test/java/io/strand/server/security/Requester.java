package io.strand.server.security;

import java.net.InetAddress;
import java.util.List;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.server.authorizer.Action;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;
import org.apache.kafka.server.authorizer.AuthorizationResult;
import org.apache.kafka.server.authorizer.Authorizer;

/** Who asks, for tests that put a principal and a client address to an authorizer directly. Immutable. */
record Requester(KafkaPrincipal principal, InetAddress clientAddress) implements AuthorizableRequestContext {
    static Requester user(String name, String ip) {
        try {
            return new Requester(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, name), InetAddress.getByName(ip));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    /** Whether {@code authorizer} allows this requester {@code op} on the topic/group/... {@code name}. */
    boolean may(Authorizer authorizer, AclOperation op, ResourceType type, String name) {
        Action action = new Action(op, new ResourcePattern(type, name, PatternType.LITERAL), 1, true, true);
        return authorizer.authorize(this, List.of(action)).get(0) == AuthorizationResult.ALLOWED;
    }

    @Override
    public String listenerName() {
        return "PLAINTEXT";
    }

    @Override
    public SecurityProtocol securityProtocol() {
        return SecurityProtocol.PLAINTEXT;
    }

    @Override
    public int requestType() {
        return ApiKeys.PRODUCE.id;
    }

    @Override
    public int requestVersion() {
        return 0;
    }

    @Override
    public String clientId() {
        return "test";
    }

    @Override
    public int correlationId() {
        return 0;
    }
}
