package io.strand.server.security;

import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.ALTER;
import static org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.acl.AclPermissionType.ALLOW;
import static org.apache.kafka.common.acl.AclPermissionType.DENY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.strand.server.security.AclIndex.Match;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

/**
 * Kafka's ACL matching rules on the in-memory index the authorizer decides with: which patterns apply
 * to a resource (literal, wildcard, prefixed, of its type only), principal and host matching with
 * wildcards ({@code User:*} matches any principal), deny beating allow, ALL, the operations an ALLOW implies (and a DENY does not), and the
 * difference between a resource without ACLs and one whose ACLs do not match.
 */
class AclIndexTest {
    private static final KafkaPrincipal ALICE = new KafkaPrincipal("User", "alice");
    private static final KafkaPrincipal BOB = new KafkaPrincipal("User", "bob");
    private static final String HOST = "10.0.0.1";

    private static ResourcePattern literal(ResourceType t, String name) {
        return new ResourcePattern(t, name, PatternType.LITERAL);
    }

    private static ResourcePattern prefixed(ResourceType t, String name) {
        return new ResourcePattern(t, name, PatternType.PREFIXED);
    }

    private static AccessControlEntry ace(String principal, String host, AclOperation op, AclPermissionType p) {
        return new AccessControlEntry(principal, host, op, p);
    }

    private static Match topic(AclIndex index, KafkaPrincipal who, AclOperation op, String name) {
        return index.decide(who, HOST, op, ResourceType.TOPIC, name).match();
    }

    @Test
    void shouldAnswerNoAclsOnlyWhenNoPatternOfTheResourceTypeApplies() {
        AclIndex index =
                AclIndex.EMPTY.with(literal(ResourceType.GROUP, "orders"), Set.of(ace("User:alice", "*", READ, ALLOW)));
        assertEquals(Match.NO_ACLS, topic(index, ALICE, READ, "orders"), "a group ACL says nothing of a topic");
        assertEquals(Match.NO_ACLS, topic(AclIndex.EMPTY, ALICE, READ, "orders"));
        AclIndex withTopic =
                index.with(literal(ResourceType.TOPIC, "orders"), Set.of(ace("User:bob", "*", READ, ALLOW)));
        assertEquals(Match.NO_MATCH, topic(withTopic, ALICE, READ, "orders"), "ACLs exist, none for alice");
        assertEquals(Match.ALLOWED, topic(withTopic, BOB, READ, "orders"));
        assertEquals(Match.NO_MATCH, topic(withTopic, BOB, WRITE, "orders"));
    }

    @Test
    void shouldLetOneMatchingDenyBeatEveryAllow() {
        AclIndex index = AclIndex.EMPTY
                .with(literal(ResourceType.TOPIC, "orders"), Set.of(ace("User:alice", "*", ALL, ALLOW)))
                .with(literal(ResourceType.TOPIC, "*"), Set.of(ace("User:*", "*", READ, ALLOW)))
                .with(prefixed(ResourceType.TOPIC, "ord"), Set.of(ace("User:alice", HOST, WRITE, DENY)));
        assertEquals(Match.DENIED, topic(index, ALICE, WRITE, "orders"));
        AclIndex.Decision d = index.decide(ALICE, HOST, WRITE, ResourceType.TOPIC, "orders");
        assertEquals(
                new AclBinding(prefixed(ResourceType.TOPIC, "ord"), ace("User:alice", HOST, WRITE, DENY)), d.rule());
        assertEquals(Match.ALLOWED, topic(index, ALICE, READ, "orders"), "the deny is of WRITE only");
        assertEquals(
                Match.ALLOWED,
                index.decide(ALICE, "10.0.0.2", WRITE, ResourceType.TOPIC, "orders")
                        .match(),
                "the deny is of one host only");
        AclIndex denyAll = index.with(
                literal(ResourceType.TOPIC, "orders"),
                Set.of(ace("User:alice", "*", ALL, ALLOW), ace("User:*", "*", ALL, DENY)));
        assertEquals(Match.DENIED, topic(denyAll, ALICE, READ, "orders"), "DENY ALL for everyone beats alice's ALLOW");
        assertEquals(Match.DENIED, topic(denyAll, BOB, DESCRIBE, "orders"));
    }

