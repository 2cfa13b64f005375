package io.strand.server.security;

import static io.strand.server.testing.ExternalCommands.onPath;
import static io.strand.server.testing.ExternalCommands.run;
import static io.strand.server.testing.SaslClients.PLAIN_MODULE;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.admin.ScramCredentialStore;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.SlowTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients other than Java's over SASL_PLAINTEXT: kcat (librdkafka) and kafkajs (pure JavaScript)
 * with PLAIN, producing and consuming; kcat with a wrong password is refused. kcat uses SCRAM-SHA-256
 * where its librdkafka is 2.6.1 or newer: older ones repeat the client nonce in the SCRAM client-final
 * message (librdkafka#4895), which Kafka 4's SCRAM server (kafka-clients' ScramSaslServer, RFC
 * 5802's check) refuses, and so does Strand. `bin/strand-test` installs kcat, node and kafkajs when
 * they are missing.
 */
@ExtendWith(StrandClusterExtension.class)
class SaslOtherClientsTest {
    private static final String SASL = "SASL_PLAINTEXT";

    @BrokerCluster(
            brokers = 1,
            properties = {
                "listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config=" + PLAIN_MODULE
                        + " required user_jsuser=\"js-secret\" user_rdkafka=\"rd-secret\";",
                "group.initial.rebalance.delay.ms=0"
            })
    private static StrandTestCluster cluster;

    @BeforeAll
    static void createScramUser() {
        new ScramCredentialStore(new MetadataStore(cluster.broker(1).zookeeperClient()))
                .upsertPassword("rdkafka", ScramMechanism.SCRAM_SHA_256, "rd-secret", 4096);
    }

    /** SCRAM-SHA-256 where this kcat's librdkafka gets it right (2.6.1+), else PLAIN. */
    private static String kcatMechanism() throws Exception {
        String version = run(List.of("kcat", "-V"), null, Map.of());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("librdkafka (\\d+)\\.(\\d+)\\.(\\d+)")
                .matcher(version);
        assertTrue(m.find(), version);
        int v = Integer.parseInt(m.group(1)) * 10_000
                + Integer.parseInt(m.group(2)) * 100
                + Integer.parseInt(m.group(3));
        return v >= 20601 ? "SCRAM-SHA-256" : "PLAIN";
    }

    private static List<String> kcat(String mechanism, String password, String... args) {
        List<String> command = new ArrayList<>(List.of(
                "kcat",
                "-b",
                cluster.bootstrapServers(SASL),
                "-X",
                "security.protocol=sasl_plaintext",
                "-X",
                "sasl.mechanisms=" + mechanism,
                "-X",
                "sasl.username=rdkafka",
                "-X",
                "sasl.password=" + password));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    @SlowTest
    void kcatProducesAndConsumes() throws Exception {
        assertTrue(onPath("kcat"), "kcat must be on PATH (bin/strand-test installs it)");
        String mechanism = kcatMechanism();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            lines.append("k").append(i).append(":rd-").append(i).append('\n');
        }
        run(
                kcat(mechanism, "rd-secret", "-P", "-t", "kcat-scram", "-K", ":", "-X", "acks=all"),
                lines.toString(),
                Map.of());
        String consumed = run(
                kcat(mechanism, "rd-secret", "-C", "-t", "kcat-scram", "-o", "beginning", "-e", "-q", "-f", "%k=%s\\n"),
                null,
                Map.of());
        Set<String> read = new HashSet<>(List.of(consumed.split("\n")));
        for (int i = 0; i < 100; i++) {
            assertTrue(read.contains("k" + i + "=rd-" + i), "kcat read back record " + i + ": " + consumed);
        }
        Process refused = new ProcessBuilder(kcat(mechanism, "wrong", "-L", "-m", "10"))
                .redirectErrorStream(true)
                .start();
        String out = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(refused.waitFor(60, TimeUnit.SECONDS));
        assertNotEquals(0, refused.exitValue(), out);
        assertTrue(out.contains("Authentication failed"), out);
    }

    @Test
    void kafkajsProducesAndConsumesInAGroupWithPlain() throws Exception {
        assertTrue(onPath("node"), "node must be on PATH (bin/strand-test installs it)");
        Path js = Path.of("..", "clients", "js");
        assertTrue(
                Files.isDirectory(js.resolve("node_modules").resolve("kafkajs")),
                "kafkajs must be installed in clients/js (bin/strand-test runs npm ci there)");
        String out = run(
                List.of(
                        "node",
                        js.resolve("roundtrip.js").toString(),
                        cluster.bootstrapServers(SASL),
                        "from-js-sasl",
                        "js-sasl-group",
                        "300"),
                null,
                Map.of(
                        "STRAND_SASL_MECHANISM", "plain",
                        "STRAND_SASL_USERNAME", "jsuser",
                        "STRAND_SASL_PASSWORD", "js-secret",
                        "STRAND_REPLICATION_FACTOR", "1"));
        assertTrue(out.contains("\"ok\":true"), out);
        assertTrue(out.contains("\"distinct\":300"), out);
    }
}
