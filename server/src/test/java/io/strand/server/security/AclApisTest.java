package io.strand.server.security;

import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.ALTER;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.acl.AclPermissionType.ALLOW;
import static org.apache.kafka.common.acl.AclPermissionType.DENY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.Broker;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.EveryVersion;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsRequest;
import org.apache.kafka.common.requests.DescribeAclsResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.server.authorizer.Authorizer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * CreateAcls, DescribeAcls and DeleteAcls on real brokers with Kafka's Admin client and with raw requests
 * at every version: the round trip with filters and prefixed patterns, a change made through one broker
 * reaching the other broker's authorizer within a second, ACLs surviving a restart, concurrent creates on
 * one resource through both brokers all landing, Kafka's errors (INVALID_REQUEST, SECURITY_DISABLED without
 * an authorizer, CLUSTER_AUTHORIZATION_FAILED without ALTER/DESCRIBE on the cluster) and super users.
 *
 * <p>Clients connect as {@code User:ANONYMOUS} (no SASL yet): the cluster allows everyone where there are
 * no ACLs, and no test leaves a cluster ACL behind.
 */
@ExtendWith(StrandClusterExtension.class)
class AclApisTest {
    private static final String AUTHORIZER = "authorizer.class.name=kafka.security.authorizer.AclAuthorizer";

    @BrokerCluster(
            brokers = 2,
            properties = {AUTHORIZER, "allow.everyone.if.no.acl.found=true"})
    private static StrandTestCluster cluster;

    private static final Requester ALICE = Requester.user("alice", "10.0.0.7");

