package io.strand.server.security;

import io.strand.server.Broker;
import io.strand.server.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.server.authorizer.AclCreateResult;
import org.apache.kafka.server.authorizer.AclDeleteResult;
import org.apache.kafka.server.authorizer.Authorizer;

/**
 * ACLs for tests whose clients all connect as {@code User:ANONYMOUS} (plaintext, no SASL): written through a
 * broker's own authorizer, as an operator's {@code kafka-acls --authorizer-properties zookeeper.connect=...}
 * writes them straight to ZooKeeper, and in force on that broker when a call returns. Not thread-safe.
 */
final class TestAcls {
    static final String ANONYMOUS = KafkaPrincipal.ANONYMOUS.toString();

    private final Authorizer authorizer;
    private final RequestContext operator = new RequestContext(
            new RequestHeader(ApiKeys.CREATE_ACLS, ApiKeys.CREATE_ACLS.latestVersion(), "test-operator", 0),
            "test-operator",
            null,
            "PLAINTEXT",
            SecurityProtocol.PLAINTEXT,
            new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "operator"),
            System.nanoTime());

    TestAcls(Broker broker) {
        this.authorizer = broker.authorizer().orElseThrow(() -> new IllegalStateException("no authorizer"));
    }

    /** Allows {@code ops} on the literal resource to User:ANONYMOUS. */
    TestAcls allow(ResourceType type, String name, AclOperation... ops) {
        return add(new ResourcePattern(type, name, PatternType.LITERAL), AclPermissionType.ALLOW, ops);
    }

    /** Allows {@code ops} on every resource of {@code type} whose name starts with {@code prefix}. */
    TestAcls allowPrefixed(ResourceType type, String prefix, AclOperation... ops) {
        return add(new ResourcePattern(type, prefix, PatternType.PREFIXED), AclPermissionType.ALLOW, ops);
    }

    /** Allows {@code ops} on the cluster. */
    TestAcls allowOnCluster(AclOperation... ops) {
        return allow(ResourceType.CLUSTER, Resource.CLUSTER_NAME, ops);
    }

    /** Denies {@code ops} on the literal resource to User:ANONYMOUS. */
    TestAcls deny(ResourceType type, String name, AclOperation... ops) {
        return add(new ResourcePattern(type, name, PatternType.LITERAL), AclPermissionType.DENY, ops);
    }

    /** Removes every ACL. */
    void clear() {
        for (var r : authorizer.deleteAcls(operator, List.of(AclBindingFilter.ANY))) {
            AclDeleteResult result = r.toCompletableFuture().join();
            if (result.exception().isPresent()) {
                throw result.exception().get();
            }
        }
    }

    private TestAcls add(ResourcePattern pattern, AclPermissionType permission, AclOperation... ops) {
        List<AclBinding> bindings = new ArrayList<>();
        for (AclOperation op : ops) {
            bindings.add(new AclBinding(pattern, new AccessControlEntry(ANONYMOUS, "*", op, permission)));
        }
        for (var r : authorizer.createAcls(operator, bindings)) {
            AclCreateResult result = r.toCompletableFuture().join();
            if (result.exception().isPresent()) {
                throw result.exception().get();
            }
        }
        return this;
    }
}
