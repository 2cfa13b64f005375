package io.strand.server.security;

import static org.apache.kafka.common.acl.AclOperation.ALTER;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.acl.AclPermissionType.ALLOW;
import static org.apache.kafka.common.acl.AclPermissionType.DENY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.ZnodePayloads;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.proto.AclChange;
import io.strand.coordinator.proto.AclEntryRecord;
import io.strand.coordinator.proto.ResourceAcls;
import io.strand.testing.Wait;
import io.strand.testing.ZooKeeperSessions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.server.authorizer.AclCreateResult;
import org.apache.kafka.server.authorizer.AclDeleteResult;
import org.apache.kafka.server.authorizer.AuthorizationResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ZooKeeper authorizer against a real ZooKeeper, as two brokers would run it (two authorizers, each
 * with its own ZooKeeper session): super users and {@code allow.everyone.if.no.acl.found}; ACLs stored in
 * Kafka's paths with change notifications; a change made through one seen by the other within a second;
 * concurrent creates on one resource from both all landing; deletes by filter; invalid bindings refused
 * one by one; a reload after a session expiry; old notifications cleaned up.
 */
class ZkAclAuthorizerTest {
    private static final String ALICE_HOST = "10.1.1.1";
    private static final Requester ALICE = Requester.user("alice", ALICE_HOST);
    private static final Requester BOB = Requester.user("bob", "10.1.1.2");

    private TestingServer zookeeper;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void startZooKeeper() throws Exception {
        zookeeper = new TestingServer(true);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        zookeeper.close();
    }

    private CuratorFramework client() {
        CuratorFramework zk = ZooKeeperConnection.connect(zookeeper.getConnectString() + "/strand", 10_000, 10_000);
        toClose.add(zk);
        return zk;
    }

    private ZkAclAuthorizer authorizer(String superUsers, boolean allowEveryone) throws Exception {
        return authorizer(client(), superUsers, allowEveryone, System::currentTimeMillis);
    }

    private ZkAclAuthorizer authorizer(CuratorFramework zk, String superUsers, boolean allowEveryone, LongSupplier time)
            throws Exception {
        ZkAclAuthorizer a = new ZkAclAuthorizer(
                new MetadataStore(zk),
                new AuthorizerConfig(true, AuthorizerConfig.parseSuperUsers(superUsers), allowEveryone),
                time);
        toClose.add(a);
        return a.open();
    }

    private static AclBinding binding(
            ResourceType type,
            String name,
            PatternType pt,
            String principal,
            String host,
            org.apache.kafka.common.acl.AclOperation op,
            org.apache.kafka.common.acl.AclPermissionType perm) {
        return new AclBinding(new ResourcePattern(type, name, pt), new AccessControlEntry(principal, host, op, perm));
    }

    private static AclBinding topicAcl(
            String name,
            String principal,
            org.apache.kafka.common.acl.AclOperation op,
            org.apache.kafka.common.acl.AclPermissionType perm) {
        return binding(ResourceType.TOPIC, name, PatternType.LITERAL, principal, "*", op, perm);
    }

    private static List<AclCreateResult> create(ZkAclAuthorizer a, AclBinding... bindings) {
        return a.createAcls(ALICE, List.of(bindings)).stream()
                .map(s -> s.toCompletableFuture().join())
                .toList();
    }

    private static AclDeleteResult delete(ZkAclAuthorizer a, AclBindingFilter filter) {
        return a.deleteAcls(ALICE, List.of(filter)).get(0).toCompletableFuture().join();
    }

