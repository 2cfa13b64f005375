package io.strand.server.replica;

import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.SaslClients;
import io.strand.testing.SystemTest;
import io.strand.testing.TestCertificates;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LeaderKillTest} on a secured cluster: one SASL_SSL listener per broker, used by the
 * clients and for replication (inter-broker SASL as User:broker over TLS), ACLs on with only super
 * users; kill -9 of the leader and its restart lose no acknowledged record, and the restarted broker
 * catches up over the secured listener and rejoins the ISR.
 */
@SystemTest
class SecuredLeaderKillTest {
    private static final String PLAIN = SaslClients.PLAIN_MODULE;

    @TempDir
    Path dir;

    @Test
    void shouldLoseNoAcknowledgedRecordWhenTheLeaderIsKilledOverSecuredReplication() throws Exception {
        TestCertificates certs = TestCertificates.create(dir.resolve("certs"));
        TestCertificates.Identity broker = certs.broker("broker");
        Map<String, String> s = new LinkedHashMap<>();
        s.put("listeners", "SASL_SSL://127.0.0.1:{port}");
        s.put("security.inter.broker.protocol", "SASL_SSL");
        s.put("ssl.keystore.location", broker.keystore("PKCS12").toString());
        s.put("ssl.keystore.password", TestCertificates.PASSWORD);
        s.put("ssl.key.password", TestCertificates.PASSWORD);
        s.put("ssl.truststore.location", certs.truststore("PKCS12").toString());
        s.put("ssl.truststore.password", TestCertificates.PASSWORD);
        s.put("sasl.enabled.mechanisms", "PLAIN");
        s.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        s.put(
                "listener.name.sasl_ssl.plain.sasl.jaas.config",
                PLAIN + " required username=\"broker\" password=\"broker-secret\""
                        + " user_broker=\"broker-secret\" user_admin=\"admin-secret\";");
        s.put("authorizer.class.name", "kafka.security.authorizer.AclAuthorizer");
        s.put("super.users", "User:broker;User:admin");
        s.put("default.replication.factor", "3");
        s.put("min.insync.replicas", "2");
        s.put("unclean.leader.election.enable", "false");
        s.put("replica.lag.time.max.ms", "5000");
        // the test's clients: admin over SASL_SSL
        s.put(ProcessTestCluster.CLIENT_PREFIX + "security.protocol", "SASL_SSL");
        s.put(ProcessTestCluster.CLIENT_PREFIX + "sasl.mechanism", "PLAIN");
        s.put(
                ProcessTestCluster.CLIENT_PREFIX + "sasl.jaas.config",
                PLAIN + " required username=\"admin\" password=\"admin-secret\";");
        s.put(
                ProcessTestCluster.CLIENT_PREFIX + "ssl.truststore.location",
                certs.truststore("PKCS12").toString());
        s.put(ProcessTestCluster.CLIENT_PREFIX + "ssl.truststore.password", TestCertificates.PASSWORD);
        try (ProcessTestCluster cluster = new ProcessTestCluster(3, s)) {
            LeaderKillTest.survivesLeaderKills(cluster, 3);
        }
    }
}
