package io.strand.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.UserConfig;
import io.strand.server.Broker;
import io.strand.server.quota.QuotaType;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.SaslClients;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kafka 4.4's kafka-configs (ConfigCommand, run in this JVM) managing client quotas of a two-broker
 * Strand cluster as in Kafka's documentation: {@code --alter --add-config 'producer_byte_rate=...'} and
 * {@code --delete-config} for {@code --entity-type users}, {@code clients}, both, and their
 * {@code --entity-default}; {@code --describe} of each; a value Kafka refuses refused with Kafka's
 * message. A user's SCRAM credential and quotas share its znode: set both with the tool, the user still
 * logs in on every broker and every broker applies the quota.
 */
@ExtendWith(StrandClusterExtension.class)
class KafkaQuotaToolsCompatTest {
    private static final String SASL = "SASL_PLAINTEXT";

    @BrokerCluster(brokers = 2, properties = "listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0")
    private static StrandTestCluster cluster;

    private static KafkaTool.Result configs(String... args) throws Exception {
        KafkaTool.Result r = KafkaTool.run(
                KafkaTool.CONFIG_COMMAND,
                CliHarness.with(new String[] {"--bootstrap-server", cluster.bootstrapServers()}, args));
        return r;
    }

    private static void assertOk(KafkaTool.Result r) {
        assertEquals(0, r.code(), r::toString);
    }

    @Test
    void kafkaConfigsAddsDescribesAndDeletesUserAndClientQuotas() throws Exception {
        assertOk(configs(
                "--alter",
                "--entity-type",
                "clients",
                "--entity-name",
                "app",
                "--add-config",
                "producer_byte_rate=1024,consumer_byte_rate=2048"));
        assertOk(configs(
                "--alter", "--entity-type", "clients", "--entity-default", "--add-config", "request_percentage=50"));
        assertOk(configs(
                "--alter",
                "--entity-type",
                "users",
                "--entity-name",
                "bob",
                "--entity-type",
                "clients",
                "--entity-name",
                "app",
                "--add-config",
                "consumer_byte_rate=4096"));
        assertOk(configs(
                "--alter", "--entity-type", "users", "--entity-default", "--add-config", "producer_byte_rate=512"));

        KafkaTool.Result app = configs("--describe", "--entity-type", "clients", "--entity-name", "app");
        assertOk(app);
        assertEquals(
                List.of("Quota configs for client-id 'app' are consumer_byte_rate=2048.0, producer_byte_rate=1024.0"),
                app.outLines(),
                app::toString);
        KafkaTool.Result clients = configs("--describe", "--entity-type", "clients");
        assertTrue(
                clients.outLines()
                        .containsAll(List.of(
                                "Quota configs for client-id 'app' are consumer_byte_rate=2048.0, producer_byte_rate=1024.0",
                                "Quota configs for the default client-id are request_percentage=50.0")),
                clients::toString);
        KafkaTool.Result bobApp = configs(
                "--describe",
                "--entity-type",
                "users",
                "--entity-name",
                "bob",
                "--entity-type",
                "clients",
                "--entity-name",
                "app");
        assertTrue(
                bobApp.outLines()
                        .contains(
                                "Quota configs for user-principal 'bob', client-id 'app' are consumer_byte_rate=4096.0"),
                bobApp::toString);
        KafkaTool.Result defaultUser = configs("--describe", "--entity-type", "users", "--entity-default");
        assertTrue(
                defaultUser
                        .outLines()
                        .contains("Quota configs for the default user-principal are producer_byte_rate=512.0"),
                defaultUser::toString);

        // every broker applies them with Kafka's precedence: bob's own app quota, then the client id's
        KafkaPrincipal bob = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "bob");
        everyBrokerApplies(QuotaType.FETCH, bob, "app", 4096.0);
        everyBrokerApplies(QuotaType.PRODUCE, bob, "app", 512.0); // the default user beats a client id's quota

