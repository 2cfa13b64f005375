package io.strand.server.security;

import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.server.authorizer.Action;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;
import org.apache.kafka.server.authorizer.AuthorizationResult;
import org.apache.kafka.server.authorizer.Authorizer;

/**
 * The check of an operation on the cluster resource ({@code Cluster:LITERAL:kafka-cluster}), as Kafka's
 * {@code AuthHelper.authorizeClusterOperation}: allowed when there is no authorizer, else what the
 * authorizer says for one explicitly requested action (logged whether allowed or denied).
 *
 * <p>Stateless; thread-safe.
 */
public final class ClusterAccess {
    public static final ResourcePattern CLUSTER =
            new ResourcePattern(ResourceType.CLUSTER, Resource.CLUSTER_NAME, PatternType.LITERAL);

    private ClusterAccess() {}

    public static boolean allowed(
            Optional<? extends Authorizer> authorizer, AuthorizableRequestContext ctx, AclOperation operation) {
        if (authorizer.isEmpty()) {
            return true;
        }
        List<AuthorizationResult> results =
                authorizer.get().authorize(ctx, List.of(new Action(operation, CLUSTER, 1, true, true)));
        return results.get(0) == AuthorizationResult.ALLOWED;
    }
}
