package io.strand.server.security;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.internals.SecurityUtils;

/**
 * Every ACL of the cluster, by resource pattern, and Kafka's matching rules over them. An index is an
 * immutable snapshot: {@link #with} returns a new one, so readers never lock and always see one consistent
 * set.
 *
 * <p>The rules (Kafka's {@code AclAuthorizer} / {@code StandardAuthorizer}): the ACLs that apply to a
 * resource of type T named n are those of the LITERAL patterns (T, n) and (T, {@code *}) and of every
 * PREFIXED pattern (T, p) where n starts with p. If there are none, {@link Match#NO_ACLS}. Otherwise an
 * entry applies to a request when its principal is the requester's or {@code User:*}, its host is the
 * client's address or {@code *}, and its operation is the one asked for or {@code ALL}; one DENY that
 * applies denies. An ALLOW applies also through implication: READ, WRITE, DELETE and ALTER imply
 * DESCRIBE, ALTER_CONFIGS implies DESCRIBE_CONFIGS (a DENY implies nothing). No DENY and at least one
 * ALLOW allows; otherwise denied.
 *
 * <p>Immutable; thread-safe.
 */
public final class AclIndex {
    public static final AclIndex EMPTY = new AclIndex(Map.of(), 0);

    private static final KafkaPrincipal WILDCARD_PRINCIPAL = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "*");
    private static final String WILDCARD_HOST = "*";
    private static final Set<AclOperation> IMPLIES_DESCRIBE = EnumSet.of(
            AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER);
    private static final Set<AclOperation> IMPLIES_DESCRIBE_CONFIGS =
            EnumSet.of(AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);

    /** One entry of a pattern, with its principal parsed once. */
    private record Rule(AccessControlEntry entry, KafkaPrincipal principal) {}

    private final Map<ResourcePattern, List<Rule>> byPattern;
    private final int count;

    private AclIndex(Map<ResourcePattern, List<Rule>> byPattern, int count) {
        this.byPattern = byPattern;
        this.count = count;
    }

    /** How the ACLs decide one request; {@link #rule} names the deciding entry for the audit log. */
    public record Decision(Match match, AclBinding rule) {
        public boolean allowed() {
            return match == Match.ALLOWED;
        }
    }

    public enum Match {
        /** An ALLOW entry applies and no DENY does. */
        ALLOWED,
        /** A DENY entry applies. */
        DENIED,
        /** The resource has ACLs, but none allows this principal, host and operation. */
        NO_MATCH,
        /** The resource has no ACL at all: {@code allow.everyone.if.no.acl.found} decides. */
        NO_ACLS
    }

    /** A copy of this index where {@code pattern} has exactly {@code entries} (none: the pattern goes). */
    public AclIndex with(ResourcePattern pattern, Set<AccessControlEntry> entries) {
        Map<ResourcePattern, List<Rule>> next = new HashMap<>(byPattern);
        List<Rule> old = next.remove(pattern);
        int nextCount = count - (old == null ? 0 : old.size());
        if (!entries.isEmpty()) {
            List<Rule> rules = new ArrayList<>(entries.size());
            for (AccessControlEntry e : entries) {
                rules.add(new Rule(e, SecurityUtils.parseKafkaPrincipal(e.principal())));
            }
            next.put(pattern, List.copyOf(rules));
            nextCount += rules.size();
        }
        return new AclIndex(Map.copyOf(next), nextCount);
    }

    /** An index holding exactly {@code all}. */
    public static AclIndex of(Map<ResourcePattern, Set<AccessControlEntry>> all) {
        AclIndex index = EMPTY;
        for (Map.Entry<ResourcePattern, Set<AccessControlEntry>> e : all.entrySet()) {
            index = index.with(e.getKey(), e.getValue());
        }
        return index;
    }

    /**
     * Decides whether {@code principal} from {@code host} may perform {@code operation} on the resource of
     * {@code type} named {@code name} (super users are the caller's business).
     *
     * @param host the client's IP address; null matches only {@code *} entries
     */
    public Decision decide(
            KafkaPrincipal principal, String host, AclOperation operation, ResourceType type, String name) {
        List<ResourcePattern> applicable = new ArrayList<>();
        addIfPresent(applicable, new ResourcePattern(type, name, PatternType.LITERAL));
        if (!ResourcePattern.WILDCARD_RESOURCE.equals(name)) {
            addIfPresent(applicable, new ResourcePattern(type, ResourcePattern.WILDCARD_RESOURCE, PatternType.LITERAL));
        }
        for (int len = 1; len <= name.length(); len++) {
            addIfPresent(applicable, new ResourcePattern(type, name.substring(0, len), PatternType.PREFIXED));
        }
        if (applicable.isEmpty()) {
            return new Decision(Match.NO_ACLS, null);
        }
        AclBinding allow = null;
        for (ResourcePattern pattern : applicable) {
            for (Rule r : byPattern.get(pattern)) {
                if (!appliesTo(r, principal, host)) {
                    continue;
                }
                AccessControlEntry e = r.entry();
                if (e.permissionType() == AclPermissionType.DENY) {
                    if (e.operation() == operation || e.operation() == AclOperation.ALL) {
                        return new Decision(Match.DENIED, new AclBinding(pattern, e));
                    }
                } else if (allow == null && e.permissionType() == AclPermissionType.ALLOW && allows(e, operation)) {
                    allow = new AclBinding(pattern, e);
                }
            }
        }
        return allow != null ? new Decision(Match.ALLOWED, allow) : new Decision(Match.NO_MATCH, null);
    }

    private void addIfPresent(List<ResourcePattern> into, ResourcePattern pattern) {
        if (byPattern.containsKey(pattern)) {
            into.add(pattern);
        }
    }

    private static boolean appliesTo(Rule r, KafkaPrincipal principal, String host) {
        boolean principalMatches =
                r.principal().equals(principal) || r.principal().equals(WILDCARD_PRINCIPAL);
        String h = r.entry().host();
        return principalMatches && (h.equals(WILDCARD_HOST) || h.equals(host));
    }

    private static boolean allows(AccessControlEntry e, AclOperation operation) {
        AclOperation granted = e.operation();
        if (granted == AclOperation.ALL || granted == operation) {
            return true;
        }
        return switch (operation) {
            case DESCRIBE -> IMPLIES_DESCRIBE.contains(granted);
            case DESCRIBE_CONFIGS -> IMPLIES_DESCRIBE_CONFIGS.contains(granted);
            default -> false;
        };
    }

    /** Every binding {@code filter} matches. */
    public List<AclBinding> acls(AclBindingFilter filter) {
        List<AclBinding> out = new ArrayList<>();
        for (Map.Entry<ResourcePattern, List<Rule>> e : byPattern.entrySet()) {
            for (Rule r : e.getValue()) {
                AclBinding b = new AclBinding(e.getKey(), r.entry());
                if (filter.matches(b)) {
                    out.add(b);
                }
            }
        }
        return out;
    }

    /** The entries of exactly {@code pattern} (none if it has no ACL). */
    public Set<AccessControlEntry> entries(ResourcePattern pattern) {
        List<Rule> rules = byPattern.getOrDefault(pattern, List.of());
        Set<AccessControlEntry> out = new java.util.HashSet<>();
        for (Rule r : rules) {
            out.add(r.entry());
        }
        return out;
    }

    /** Every resource pattern that has ACLs. */
    public Set<ResourcePattern> patterns() {
        return byPattern.keySet();
    }

    /** The number of entries over every pattern. */
    public int size() {
        return count;
    }
}