        // Kafka's checks, with Kafka's message
        KafkaTool.Result fractional = configs(
                "--alter",
                "--entity-type",
                "clients",
                "--entity-name",
                "app",
                "--add-config",
                "producer_byte_rate=1.5");
        assertNotEquals(0, fractional.code(), fractional::toString);
        assertTrue(
                (fractional.out() + fractional.err()).contains("producer_byte_rate cannot be a fractional value"),
                fractional::toString);

        assertOk(configs(
                "--alter",
                "--entity-type",
                "clients",
                "--entity-name",
                "app",
                "--delete-config",
                "producer_byte_rate"));
        KafkaTool.Result after = configs("--describe", "--entity-type", "clients", "--entity-name", "app");
        assertEquals(
                List.of("Quota configs for client-id 'app' are consumer_byte_rate=2048.0"),
                after.outLines(),
                after::toString);
        assertOk(configs(
                "--alter", "--entity-type", "users", "--entity-default", "--delete-config", "producer_byte_rate"));
        everyBrokerApplies(QuotaType.PRODUCE, bob, "app", null);
    }

    @Test
    void aUsersScramCredentialAndQuotasShareItsZnodeAndBothWork() throws Exception {
        assertOk(configs(
                "--alter",
                "--entity-type",
                "users",
                "--entity-name",
                "carol",
                "--add-config",
                "SCRAM-SHA-512=[password=carol-secret]"));
        assertOk(configs(
                "--alter",
                "--entity-type",
                "users",
                "--entity-name",
                "carol",
                "--add-config",
                "producer_byte_rate=8192,request_percentage=25"));

        UserConfig stored = new MetadataStore(cluster.broker(1).zookeeperClient())
                .read(Znodes.userConfig("carol"), UserConfig.parser())
                .orElseThrow()
                .value();
        assertEquals(
                List.of("SCRAM-SHA-512"),
                List.copyOf(stored.getScramCredentialsMap().keySet()));
        assertEquals(8192.0, stored.getQuotasMap().get("producer_byte_rate"));

        KafkaTool.Result describe = configs("--describe", "--entity-type", "users", "--entity-name", "carol");
        assertTrue(
                describe.outLines()
                        .containsAll(
                                List.of(
                                        "Quota configs for user-principal 'carol' are producer_byte_rate=8192.0, request_percentage=25.0",
                                        "SCRAM credential configs for user-principal 'carol' are SCRAM-SHA-512=iterations=4096")),
                describe::toString);

        KafkaPrincipal carol = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "carol");
        everyBrokerApplies(QuotaType.PRODUCE, carol, "any", 8192.0);
        for (Broker b : cluster.brokers()) { // the credential written beside the quotas still logs in everywhere
            String one = "127.0.0.1:" + b.boundAddress(SASL).getPort();
            Wait.waitUntil("carol logs in on broker " + b.brokerId(), Duration.ofSeconds(10), () -> {
                try (Admin admin =
                        SaslClients.admin(one, SaslClients.settings("SCRAM-SHA-512", "carol", "carol-secret"))) {
                    admin.describeCluster().nodes().get();
                    return true;
                }
            });
        }

        // deleting the credential keeps the quotas, and the other way round
        assertOk(configs(
                "--alter", "--entity-type", "users", "--entity-name", "carol", "--delete-config", "SCRAM-SHA-512"));
        KafkaTool.Result quotasOnly = configs("--describe", "--entity-type", "users", "--entity-name", "carol");
        assertEquals(
                List.of(
                        "Quota configs for user-principal 'carol' are producer_byte_rate=8192.0, request_percentage=25.0"),
                quotasOnly.outLines(),
                quotasOnly::toString);
    }

    private static void everyBrokerApplies(QuotaType type, KafkaPrincipal principal, String clientId, Double expected)
            throws InterruptedException {
        Wait.waitUntil(
                "every broker applies " + type + " quota " + expected + " to " + principal + "/" + clientId,
                Duration.ofSeconds(1),
                () -> cluster.brokers().stream()
                        .allMatch(b -> Objects.equals(expected, b.quotas().quota(type, principal, clientId))));
    }
}
