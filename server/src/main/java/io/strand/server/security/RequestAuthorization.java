package io.strand.server.security;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.server.authorizer.Action;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;
import org.apache.kafka.server.authorizer.AuthorizationResult;
import org.apache.kafka.server.authorizer.Authorizer;

/**
 * The checks API handlers make before they act, as Kafka's {@code KafkaApis} makes them: each asks
 * the broker's {@link Authorizer} whether the request's principal may perform an operation on a
 * literal resource (a topic, group, transactional id, or the cluster). Without an authorizer
 * ({@code authorizer.class.name} unset) every check passes at once, building nothing.
 *
 * <p>Each {@link Action} says whether the authorizer should write an allowed or a denied decision to
 * its audit log, as Kafka sets it: a check that only filters what a listing shows (Metadata of all
 * topics, ListGroups) or that is a shortcut tried before a finer check (CREATE on the cluster before
 * CREATE on each topic) does not log its denials.
 *
 * <p>Many resources of one request are checked in one {@link Authorizer#authorize} call
 * ({@link #allowedNames}), each name once with the number of times the request names it.
 *
 * <p>Thread-safe: it holds only the authorizer, which Kafka requires to be thread-safe.
 */
public final class RequestAuthorization {
    /** Every check passes: no authorizer is configured. */
    public static final RequestAuthorization ALLOW_ALL = new RequestAuthorization(null);

    /** The "authorized operations" value a response carries when they are not computed. */
    public static final int OPERATIONS_OMITTED = Integer.MIN_VALUE;

    private static final Predicate<String> EVERY_NAME = name -> true;
    private static final Predicate<String> NO_NAME = name -> false;

    private final Authorizer authorizer;

