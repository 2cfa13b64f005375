package io.strand.server.security;

import java.net.InetAddress;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.internals.SecurityUtils;
import org.apache.kafka.server.authorizer.Action;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log of authorization decisions, on its own logger {@value #LOGGER} (Kafka's is
 * {@code kafka.authorizer.logger}) so operators can route it to a file of its own. A denied action the
 * client asked for ({@link Action#logIfDenied()}) is logged at INFO, an allowed one that grants access
 * ({@link Action#logIfAllowed()}) at DEBUG, everything else (authorized-operations lists, filtering) at
 * TRACE. Each line names the principal, host, operation, resource (type:pattern:name), request API and
 * the rule that decided, in Kafka's wording.
 *
 * <p>Stateless; thread-safe.
 */
final class AuthorizationAudit {
    static final String LOGGER = "io.strand.server.security.audit";

    private static final Logger audit = LoggerFactory.getLogger(LOGGER);

    private AuthorizationAudit() {}

    static void log(
            KafkaPrincipal principal, AuthorizableRequestContext ctx, Action action, boolean allowed, String rule) {
        if (allowed) {
            if (action.logIfAllowed() && audit.isDebugEnabled()) {
                audit.debug(message(principal, ctx, action, true, rule));
            } else if (audit.isTraceEnabled()) {
                audit.trace(message(principal, ctx, action, true, rule));
            }
        } else if (action.logIfDenied()) {
            audit.info(message(principal, ctx, action, false, rule));
        } else if (audit.isTraceEnabled()) {
            audit.trace(message(principal, ctx, action, false, rule));
        }
    }

    static String message(
            KafkaPrincipal principal, AuthorizableRequestContext ctx, Action action, boolean allowed, String rule) {
        InetAddress address = ctx.clientAddress();
        String api = ApiKeys.hasId(ctx.requestType())
                ? ApiKeys.forId(ctx.requestType()).name
                : String.valueOf(ctx.requestType());
        return "Principal = " + principal
                + " is " + (allowed ? "Allowed" : "Denied")
                + " operation = " + action.operation()
                + " from host = " + (address == null ? "unknown" : address.getHostAddress())
                + " on resource = "
                + SecurityUtils.resourceTypeName(action.resourcePattern().resourceType())
                + ":" + action.resourcePattern().patternType()
                + ":" + action.resourcePattern().name()
                + " for request = " + api
                + " with resourceRefCount = " + action.resourceReferenceCount()
                + " based on rule " + rule;
    }
}