    @Test
    void shouldApplyLiteralWildcardAndPrefixedPatternsOfTheSameType() {
        AclIndex index = AclIndex.EMPTY
                .with(literal(ResourceType.TOPIC, "payments"), Set.of(ace("User:alice", "*", READ, ALLOW)))
                .with(prefixed(ResourceType.TOPIC, "pay"), Set.of(ace("User:alice", "*", WRITE, ALLOW)))
                .with(literal(ResourceType.TOPIC, "*"), Set.of(ace("User:alice", "*", CREATE, ALLOW)))
                .with(prefixed(ResourceType.GROUP, "pay"), Set.of(ace("User:alice", "*", DELETE, ALLOW)));
        assertEquals(Match.ALLOWED, topic(index, ALICE, READ, "payments"), "literal");
        assertEquals(Match.NO_MATCH, topic(index, ALICE, READ, "payments-eu"), "a literal is not a prefix");
        assertEquals(Match.ALLOWED, topic(index, ALICE, WRITE, "payments-eu"), "prefixed");
        assertEquals(Match.ALLOWED, topic(index, ALICE, WRITE, "pay"), "a prefix matches the name itself");
        assertEquals(Match.NO_MATCH, topic(index, ALICE, WRITE, "pa"), "shorter than the prefix");
        assertEquals(Match.ALLOWED, topic(index, ALICE, CREATE, "anything"), "the wildcard name");
        assertEquals(Match.NO_MATCH, topic(index, ALICE, DELETE, "payments"), "a group ACL does not apply to a topic");
        AclIndex prefixedStar =
                AclIndex.EMPTY.with(prefixed(ResourceType.TOPIC, "*"), Set.of(ace("User:alice", "*", READ, ALLOW)));
        assertEquals(Match.NO_ACLS, topic(prefixedStar, ALICE, READ, "orders"), "a PREFIXED * is a literal prefix");
        assertEquals(Match.ALLOWED, topic(prefixedStar, ALICE, READ, "*orders"));
    }

    @Test
    void shouldMatchWildcardPrincipalAndHostButNotOtherPrincipalTypes() {
        AclIndex index = AclIndex.EMPTY.with(
                literal(ResourceType.TOPIC, "t"),
                Set.of(ace("User:*", "*", READ, ALLOW), ace("User:alice", "10.0.0.9", WRITE, ALLOW)));
        assertEquals(Match.ALLOWED, topic(index, BOB, READ, "t"));
        assertEquals(
                Match.ALLOWED,
                index.decide(new KafkaPrincipal("Group", "ops"), HOST, READ, ResourceType.TOPIC, "t")
                        .match(),
                "User:* matches every principal, whatever its type (as in Kafka)");
        AclIndex groupWildcard =
                AclIndex.EMPTY.with(literal(ResourceType.TOPIC, "t"), Set.of(ace("Group:*", "*", READ, ALLOW)));
        assertEquals(Match.NO_MATCH, topic(groupWildcard, BOB, READ, "t"), "only User:* is a wildcard principal");
        assertEquals(Match.NO_MATCH, topic(index, ALICE, WRITE, "t"), "WRITE only from 10.0.0.9");
        assertEquals(
                Match.ALLOWED,
                index.decide(ALICE, "10.0.0.9", WRITE, ResourceType.TOPIC, "t").match());
        assertEquals(
                Match.NO_MATCH,
                index.decide(ALICE, null, WRITE, ResourceType.TOPIC, "t").match());
    }

