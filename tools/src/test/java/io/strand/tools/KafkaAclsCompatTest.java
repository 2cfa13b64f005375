package io.strand.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strand.server.Broker;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kafka 4.4's {@code kafka-acls} (AclCommand) in this JVM against a two-broker Strand cluster with the
 * ACL authorizer: {@code --add} (allow and deny, hosts, prefixed patterns, the {@code --producer} and
 * {@code --consumer} conveniences), {@code --list} (everything, by resource with pattern type
 * {@code match}, by principal) and {@code --remove}, each output read back resource by resource. The
 * tool connects as {@code User:ANONYMOUS} (no SASL yet), made a super user here as an operator's admin
 * principal would be.
 */
@ExtendWith(StrandClusterExtension.class)
class KafkaAclsCompatTest {
    private static final String ACL_COMMAND = "org.apache.kafka.tools.AclCommand";

    @BrokerCluster(
            brokers = 2,
            properties = {"authorizer.class.name=kafka.security.authorizer.AclAuthorizer", "super.users=User:ANONYMOUS"
            })
    private static StrandTestCluster cluster;

    @AfterEach
    void removeEveryAcl() throws Exception {
        try (var admin = cluster.admin()) {
            admin.deleteAcls(java.util.List.of(AclBindingFilter.ANY)).all().get();
        }
        for (Broker b : cluster.brokers()) {
            Wait.waitUntil(
                    "broker " + b.brokerId() + " holds no ACL",
                    Duration.ofSeconds(5),
                    () -> b.authorizer().orElseThrow().aclCount() == 0);
        }
    }

    private static KafkaTool.Result acls(String... args) throws Exception {
        KafkaTool.Result r = KafkaTool.run(
                ACL_COMMAND, CliHarness.with(new String[] {"--bootstrap-server", cluster.bootstrapServers()}, args));
        assertEquals(0, r.code(), r::toString);
        return r;
    }

    /** The tool's output as resource pattern → its ACL entries ("Adding ACLs for ..." or "Current ACLs for ..."). */
    private static Map<String, Set<String>> byResource(KafkaTool.Result r) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        Set<String> current = null;
        for (String line : r.outLines()) {
            int start = line.indexOf("ACLs for resource `");
            if (start >= 0) {
                String resource = line.substring(start + "ACLs for resource `".length(), line.lastIndexOf('`'));
                current = out.computeIfAbsent(resource, k -> new TreeSet<>());
            } else if (line.trim().startsWith("(principal=") && current != null) {
                current.add(line.trim());
            }
        }
        return out;
    }

    private static String topic(String name, String patternType) {
        return "ResourcePattern(resourceType=TOPIC, name=" + name + ", patternType=" + patternType + ")";
    }

    private static String entry(String principal, String host, String operation, String permission) {
        return "(principal=" + principal + ", host=" + host + ", operation=" + operation + ", permissionType="
                + permission + ")";
    }

    @Test
    void kafkaAclsAddsListsAndRemovesAcls() throws Exception {
        acls(
                "--add",
                "--allow-principal",
                "User:alice",
                "--operation",
                "Read",
                "--operation",
                "Describe",
                "--topic",
                "orders");
        acls(
                "--add",
                "--allow-principal",
                "User:alice",
                "--operation",
                "Write",
                "--topic",
                "pay",
                "--resource-pattern-type",
                "prefixed");
        acls(
                "--add",
                "--deny-principal",
                "User:bob",
                "--deny-host",
                "10.0.0.9",
                "--operation",
                "All",
                "--group",
                "billing");

        Map<String, Set<String>> all = byResource(acls("--list"));
        assertEquals(
                Map.of(
                        topic("orders", "LITERAL"),
                        Set.of(
                                entry("User:alice", "*", "READ", "ALLOW"),
                                entry("User:alice", "*", "DESCRIBE", "ALLOW")),
                        topic("pay", "PREFIXED"),
                        Set.of(entry("User:alice", "*", "WRITE", "ALLOW")),
                        "ResourcePattern(resourceType=GROUP, name=billing, patternType=LITERAL)",
                        Set.of(entry("User:bob", "10.0.0.9", "ALL", "DENY"))),
                all);
        assertEquals(
                Map.of(topic("pay", "PREFIXED"), Set.of(entry("User:alice", "*", "WRITE", "ALLOW"))),
                byResource(acls("--list", "--topic", "pay-eu", "--resource-pattern-type", "match")),
                "the patterns that apply to pay-eu");
        assertEquals(
                Set.of(topic("orders", "LITERAL"), topic("pay", "PREFIXED")),
                byResource(acls("--list", "--principal", "User:alice")).keySet());

        acls("--remove", "--allow-principal", "User:alice", "--operation", "Read", "--topic", "orders", "--force");
        acls("--remove", "--topic", "pay", "--resource-pattern-type", "prefixed", "--force");
        assertEquals(
                Map.of(
                        topic("orders", "LITERAL"),
                        Set.of(entry("User:alice", "*", "DESCRIBE", "ALLOW")),
                        "ResourcePattern(resourceType=GROUP, name=billing, patternType=LITERAL)",
                        Set.of(entry("User:bob", "10.0.0.9", "ALL", "DENY"))),
                byResource(acls("--list")));
    }

    @Test
    void kafkaAclsProducerAndConsumerConveniencesCreateKafkasSets() throws Exception {
        acls(
                "--add",
                "--producer",
                "--allow-principal",
                "User:p",
                "--topic",
                "events",
                "--transactional-id",
                "tx-",
                "--resource-pattern-type",
                "prefixed",
                "--idempotent");
        acls("--add", "--consumer", "--allow-principal", "User:c", "--topic", "events", "--group", "readers");
        Map<String, Set<String>> all = byResource(acls("--list"));
        assertEquals(
                Set.of(
                        entry("User:p", "*", "WRITE", "ALLOW"),
                        entry("User:p", "*", "DESCRIBE", "ALLOW"),
                        entry("User:p", "*", "CREATE", "ALLOW")),
                all.get(topic("events", "PREFIXED")));
        assertEquals(
                Set.of(entry("User:p", "*", "WRITE", "ALLOW"), entry("User:p", "*", "DESCRIBE", "ALLOW")),
                all.get("ResourcePattern(resourceType=TRANSACTIONAL_ID, name=tx-, patternType=PREFIXED)"));
        assertEquals(
                Set.of(entry("User:p", "*", "IDEMPOTENT_WRITE", "ALLOW")),
                all.get("ResourcePattern(resourceType=CLUSTER, name=kafka-cluster, patternType=LITERAL)"));
        assertEquals(
                Set.of(entry("User:c", "*", "READ", "ALLOW"), entry("User:c", "*", "DESCRIBE", "ALLOW")),
                all.get(topic("events", "LITERAL")));
        assertEquals(
                Set.of(entry("User:c", "*", "READ", "ALLOW")),
                all.get("ResourcePattern(resourceType=GROUP, name=readers, patternType=LITERAL)"));
        for (Broker b : cluster.brokers()) {
            Wait.waitUntil(
                    "broker " + b.brokerId() + " holds every ACL the tool added",
                    Duration.ofSeconds(1),
                    () -> b.authorizer().orElseThrow().aclCount() == 9);
        }
        assertEquals(5, all.size(), all::toString);
    }
}
