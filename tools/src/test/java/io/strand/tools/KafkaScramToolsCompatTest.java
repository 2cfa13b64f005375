package io.strand.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.admin.ScramCredentialStore;
import io.strand.server.Broker;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.SaslClients;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka 4.4's kafka-configs (ConfigCommand, run in this JVM) managing SCRAM users of a two-broker
 * Strand cluster as in Kafka's documentation: {@code --entity-type users --alter --add-config
 * 'SCRAM-SHA-256=[iterations=8192,password=...]'} (AlterUserScramCredentials), {@code --describe},
 * {@code --delete-config}; over PLAINTEXT, and over SASL_PLAINTEXT as an admin user whose credential
 * was written straight into ZooKeeper, as the cluster launcher does. A user added with the tool
 * logs in on every broker.
 */
@ExtendWith(StrandClusterExtension.class)
class KafkaScramToolsCompatTest {
    private static final String SASL = "SASL_PLAINTEXT";

    @BrokerCluster(brokers = 2, properties = "listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0")
    private static StrandTestCluster cluster;

    @TempDir
    Path dir;

    private static KafkaTool.Result configs(String bootstrap, String... args) throws Exception {
        return KafkaTool.run(
                KafkaTool.CONFIG_COMMAND, CliHarness.with(new String[] {"--bootstrap-server", bootstrap}, args));
    }

    /** An Admin call as {@code user} on every broker's SASL listener succeeds within 10 s. */
    private static void logsInOnEveryBroker(String mechanism, String user, String password) throws Exception {
        for (Broker b : cluster.brokers()) {
            String one = "127.0.0.1:" + b.boundAddress(SASL).getPort();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                try (Admin admin = SaslClients.admin(one, SaslClients.settings(mechanism, user, password))) {
                    admin.describeCluster().nodes().get();
                    break;
                } catch (ExecutionException e) {
                    assertInstanceOf(SaslAuthenticationException.class, e.getCause());
                    assertTrue(System.nanoTime() < deadline, user + " never logged in on broker " + b.brokerId());
                    Thread.sleep(50);
                }
            }
        }
    }

    @Test
    void kafkaConfigsAddsDescribesAndDeletesScramUsers() throws Exception {
        String plaintext = cluster.bootstrapServers();
        KafkaTool.Result add = configs(
                plaintext,
                "--entity-type",
                "users",
                "--entity-name",
                "alice",
                "--alter",
                "--add-config",
                "SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]");
        assertEquals(0, add.code(), add::toString);
        assertTrue(add.out().contains("Completed updating config for user alice."), add::toString);

        KafkaTool.Result describe =
                configs(plaintext, "--entity-type", "users", "--entity-name", "alice", "--describe");
        assertEquals(0, describe.code(), describe::toString);
        assertTrue(
                describe.outLines()
                        .contains("SCRAM credential configs for user-principal 'alice' are"
                                + " SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096"),
                describe::toString);
        logsInOnEveryBroker("SCRAM-SHA-256", "alice", "alice-secret");
        logsInOnEveryBroker("SCRAM-SHA-512", "alice", "alice-secret");

        KafkaTool.Result delete = configs(
                plaintext,
                "--entity-type",
                "users",
                "--entity-name",
                "alice",
                "--alter",
                "--delete-config",
                "SCRAM-SHA-256");
        assertEquals(0, delete.code(), delete::toString);
        KafkaTool.Result after = configs(plaintext, "--entity-type", "users", "--entity-name", "alice", "--describe");
        assertTrue(
                after.outLines()
                        .contains(
                                "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-512=iterations=4096"),
                after::toString);
        try (Admin admin = SaslClients.admin(
                cluster.bootstrapServers(SASL), SaslClients.settings("SCRAM-SHA-256", "alice", "alice-secret"))) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> admin.describeCluster().nodes().get());
            assertInstanceOf(SaslAuthenticationException.class, e.getCause());
        }
    }

    @Test
    void kafkaConfigsWorksOverSaslAsAnAdminCreatedInZooKeeper() throws Exception {
        new ScramCredentialStore(new MetadataStore(cluster.broker(1).zookeeperClient()))
                .upsertPassword("admin", ScramMechanism.SCRAM_SHA_512, "admin-secret", 4096);
        Path clientConfig = dir.resolve("client-admin.properties");
        Files.writeString(
                clientConfig,
                "security.protocol=SASL_PLAINTEXT\n"
                        + "sasl.mechanism=SCRAM-SHA-512\n"
                        + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"admin\" password=\"admin-secret\";\n");
        String sasl = cluster.bootstrapServers(SASL);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        KafkaTool.Result add;
        do { // the admin's credential reaches the brokers' caches within a moment
            add = configs(
                    sasl,
                    "--command-config",
                    clientConfig.toString(),
                    "--entity-type",
                    "users",
                    "--entity-name",
                    "bob",
                    "--alter",
                    "--add-config",
                    "SCRAM-SHA-512=[password=bob-secret]");
        } while (add.code() != 0 && System.nanoTime() < deadline);
        assertEquals(0, add.code(), add::toString);
        KafkaTool.Result all =
                configs(sasl, "--command-config", clientConfig.toString(), "--entity-type", "users", "--describe");
        assertEquals(0, all.code(), all::toString);
        assertTrue(
                all.outLines()
                        .containsAll(List.of(
                                "SCRAM credential configs for user-principal 'admin' are SCRAM-SHA-512=iterations=4096",
                                "SCRAM credential configs for user-principal 'bob' are SCRAM-SHA-512=iterations=4096")),
                all::toString);
        logsInOnEveryBroker("SCRAM-SHA-512", "bob", "bob-secret");
    }
}