    @Test
    void shouldImplyDescribeAndDescribeConfigsFromAllowsOnly() {
        for (AclOperation implying : List.of(READ, WRITE, DELETE, ALTER, DESCRIBE, ALL)) {
            AclIndex index = AclIndex.EMPTY.with(
                    literal(ResourceType.TOPIC, "t"), Set.of(ace("User:alice", "*", implying, ALLOW)));
            assertEquals(Match.ALLOWED, topic(index, ALICE, DESCRIBE, "t"), implying + " implies DESCRIBE");
        }
        AclIndex create =
                AclIndex.EMPTY.with(literal(ResourceType.TOPIC, "t"), Set.of(ace("User:alice", "*", CREATE, ALLOW)));
        assertEquals(Match.NO_MATCH, topic(create, ALICE, DESCRIBE, "t"), "CREATE does not imply DESCRIBE");
        AclIndex alterConfigs = AclIndex.EMPTY.with(
                literal(ResourceType.TOPIC, "t"), Set.of(ace("User:alice", "*", ALTER_CONFIGS, ALLOW)));
        assertEquals(Match.ALLOWED, topic(alterConfigs, ALICE, DESCRIBE_CONFIGS, "t"));
        assertEquals(Match.NO_MATCH, topic(alterConfigs, ALICE, DESCRIBE, "t"), "ALTER_CONFIGS implies no DESCRIBE");
        assertEquals(Match.NO_MATCH, topic(alterConfigs, ALICE, ALTER, "t"));
        AclIndex denyRead = AclIndex.EMPTY.with(
                literal(ResourceType.TOPIC, "t"),
                Set.of(ace("User:alice", "*", READ, DENY), ace("User:alice", "*", DESCRIBE, ALLOW)));
        assertEquals(Match.ALLOWED, topic(denyRead, ALICE, DESCRIBE, "t"), "a DENY of READ does not deny DESCRIBE");
        assertEquals(Match.DENIED, topic(denyRead, ALICE, READ, "t"));
    }

    @Test
    void shouldReplaceAndRemovePatternsAndCountEntries() {
        ResourcePattern p = literal(ResourceType.TOPIC, "t");
        AclIndex one =
                AclIndex.EMPTY.with(p, Set.of(ace("User:alice", "*", READ, ALLOW), ace("User:bob", "*", READ, ALLOW)));
        AclIndex two = one.with(prefixed(ResourceType.GROUP, "g"), Set.of(ace("User:alice", "*", READ, ALLOW)));
        assertEquals(2, one.size());
        assertEquals(3, two.size());
        AclIndex replaced = two.with(p, Set.of(ace("User:carol", "*", READ, ALLOW)));
        assertEquals(2, replaced.size());
        assertEquals(Set.of(ace("User:carol", "*", READ, ALLOW)), replaced.entries(p));
        AclIndex removed = replaced.with(p, Set.of());
        assertEquals(Set.of(prefixed(ResourceType.GROUP, "g")), removed.patterns());
        assertEquals(2, one.size(), "an index never changes");
        assertNull(removed.decide(ALICE, HOST, READ, ResourceType.TOPIC, "t").rule());
    }

    @Test
    void shouldListTheBindingsAFilterMatches() {
        AclIndex index = AclIndex.EMPTY
                .with(literal(ResourceType.TOPIC, "orders"), Set.of(ace("User:alice", "*", READ, ALLOW)))
                .with(literal(ResourceType.TOPIC, "*"), Set.of(ace("User:bob", "*", READ, ALLOW)))
                .with(prefixed(ResourceType.TOPIC, "ord"), Set.of(ace("User:carol", "*", WRITE, DENY)))
                .with(prefixed(ResourceType.TOPIC, "x"), Set.of(ace("User:dave", "*", READ, ALLOW)));
        AclBindingFilter match = new AclBindingFilter(
                new ResourcePatternFilter(ResourceType.TOPIC, "orders", PatternType.MATCH),
                AccessControlEntryFilter.ANY);
        assertEquals(3, index.acls(match).size(), "literal, wildcard and prefixed patterns that apply to orders");
        AclBindingFilter prefixedOnly = new AclBindingFilter(
                new ResourcePatternFilter(ResourceType.ANY, null, PatternType.PREFIXED), AccessControlEntryFilter.ANY);
        assertEquals(2, index.acls(prefixedOnly).size());
        AclBindingFilter denies = new AclBindingFilter(
                ResourcePatternFilter.ANY, new AccessControlEntryFilter(null, null, AclOperation.ANY, DENY));
        assertEquals(
                List.of(new AclBinding(prefixed(ResourceType.TOPIC, "ord"), ace("User:carol", "*", WRITE, DENY))),
                index.acls(denies));
        assertEquals(4, index.acls(AclBindingFilter.ANY).size());
    }
}