    @Test
    void shouldAllowSuperUsersEverythingAndOthersOnlyWhatAclsOrTheDefaultAllow() throws Exception {
        ZkAclAuthorizer closed = authorizer("User:admin; User:ops", false);
        Requester admin = Requester.user("admin", "10.9.9.9");
        assertTrue(admin.may(closed, ALTER, ResourceType.CLUSTER, "kafka-cluster"));
        assertTrue(Requester.user("ops", "10.9.9.9").may(closed, WRITE, ResourceType.TOPIC, "t"));
        assertFalse(ALICE.may(closed, DESCRIBE, ResourceType.TOPIC, "t"), "no ACL and the default is to deny");

        ZkAclAuthorizer open = authorizer("", true);
        assertTrue(ALICE.may(open, WRITE, ResourceType.TOPIC, "t"), "no ACL on t: allowed to everyone");
        create(open, topicAcl("t", "User:bob", READ, ALLOW), topicAcl("t", "User:admin", READ, DENY));
        assertFalse(ALICE.may(open, WRITE, ResourceType.TOPIC, "t"), "t has ACLs now, none for alice");
        assertTrue(BOB.may(open, READ, ResourceType.TOPIC, "t"));
        assertTrue(BOB.may(open, DESCRIBE, ResourceType.TOPIC, "t"), "READ implies DESCRIBE");
        assertTrue(ALICE.may(open, WRITE, ResourceType.TOPIC, "u"), "another topic has no ACL");
        Wait.waitUntil(
                "the closed authorizer learns of t's ACLs",
                Duration.ofSeconds(5),
                () -> BOB.may(closed, READ, ResourceType.TOPIC, "t"));
        assertTrue(admin.may(closed, READ, ResourceType.TOPIC, "t"), "a super user is not subject to a DENY");
    }

    @Test
    void shouldStoreAclsInKafkasPathsWithChangeNotifications() throws Exception {
        ZkAclAuthorizer a = authorizer("", false);
        CuratorFramework zk = client();
        MetadataStore store = new MetadataStore(zk);
        for (ResourceType t : List.of(
                ResourceType.TOPIC,
                ResourceType.GROUP,
                ResourceType.CLUSTER,
                ResourceType.TRANSACTIONAL_ID,
                ResourceType.DELEGATION_TOKEN,
                ResourceType.USER)) {
            String name = org.apache.kafka.common.utils.internals.SecurityUtils.resourceTypeName(t);
            assertTrue(store.exists("/kafka-acl/" + name), name);
            assertTrue(store.exists("/kafka-acl-extended/prefixed/" + name), name);
        }
        List<AclCreateResult> results = create(
                a,
                topicAcl("orders", "User:alice", READ, ALLOW),
                binding(ResourceType.TOPIC, "orders", PatternType.LITERAL, "User:bob", ALICE_HOST, WRITE, DENY),
                binding(ResourceType.GROUP, "pay", PatternType.PREFIXED, "User:alice", "*", READ, ALLOW));
        results.forEach(r -> assertTrue(r.exception().isEmpty(), r.exception().toString()));

        ResourceAcls literal = store.read("/kafka-acl/Topic/orders", ResourceAcls.parser())
                .orElseThrow()
                .value();
        assertEquals(
                Set.of(
                        AclEntryRecord.newBuilder()
                                .setPrincipal("User:alice")
                                .setHost("*")
                                .setOperation("Read")
                                .setPermissionType("Allow")
                                .build(),
                        AclEntryRecord.newBuilder()
                                .setPrincipal("User:bob")
                                .setHost(ALICE_HOST)
                                .setOperation("Write")
                                .setPermissionType("Deny")
                                .build()),
                new HashSet<>(literal.getAclsList()));
        ResourceAcls prefixed = store.read("/kafka-acl-extended/prefixed/Group/pay", ResourceAcls.parser())
                .orElseThrow()
                .value();
        assertEquals(1, prefixed.getAclsCount());

        List<String> literalChanges = store.children(Znodes.KAFKA_ACL_CHANGES);
        assertEquals(1, literalChanges.size(), "one change of /kafka-acl/Topic/orders: " + literalChanges);
        assertTrue(literalChanges.get(0).matches("acl_changes_\\d{10}"), literalChanges.get(0));
        AclChange change = store.read(Znodes.KAFKA_ACL_CHANGES + "/" + literalChanges.get(0), AclChange.parser())
                .orElseThrow()
                .value();
        assertEquals(
                AclChange.newBuilder()
                        .setResourceType("Topic")
                        .setName("orders")
                        .setPatternType("LITERAL")
                        .build(),
                change);
        assertEquals(
                ResourceAcls.parser(),
                ZnodePayloads.parserFor("/kafka-acl/Topic/orders").orElseThrow());
        assertEquals(
                ResourceAcls.parser(),
                ZnodePayloads.parserFor("/kafka-acl-extended/prefixed/Group/pay")
                        .orElseThrow());
        assertEquals(
                AclChange.parser(),
                ZnodePayloads.parserFor(Znodes.KAFKA_ACL_CHANGES + "/" + literalChanges.get(0))
                        .orElseThrow(),
                "bin/strand watch and zk get show them decoded");
        List<String> prefixedChanges = store.children(Znodes.KAFKA_ACL_EXTENDED_CHANGES);
        assertEquals(1, prefixedChanges.size(), prefixedChanges.toString());

        assertEquals(
                Set.of(),
                delete(
                                a,
                                new AclBindingFilter(
                                        new ResourcePatternFilter(ResourceType.TOPIC, "nothing", PatternType.LITERAL),
                                        AccessControlEntryFilter.ANY))
                        .aclBindingDeleteResults());
        assertEquals(1, store.children(Znodes.KAFKA_ACL_CHANGES).size(), "deleting nothing writes nothing");
        AclDeleteResult deleted = delete(
                a,
                new AclBindingFilter(
                        new ResourcePatternFilter(ResourceType.TOPIC, "orders", PatternType.ANY),
                        AccessControlEntryFilter.ANY));
        assertEquals(2, deleted.aclBindingDeleteResults().size());
        assertFalse(store.exists("/kafka-acl/Topic/orders"), "the last entry gone, the znode goes");
        assertEquals(2, store.children(Znodes.KAFKA_ACL_CHANGES).size());
        assertEquals(1, a.aclCount());
    }