    @AfterEach
    void deleteEveryAcl() throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.deleteAcls(List.of(AclBindingFilter.ANY)).all().get();
        }
        for (Broker b : cluster.brokers()) {
            Wait.waitUntil(
                    "no ACL left on broker " + b.brokerId(),
                    Duration.ofSeconds(5),
                    () -> authorizer(b).aclCount() == 0);
        }
    }

    private static Authorizer authorizer(Broker b) {
        return b.authorizer().orElseThrow();
    }

    private static AclBinding acl(
            ResourceType type, String name, PatternType pt, String principal, AclOperation op, AclPermissionType perm) {
        return new AclBinding(new ResourcePattern(type, name, pt), new AccessControlEntry(principal, "*", op, perm));
    }

    private static List<AclBinding> bindings(Iterable<AclBinding> acls) {
        List<AclBinding> out = new ArrayList<>();
        acls.forEach(out::add);
        return out;
    }

    private static AclBindingFilter resourceFilter(ResourceType type, String name, PatternType pt) {
        return new AclBindingFilter(new ResourcePatternFilter(type, name, pt), AccessControlEntryFilter.ANY);
    }

    @Test
    void shouldCreateDescribeAndDeleteAclsWithFiltersAndPrefixedPatterns() throws Exception {
        List<AclBinding> bindings = List.of(
                acl(ResourceType.TOPIC, "orders", PatternType.LITERAL, "User:alice", READ, ALLOW),
                acl(ResourceType.TOPIC, "orders", PatternType.LITERAL, "User:bob", WRITE, DENY),
                acl(ResourceType.TOPIC, "ord", PatternType.PREFIXED, "User:alice", WRITE, ALLOW),
                acl(ResourceType.TOPIC, "*", PatternType.LITERAL, "User:*", DESCRIBE, ALLOW),
                acl(ResourceType.GROUP, "billing-", PatternType.PREFIXED, "User:alice", READ, ALLOW),
                acl(ResourceType.TRANSACTIONAL_ID, "tx-1", PatternType.LITERAL, "User:alice", WRITE, ALLOW),
                acl(ResourceType.DELEGATION_TOKEN, "tok", PatternType.LITERAL, "User:alice", DESCRIBE, ALLOW),
                acl(
                        ResourceType.USER,
                        "User:bob",
                        PatternType.LITERAL,
                        "User:alice",
                        AclOperation.CREATE_TOKENS,
                        ALLOW));
        try (Admin admin = cluster.admin()) {
            admin.createAcls(bindings).all().get();
            assertEquals(
                    new HashSet<>(bindings),
                    new HashSet<>(
                            admin.describeAcls(AclBindingFilter.ANY).values().get()));
            assertEquals(
                    Set.of(bindings.get(0), bindings.get(1), bindings.get(2), bindings.get(3)),
                    new HashSet<>(admin.describeAcls(resourceFilter(ResourceType.TOPIC, "orders", PatternType.MATCH))
                            .values()
                            .get()),
                    "MATCH: the literal, wildcard and prefixed patterns that apply to orders");
            assertEquals(
                    Set.of(bindings.get(2), bindings.get(4)),
                    new HashSet<>(admin.describeAcls(resourceFilter(ResourceType.ANY, null, PatternType.PREFIXED))
                            .values()
                            .get()));
            AclBindingFilter alicesWrites = new AclBindingFilter(
                    ResourcePatternFilter.ANY,
                    new AccessControlEntryFilter("User:alice", null, WRITE, AclPermissionType.ANY));
            assertEquals(
                    Set.of(bindings.get(2), bindings.get(5)),
                    new HashSet<>(admin.describeAcls(alicesWrites).values().get()));

            var deleted = admin.deleteAcls(
                            List.of(resourceFilter(ResourceType.TOPIC, "orders", PatternType.ANY), alicesWrites))
                    .values();
            AclBindingFilter first = resourceFilter(ResourceType.TOPIC, "orders", PatternType.ANY);
            assertEquals(
                    Set.of(bindings.get(0), bindings.get(1)),
                    new HashSet<>(deleted.get(first).get().values().stream()
                            .map(r -> r.binding())
                            .toList()),
                    "ANY: literal orders only, not the prefix ord");
            assertEquals(
                    Set.of(bindings.get(2), bindings.get(5)),
                    new HashSet<>(deleted.get(alicesWrites).get().values().stream()
                            .map(r -> r.binding())
                            .toList()));
            assertEquals(
                    Set.of(bindings.get(3), bindings.get(4), bindings.get(6), bindings.get(7)),
                    new HashSet<>(
                            admin.describeAcls(AclBindingFilter.ANY).values().get()));
        }
    }

    @Test
    void shouldAnswerInvalidRequestForAnAclThatCannotBeStoredAndCreateTheOthers() throws Exception {
        AclBinding good = acl(ResourceType.TOPIC, "fine", PatternType.LITERAL, "User:alice", READ, ALLOW);
        AclBinding badCluster = acl(ResourceType.CLUSTER, "other", PatternType.LITERAL, "User:alice", ALTER, ALLOW);
        AclBinding slash = acl(ResourceType.TOPIC, "a/b", PatternType.LITERAL, "User:alice", READ, ALLOW);
        try (Admin admin = cluster.admin()) {
            var results = admin.createAcls(List.of(good, badCluster, slash)).values();
            results.get(good).get();
            for (AclBinding bad : List.of(badCluster, slash)) {
                ExecutionException e = assertThrows(
                        ExecutionException.class, () -> results.get(bad).get());
                assertInstanceOf(InvalidRequestException.class, e.getCause(), bad.toString());
            }
            assertEquals(
                    List.of(good),
                    List.copyOf(
                            admin.describeAcls(AclBindingFilter.ANY).values().get()));
        }
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", cluster.port(1))) {
            DescribeAclsResponse r = (DescribeAclsResponse) raw.send(
                    ApiKeys.DESCRIBE_ACLS,
                    (short) 3,
                    new DescribeAclsRequestData()
                            .setResourceTypeFilter((byte) 99)
                            .setPatternTypeFilter((byte) 3)
                            .setOperation(AclOperation.ANY.code())
                            .setPermissionType(AclPermissionType.ANY.code()));
            assertEquals(Errors.INVALID_REQUEST, r.error().error(), "an unknown resource type in the filter");
        }
    }

    @Test
    void shouldApplyAChangeMadeThroughOneBrokerOnTheOtherWithinASecond() throws Exception {
        Authorizer two = authorizer(cluster.broker(2));
        assertTrue(ALICE.may(two, WRITE, ResourceType.TOPIC, "payments-eu"), "no ACL yet: everyone");
        AclBinding prefixedAllow = acl(ResourceType.TOPIC, "payments", PatternType.PREFIXED, "User:alice", READ, ALLOW);
        try (RawKafkaConnection broker1 = new RawKafkaConnection("127.0.0.1", cluster.port(1))) {
            long start = System.nanoTime();
            createThrough(broker1, prefixedAllow);
            Wait.waitUntil(
                    "broker 2 denies alice WRITE on payments-eu (its ACLs allow only READ)",
                    Duration.ofSeconds(1),
                    () -> !ALICE.may(two, WRITE, ResourceType.TOPIC, "payments-eu"));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ALICE.may(two, READ, ResourceType.TOPIC, "payments-eu"));
            assertTrue(ALICE.may(two, DESCRIBE, ResourceType.TOPIC, "payments-eu"), "READ implies DESCRIBE");
            assertTrue(tookMs < 1_000, "took " + tookMs + " ms");

            createThrough(broker1, acl(ResourceType.TOPIC, "payments-eu", PatternType.LITERAL, "User:*", ALL, DENY));
            Wait.waitUntil(
                    "broker 2 applies the DENY on payments-eu",
                    Duration.ofSeconds(1),
                    () -> !ALICE.may(two, READ, ResourceType.TOPIC, "payments-eu"));
            assertTrue(ALICE.may(two, READ, ResourceType.TOPIC, "payments-us"), "the DENY is of one literal name");
        }
    }

    private static void createThrough(RawKafkaConnection broker, AclBinding... bindings) throws Exception {
        CreateAclsRequestData request = new CreateAclsRequestData();
        for (AclBinding b : bindings) {
            request.creations().add(CreateAclsRequest.aclCreation(b));
        }
        CreateAclsResponseData response =
                (CreateAclsResponseData) broker.send(ApiKeys.CREATE_ACLS, ApiKeys.CREATE_ACLS.latestVersion(), request)
                        .data();
        for (CreateAclsResponseData.AclCreationResult r : response.results()) {
            assertEquals(Errors.NONE.code(), r.errorCode(), r.errorMessage());
        }
    }

    @Test
    void shouldKeepEveryAclWhenBothBrokersAddToOneResourceAtOnce() throws Exception {
        int perBroker = 25;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int id : List.of(1, 2)) {
                done.add(pool.submit(() -> {
                    try (RawKafkaConnection broker = new RawKafkaConnection("127.0.0.1", cluster.port(id))) {
                        for (int i = 0; i < perBroker; i++) {
                            createThrough(
                                    broker,
                                    acl(
                                            ResourceType.GROUP,
                                            "shared",
                                            PatternType.LITERAL,
                                            "User:b" + id + "-" + i,
                                            READ,
                                            ALLOW));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (Broker b : cluster.brokers()) {
            Wait.waitUntil(
                    "broker " + b.brokerId() + " holds all " + 2 * perBroker + " entries",
                    Duration.ofSeconds(5),
                    () -> authorizer(b).aclCount() == 2 * perBroker);
        }
        try (Admin admin = cluster.admin()) {
            assertEquals(
                    2 * perBroker,
                    admin.describeAcls(resourceFilter(ResourceType.GROUP, "shared", PatternType.LITERAL))
                            .values()
                            .get()
                            .size());
        }
    }

    @Test
    void shouldKeepAclsAcrossABrokerRestart() throws Exception {
        AclBinding binding = acl(ResourceType.TOPIC, "kept", PatternType.PREFIXED, "User:alice", WRITE, ALLOW);
        try (Admin admin = cluster.admin()) {
            admin.createAcls(List.of(binding)).all().get();
        }
        Broker restarted = cluster.restartBroker(2);
        assertEquals(List.of(binding), bindings(authorizer(restarted).acls(AclBindingFilter.ANY)), "loaded at start");
        assertTrue(ALICE.may(authorizer(restarted), WRITE, ResourceType.TOPIC, "kept-1"));
        assertFalse(ALICE.may(authorizer(restarted), READ, ResourceType.TOPIC, "kept-1"));
        AclBinding later = acl(ResourceType.TOPIC, "later", PatternType.LITERAL, "User:alice", READ, ALLOW);
        try (RawKafkaConnection broker1 = new RawKafkaConnection("127.0.0.1", cluster.port(1))) {
            createThrough(broker1, later);
        }
        Wait.waitUntil(
                "the restarted broker follows changes again",
                Duration.ofSeconds(1),
                () -> authorizer(restarted).aclCount() == 2);
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.CREATE_ACLS)
    void shouldServeCreateAclsAtEveryVersion(short version) throws Exception {
        AclBinding prefixed = acl(ResourceType.TOPIC, "v" + version, PatternType.PREFIXED, "User:alice", READ, ALLOW);
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", cluster.port(1))) {
            CreateAclsResponseData r = (CreateAclsResponseData) raw.send(
                            ApiKeys.CREATE_ACLS,
                            version,
                            new CreateAclsRequestData().setCreations(List.of(CreateAclsRequest.aclCreation(prefixed))))
                    .data();
            assertEquals(Errors.NONE.code(), r.results().get(0).errorCode(), r.toString());
        }
        assertEquals(List.of(prefixed), bindings(authorizer(cluster.broker(1)).acls(AclBindingFilter.ANY)));
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DESCRIBE_ACLS)
    void shouldServeDescribeAclsAtEveryVersion(short version) throws Exception {
        AclBinding prefixed = acl(ResourceType.GROUP, "g", PatternType.PREFIXED, "User:alice", READ, ALLOW);
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", cluster.port(1))) {
            createThrough(raw, prefixed);
            DescribeAclsResponseData r = (DescribeAclsResponseData) raw.send(
                            ApiKeys.DESCRIBE_ACLS,
                            version,
                            new DescribeAclsRequestData()
                                    .setResourceTypeFilter(ResourceType.GROUP.code())
                                    .setResourceNameFilter("g-1")
                                    .setPatternTypeFilter(PatternType.MATCH.code())
                                    .setPrincipalFilter(null) // the field's default is "", which matches no principal
                                    .setHostFilter(null)
                                    .setOperation(AclOperation.ANY.code())
                                    .setPermissionType(AclPermissionType.ANY.code()))
                    .data();
            assertEquals(Errors.NONE.code(), r.errorCode(), r.toString());
            assertEquals(List.of(prefixed), DescribeAclsResponse.aclBindings(r.resources()));
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DELETE_ACLS)
    void shouldServeDeleteAclsAtEveryVersion(short version) throws Exception {
        AclBinding binding = acl(ResourceType.TRANSACTIONAL_ID, "tx", PatternType.LITERAL, "User:alice", WRITE, ALLOW);
        try (RawKafkaConnection broker1 = new RawKafkaConnection("127.0.0.1", cluster.port(1))) {
            createThrough(broker1, binding);
        }
        // on the other broker at once: a filter naming one pattern finds it in ZooKeeper, cached there or not
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", cluster.port(2))) {
            DeleteAclsResponseData r = (DeleteAclsResponseData) raw.send(
                            ApiKeys.DELETE_ACLS,
                            version,
                            new DeleteAclsRequestData()
                                    .setFilters(List.of(DeleteAclsRequest.deleteAclsFilter(
                                            resourceFilter(ResourceType.TRANSACTIONAL_ID, "tx", PatternType.LITERAL)))))
                    .data();
            DeleteAclsResponseData.DeleteAclsFilterResult f = r.filterResults().get(0);
            assertEquals(Errors.NONE.code(), f.errorCode(), r.toString());
            assertEquals(1, f.matchingAcls().size(), r.toString());
            assertEquals("tx", f.matchingAcls().get(0).resourceName());
        }
    }

    @Test
    void shouldAnswerSecurityDisabledWithoutAnAuthorizer(@BrokerCluster StrandTestCluster plain) throws Exception {
        assertTrue(plain.broker(1).authorizer().isEmpty());
        AclBinding binding = acl(ResourceType.TOPIC, "t", PatternType.LITERAL, "User:alice", READ, ALLOW);
        try (Admin admin = plain.admin()) {
            for (var call : List.<org.apache.kafka.common.KafkaFuture<?>>of(
                    admin.createAcls(List.of(binding)).all(),
                    admin.describeAcls(AclBindingFilter.ANY).values(),
                    admin.deleteAcls(List.of(AclBindingFilter.ANY)).all())) {
                ExecutionException e = assertThrows(ExecutionException.class, call::get);
                assertInstanceOf(SecurityDisabledException.class, e.getCause());
            }
        }
    }

    @Test
    void shouldRequireAlterOnTheClusterToChangeAndDescribeToListAcls(
            @BrokerCluster(properties = {AUTHORIZER, "allow.everyone.if.no.acl.found=true"}) StrandTestCluster locked)
            throws Exception {
        AclBinding lockOut =
                acl(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, "User:ANONYMOUS", ALTER, DENY);
        AclBinding other = acl(ResourceType.TOPIC, "t", PatternType.LITERAL, "User:alice", READ, ALLOW);
        try (Admin admin = locked.admin()) {
            admin.createAcls(List.of(lockOut)).all().get();
            ExecutionException create = assertThrows(
                    ExecutionException.class,
                    () -> admin.createAcls(List.of(other)).all().get());
            assertInstanceOf(ClusterAuthorizationException.class, create.getCause());
            ExecutionException delete = assertThrows(
                    ExecutionException.class,
                    () -> admin.deleteAcls(List.of(AclBindingFilter.ANY)).all().get());
            assertInstanceOf(ClusterAuthorizationException.class, delete.getCause());
            ExecutionException describe = assertThrows(
                    ExecutionException.class,
                    () -> admin.describeAcls(AclBindingFilter.ANY).values().get());
            assertInstanceOf(
                    ClusterAuthorizationException.class,
                    describe.getCause(),
                    "the cluster has an ACL now, and none allows ANONYMOUS to DESCRIBE it");
        }
        assertEquals(
                List.of(lockOut),
                bindings(locked.broker(1).authorizer().orElseThrow().acls(AclBindingFilter.ANY)),
                "nothing was created or deleted");
    }

    @Test
    void shouldLetASuperUserDoAnythingWhateverTheAcls(
            @BrokerCluster(properties = {AUTHORIZER, "super.users=User:admin;User:ANONYMOUS"}) StrandTestCluster su)
            throws Exception {
        AclBinding denyAll = acl(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, "User:*", ALL, DENY);
        try (Admin admin = su.admin()) {
            admin.createAcls(List.of(denyAll)).all().get();
            assertEquals(
                    List.of(denyAll),
                    List.copyOf(
                            admin.describeAcls(AclBindingFilter.ANY).values().get()));
            admin.deleteAcls(List.of(AclBindingFilter.ANY)).all().get();
            assertEquals(
                    List.of(),
                    List.copyOf(
                            admin.describeAcls(AclBindingFilter.ANY).values().get()));
        }
        assertFalse(
                ALICE.may(su.broker(1).authorizer().orElseThrow(), DESCRIBE, ResourceType.TOPIC, "t"),
                "allow.everyone.if.no.acl.found is false by default");
    }
}