    private RequestAuthorization(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    /** Checks through {@code authorizer}; {@link #ALLOW_ALL} when it is null. */
    public static RequestAuthorization of(Authorizer authorizer) {
        return authorizer == null ? ALLOW_ALL : new RequestAuthorization(authorizer);
    }

    /** The authorizer that decides; empty when everything is allowed. */
    public Optional<Authorizer> authorizer() {
        return Optional.ofNullable(authorizer);
    }

    /** Whether an authorizer decides (false: everything is allowed). */
    public boolean enabled() {
        return authorizer != null;
    }

    /** May the principal perform {@code op} on the resource; both decisions are logged. */
    public boolean allowed(AuthorizableRequestContext ctx, AclOperation op, ResourceType type, String name) {
        return allowed(ctx, op, type, name, true);
    }

    /** As {@link #allowed(AuthorizableRequestContext, AclOperation, ResourceType, String)}; a denial logged only if {@code logIfDenied}. */
    public boolean allowed(
            AuthorizableRequestContext ctx, AclOperation op, ResourceType type, String name, boolean logIfDenied) {
        return decide(ctx, op, type, name, true, logIfDenied);
    }

    /**
     * Passes if the principal may perform {@code op} on the resource, else throws the type's
     * authorization exception (GroupAuthorizationException for a group, ...) with Kafka's default
     * message: the handler's stage fails and the request is answered with its API's error response,
     * as Kafka answers {@code getErrorResponse(Errors.GROUP_AUTHORIZATION_FAILED.exception)}.
     */
    public void require(AuthorizableRequestContext ctx, AclOperation op, ResourceType type, String name) {
        if (!allowed(ctx, op, type, name)) {
            throw errorFor(type).exception();
        }
    }

    /** May the principal perform {@code op} on the cluster; both decisions are logged. */
    public boolean allowedOnCluster(AuthorizableRequestContext ctx, AclOperation op) {
        return allowed(ctx, op, ResourceType.CLUSTER, Resource.CLUSTER_NAME, true);
    }

    /** As {@link #allowedOnCluster(AuthorizableRequestContext, AclOperation)}; a denial logged only if {@code logIfDenied}. */
    public boolean allowedOnCluster(AuthorizableRequestContext ctx, AclOperation op, boolean logIfDenied) {
        return allowed(ctx, op, ResourceType.CLUSTER, Resource.CLUSTER_NAME, logIfDenied);
    }

    /**
     * Passes if the principal may perform {@code op} on the cluster, else throws
     * ClusterAuthorizationException: the handler's stage fails and the request is answered with its
     * API's error response (CLUSTER_AUTHORIZATION_FAILED), as Kafka's {@code authorizeClusterOperation}.
     */
    public void requireOnCluster(AuthorizableRequestContext ctx, AclOperation op) {
        if (!allowedOnCluster(ctx, op)) {
            throw new ClusterAuthorizationException(
                    "Request " + ApiKeys.forId(ctx.requestType()) + " needs " + op + " permission.");
        }
    }

    /**
     * The names among {@code items} the principal may perform {@code op} on, decided in one call to
     * the authorizer (each distinct name once, counted as often as it is named); every name when no
     * authorizer is configured, without looking at {@code items}. Null names are never allowed.
     */
    public <T> Predicate<String> allowedNames(
            AuthorizableRequestContext ctx,
            AclOperation op,
            ResourceType type,
            Iterable<T> items,
            Function<T, String> nameOf,
            boolean logIfDenied) {
        if (authorizer == null) {
            return EVERY_NAME;
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (T item : items) {
            String name = nameOf.apply(item);
            if (name != null) {
                counts.merge(name, 1, Integer::sum);
            }
        }
        if (counts.isEmpty()) {
            return NO_NAME;
        }
        List<Action> actions = new ArrayList<>(counts.size());
        counts.forEach((name, count) -> actions.add(
                new Action(op, new ResourcePattern(type, name, PatternType.LITERAL), count, true, logIfDenied)));
        List<AuthorizationResult> results = authorizer.authorize(ctx, actions);
        Set<String> allowed = new HashSet<>();
        for (int i = 0; i < actions.size(); i++) {
            if (results.get(i) == AuthorizationResult.ALLOWED) {
                allowed.add(actions.get(i).resourcePattern().name());
            }
        }
        return allowed::contains;
    }

    /** The topics among {@code items} the principal may perform {@code op} on, in one authorizer call; denials logged. */
    public <T> Predicate<String> allowedTopics(
            AuthorizableRequestContext ctx, AclOperation op, Iterable<T> items, Function<T, String> nameOf) {
        return allowedNames(ctx, op, ResourceType.TOPIC, items, nameOf, true);
    }

    /**
     * May the principal perform {@code op} on at least one resource of {@code type} (any ALLOW ACL
     * that no DENY covers): Kafka's fallback for idempotent producers, which may write if they may
     * write to some topic.
     */
    public boolean allowedByResourceType(AuthorizableRequestContext ctx, AclOperation op, ResourceType type) {
        return authorizer == null || authorizer.authorizeByResourceType(ctx, op, type) == AuthorizationResult.ALLOWED;
    }

    /**
     * The operations on a resource the principal may perform, as the bit field Metadata,
     * DescribeGroups, DescribeCluster and the other describe APIs answer when asked; none of the
     * decisions is logged. {@link #OPERATIONS_OMITTED} when no authorizer is configured.
     */
    public int authorizedOperations(AuthorizableRequestContext ctx, ResourceType type, String name) {
        if (authorizer == null) {
            return OPERATIONS_OMITTED;
        }
        List<AclOperation> supported = new ArrayList<>(supportedOperations(type));
        ResourcePattern pattern = new ResourcePattern(type, name, PatternType.LITERAL);
        List<Action> actions = new ArrayList<>();
        supported.forEach(op -> actions.add(new Action(op, pattern, 1, false, false)));
        List<AuthorizationResult> results = authorizer.authorize(ctx, actions);
        Set<Byte> codes = new HashSet<>();
        for (int i = 0; i < supported.size(); i++) {
            if (results.get(i) == AuthorizationResult.ALLOWED) {
                codes.add(supported.get(i).code());
            }
        }
        return Utils.to32BitField(codes);
    }

    /** The error a denied operation on a resource of {@code type} is answered with. */
    public static Errors errorFor(ResourceType type) {
        return switch (type) {
            case TOPIC -> Errors.TOPIC_AUTHORIZATION_FAILED;
            case GROUP -> Errors.GROUP_AUTHORIZATION_FAILED;
            case CLUSTER -> Errors.CLUSTER_AUTHORIZATION_FAILED;
            case TRANSACTIONAL_ID -> Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
            case DELEGATION_TOKEN -> Errors.DELEGATION_TOKEN_AUTHORIZATION_FAILED;
            default -> throw new IllegalArgumentException("no authorization error for " + type);
        };
    }

    /** The operations that apply to a resource type (Kafka's {@code AclEntry.supportedOperations}). */
    static Set<AclOperation> supportedOperations(ResourceType type) {
        return switch (type) {
            case TOPIC ->
                EnumSet.of(
                        AclOperation.READ,
                        AclOperation.WRITE,
                        AclOperation.CREATE,
                        AclOperation.DESCRIBE,
                        AclOperation.DELETE,
                        AclOperation.ALTER,
                        AclOperation.DESCRIBE_CONFIGS,
                        AclOperation.ALTER_CONFIGS);
            case GROUP ->
                EnumSet.of(
                        AclOperation.READ,
                        AclOperation.DESCRIBE,
                        AclOperation.DELETE,
                        AclOperation.DESCRIBE_CONFIGS,
                        AclOperation.ALTER_CONFIGS);
            case CLUSTER ->
                EnumSet.of(
                        AclOperation.CREATE,
                        AclOperation.CLUSTER_ACTION,
                        AclOperation.DESCRIBE_CONFIGS,
                        AclOperation.ALTER_CONFIGS,
                        AclOperation.IDEMPOTENT_WRITE,
                        AclOperation.ALTER,
                        AclOperation.DESCRIBE);
            case TRANSACTIONAL_ID ->
                EnumSet.of(AclOperation.DESCRIBE, AclOperation.WRITE, AclOperation.TWO_PHASE_COMMIT);
            case DELEGATION_TOKEN -> EnumSet.of(AclOperation.DESCRIBE);
            case USER -> EnumSet.of(AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS);
            default -> throw new IllegalArgumentException("not a concrete resource type: " + type);
        };
    }

    private boolean decide(
            AuthorizableRequestContext ctx,
            AclOperation op,
            ResourceType type,
            String name,
            boolean logIfAllowed,
            boolean logIfDenied) {
        if (authorizer == null) {
            return true;
        }
        if (name == null) {
            return false;
        }
        Action action =
                new Action(op, new ResourcePattern(type, name, PatternType.LITERAL), 1, logIfAllowed, logIfDenied);
        return authorizer.authorize(ctx, List.of(action)).get(0) == AuthorizationResult.ALLOWED;
    }
}