    @Test
    void shouldRefuseInvalidBindingsOneByOneAndCreateTheRest() throws Exception {
        ZkAclAuthorizer a = authorizer("", false);
        List<AclCreateResult> results = create(
                a,
                topicAcl("ok", "User:alice", READ, ALLOW),
                binding(ResourceType.CLUSTER, "my-cluster", PatternType.LITERAL, "User:a", "*", ALTER, ALLOW),
                topicAcl("", "User:alice", READ, ALLOW),
                topicAcl("a/b", "User:alice", READ, ALLOW),
                topicAcl("x", "alice", READ, ALLOW),
                topicAcl("x", "User:alice", org.apache.kafka.common.acl.AclOperation.UNKNOWN, ALLOW),
                binding(ResourceType.UNKNOWN, "x", PatternType.LITERAL, "User:a", "*", READ, ALLOW));
        assertTrue(results.get(0).exception().isEmpty());
        for (int i = 1; i < results.size(); i++) {
            assertInstanceOf(
                    InvalidRequestException.class, results.get(i).exception().orElseThrow(), "binding " + i);
        }
        assertEquals(1, a.aclCount());
    }

    @Test
    void shouldShowAChangeMadeThroughOneBrokerOnTheOtherWithinASecond() throws Exception {
        ZkAclAuthorizer one = authorizer("", false);
        ZkAclAuthorizer two = authorizer("", false);
        long start = System.nanoTime();
        create(one, binding(ResourceType.TOPIC, "pay", PatternType.PREFIXED, "User:alice", "*", WRITE, ALLOW));
        Wait.waitUntil(
                "the other authorizer allows alice to write pay-eu",
                Duration.ofSeconds(1),
                () -> ALICE.may(two, WRITE, ResourceType.TOPIC, "pay-eu"));
        create(two, binding(ResourceType.TOPIC, "pay-eu", PatternType.LITERAL, "User:*", "*", WRITE, DENY));
        Wait.waitUntil(
                "the first authorizer applies the DENY",
                Duration.ofSeconds(1),
                () -> !ALICE.may(one, WRITE, ResourceType.TOPIC, "pay-eu"));
        delete(one, new AclBindingFilter(ResourcePatternFilter.ANY, AccessControlEntryFilter.ANY));
        Wait.waitUntil("the second authorizer forgets every ACL", Duration.ofSeconds(1), () -> two.aclCount() == 0);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3));
    }

    @Test
    void shouldKeepEveryEntryWhenTwoBrokersAddToOneResourceAtOnce() throws Exception {
        ZkAclAuthorizer one = authorizer("", false);
        ZkAclAuthorizer two = authorizer("", false);
        int perBroker = 40;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<AclCreateResult>> results = new ArrayList<>();
            for (int i = 0; i < perBroker; i++) {
                for (ZkAclAuthorizer a : List.of(one, two)) {
                    String user = "User:u" + i + "-" + (a == one ? 1 : 2);
                    results.add(pool.submit(() -> a.createAcls(ALICE, List.of(topicAcl("shared", user, READ, ALLOW)))
                            .get(0)
                            .toCompletableFuture()
                            .join()));
                }
            }
            for (Future<AclCreateResult> r : results) {
                assertTrue(r.get(30, TimeUnit.SECONDS).exception().isEmpty());
            }
        } finally {
            pool.shutdownNow();
        }
        MetadataStore store = new MetadataStore(client());
        assertEquals(
                2 * perBroker,
                store.read("/kafka-acl/Topic/shared", ResourceAcls.parser())
                        .orElseThrow()
                        .value()
                        .getAclsCount());
        for (ZkAclAuthorizer a : List.of(one, two)) {
            Wait.waitUntil("every entry in each cache", Duration.ofSeconds(5), () -> a.aclCount() == 2 * perBroker);
        }
    }

    @Test
    void shouldDeleteByFilterAndReportEachBindingUnderTheFirstFilterThatMatched() throws Exception {
        ZkAclAuthorizer a = authorizer("", false);
        create(
                a,
                topicAcl("orders", "User:alice", READ, ALLOW),
                topicAcl("orders", "User:bob", READ, ALLOW),
                binding(ResourceType.TOPIC, "ord", PatternType.PREFIXED, "User:bob", "*", WRITE, ALLOW),
                binding(ResourceType.GROUP, "g", PatternType.LITERAL, "User:bob", "*", READ, ALLOW));
        AclBindingFilter bobOnOrders = new AclBindingFilter(
                new ResourcePatternFilter(ResourceType.TOPIC, "orders", PatternType.MATCH),
                new AccessControlEntryFilter(
                        "User:bob",
                        null,
                        org.apache.kafka.common.acl.AclOperation.ANY,
                        org.apache.kafka.common.acl.AclPermissionType.ANY));
        AclBindingFilter anyBob = new AclBindingFilter(
                ResourcePatternFilter.ANY,
                new AccessControlEntryFilter(
                        "User:bob",
                        null,
                        org.apache.kafka.common.acl.AclOperation.ANY,
                        org.apache.kafka.common.acl.AclPermissionType.ANY));
        AclBindingFilter unknown = new AclBindingFilter(
                new ResourcePatternFilter(ResourceType.UNKNOWN, null, PatternType.ANY), AccessControlEntryFilter.ANY);
        List<AclDeleteResult> results = a.deleteAcls(ALICE, List.of(bobOnOrders, anyBob, unknown)).stream()
                .map(s -> s.toCompletableFuture().join())
                .toList();
        assertEquals(2, results.get(0).aclBindingDeleteResults().size(), "bob's literal and prefixed ACLs on orders");
        assertEquals(1, results.get(1).aclBindingDeleteResults().size(), "bob's group ACL: the rest went to filter 0");
        results.get(0)
                .aclBindingDeleteResults()
                .forEach(r -> assertTrue(r.exception().isEmpty()));
        assertInstanceOf(
                InvalidRequestException.class, results.get(2).exception().orElseThrow());
        assertNull(results.get(1).exception().orElse(null));
        assertEquals(List.of(topicAcl("orders", "User:alice", READ, ALLOW)), a.acls(AclBindingFilter.ANY));
    }

    @Test
    void shouldReloadEveryAclAfterItsSessionExpired() throws Exception {
        CuratorFramework zkTwo = client();
        ZkAclAuthorizer one = authorizer("", false);
        ZkAclAuthorizer two = authorizer(zkTwo, "", false, System::currentTimeMillis);
        create(one, topicAcl("before", "User:alice", READ, ALLOW));
        Wait.waitUntil("two sees the first ACL", Duration.ofSeconds(5), () -> two.aclCount() == 1);
        ZooKeeperSessions.expire(zkTwo);
        create(one, topicAcl("during", "User:alice", READ, ALLOW));
        Wait.waitUntil(
                "two, on a new session, sees the ACL created meanwhile and later ones", Duration.ofSeconds(20), () -> {
                    if (ALICE.may(two, READ, ResourceType.TOPIC, "during")) {
                        create(one, topicAcl("after", "User:alice", READ, ALLOW));
                        return true;
                    }
                    return false;
                });
        Wait.waitUntil(
                "two sees the ACL created after its new session",
                Duration.ofSeconds(5),
                () -> ALICE.may(two, READ, ResourceType.TOPIC, "after"));
    }

    @Test
    void shouldDeleteNotificationsOlderThanFifteenMinutes() throws Exception {
        ZkAclAuthorizer one = authorizer("", false);
        create(one, topicAcl("a", "User:alice", READ, ALLOW), topicAcl("b", "User:alice", READ, ALLOW));
        MetadataStore store = new MetadataStore(client());
        assertEquals(2, store.children(Znodes.KAFKA_ACL_CHANGES).size());
        LongSupplier later = () -> System.currentTimeMillis() + AclChangeListener.EXPIRATION_MS + 60_000;
        ZkAclAuthorizer sixteenMinutesLater = authorizer(client(), "", false, later);
        assertEquals(List.of(), store.children(Znodes.KAFKA_ACL_CHANGES), "cleaned up at start");
        assertEquals(2, sixteenMinutesLater.aclCount(), "the ACLs stay");
        create(one, topicAcl("c", "User:alice", READ, ALLOW));
        Wait.waitUntil(
                "the later authorizer applies the new change, then deletes its notification",
                Duration.ofSeconds(5),
                () -> sixteenMinutesLater.aclCount() == 3
                        && store.children(Znodes.KAFKA_ACL_CHANGES).isEmpty());
    }

    @Test
    void shouldAuthorizeByResourceTypeWithKafkasDefaultOverTheCachedAcls() throws Exception {
        ZkAclAuthorizer a = authorizer("User:admin", false);
        assertEquals(
                AuthorizationResult.DENIED,
                a.authorizeByResourceType(ALICE, WRITE, ResourceType.TRANSACTIONAL_ID),
                "no ACL at all");
        assertEquals(
                AuthorizationResult.ALLOWED,
                a.authorizeByResourceType(Requester.user("admin", "10.0.0.1"), WRITE, ResourceType.TRANSACTIONAL_ID));
        create(a, binding(ResourceType.TRANSACTIONAL_ID, "tx-", PatternType.PREFIXED, "User:alice", "*", WRITE, ALLOW));
        assertEquals(
                AuthorizationResult.ALLOWED, a.authorizeByResourceType(ALICE, WRITE, ResourceType.TRANSACTIONAL_ID));
        assertEquals(AuthorizationResult.DENIED, a.authorizeByResourceType(BOB, WRITE, ResourceType.TRANSACTIONAL_ID));
        create(a, binding(ResourceType.TRANSACTIONAL_ID, "tx", PatternType.PREFIXED, "User:alice", "*", WRITE, DENY));
        assertEquals(
                AuthorizationResult.DENIED,
                a.authorizeByResourceType(ALICE, WRITE, ResourceType.TRANSACTIONAL_ID),
                "a DENY on a shorter prefix dominates the only ALLOW");
    }
}
