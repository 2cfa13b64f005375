package io.strand.server.security.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.strand.server.BrokerConfig;
import io.strand.server.network.BrokerClient;
import io.strand.server.network.RequestContext;
import io.strand.server.testing.NettyLeaks;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.TestCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two TLS listeners on one broker, each with its own settings ({@code listener.name.<l>.ssl.*}):
 * SSL asks for client certificates ({@code requested}) and maps their names with {@code
 * ssl.principal.mapping.rules}; NOSAN presents a certificate whose SAN names {@code localhost} only.
 * The principal each request carries follows the rules (ANONYMOUS without a certificate); the
 * inter-broker client's hostname verification accepts a certificate with {@code IP:127.0.0.1} and
 * refuses the one without, unless {@code ssl.endpoint.identification.algorithm} is empty.
 */
class TlsListenersTest {
    @TempDir
    static Path dir;

    private static TestCertificates certs;
    private static Map<String, String> brokerSsl;
    private static StrandTestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        NettyLeaks.install();
        certs = TestCertificates.create(dir.resolve("certs"));
        brokerSsl = TlsTestSupport.brokerSsl(certs, certs.broker("broker"));
        TestCertificates.Identity noIpSan = certs.issue(
                "no-ip-san",
                "CN=localhost,OU=no-ip-san,O=Strand Test",
                List.of("DNS:localhost"),
                Instant.now().minus(1, ChronoUnit.DAYS),
                Instant.now().plus(30, ChronoUnit.DAYS));
        Map<String, String> p = new HashMap<>(brokerSsl);
        p.put("listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,NOSAN://127.0.0.1:0");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,NOSAN:SSL");
        p.put("listener.name.ssl.ssl.client.auth", "requested");
        p.put("listener.name.ssl.ssl.principal.mapping.rules", "RULE:^CN=([^,]+),OU=Clients,.*$/$1/L,DEFAULT");
        p.put(
                "listener.name.nosan.ssl.keystore.location",
                noIpSan.keystore("PKCS12").toString());
        cluster = StrandTestCluster.start(1, p);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        NettyLeaks.check("after " + TlsListenersTest.class.getSimpleName(), List.of());
    }

    @Test
    void shouldMapTheCertificatesNameByTheListenersRulesAndLeaveNoCertificateAnonymous() throws Exception {
        Map<String, KafkaPrincipal> seen = new ConcurrentHashMap<>();
        cluster.faults().observeRequests((RequestContext ctx) -> seen.put(ctx.clientId(), ctx.principal()));
        describeClusterAs("with-alice", certs.client("Alice"));
        describeClusterAs("without-certificate", null);
        describeClusterAs("with-broker-certificate", certs.broker("other-broker"));
        cluster.faults().observeRequests(null);

        assertEquals(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice"), seen.get("with-alice"), "RULE: CN, lower");
        assertEquals(KafkaPrincipal.ANONYMOUS, seen.get("without-certificate"), "requested, not given");
        assertEquals(
                new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "CN=localhost,OU=other-broker,O=Strand Test"),
                seen.get("with-broker-certificate"),
                "no rule matches: DEFAULT, the whole name");
    }

    private static void describeClusterAs(String clientId, TestCertificates.Identity who) throws Exception {
        Map<String, Object> p = new HashMap<>(TlsTestSupport.clientSsl(certs, who));
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers("SSL"));
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        try (Admin admin = Admin.create(p)) {
            assertEquals(1, admin.describeCluster().nodes().get().size());
        }
    }

    @Test
    void shouldCheckTheOtherBrokersCertificateAgainstItsIpAddressUnlessTurnedOff() throws Exception {
        InetSocketAddress withIpSan = cluster.broker(1).boundAddress("SSL");
        InetSocketAddress withoutIpSan = cluster.broker(1).boundAddress("NOSAN");
        try (BrokerTls https = interBrokerTls(Map.of())) {
            assertEquals(Errors.NONE, apiVersions(https, withIpSan));
            IOException refused = assertThrows(IOException.class, () -> apiVersions(https, withoutIpSan));
            assertTrue(refused.getMessage().contains("127.0.0.1"), refused.getMessage());
        }
        try (BrokerTls none = interBrokerTls(Map.of("ssl.endpoint.identification.algorithm", ""))) {
            assertEquals(Errors.NONE, apiVersions(none, withoutIpSan));
        }
    }

    /** The inter-broker side of another broker configured with the same certificates. */
    private static BrokerTls interBrokerTls(Map<String, String> more) {
        Map<String, String> p = new HashMap<>(brokerSsl);
        p.put("broker.id", "2");
        p.put("zookeeper.connect", "127.0.0.1:1/unused");
        p.put("log.dirs", dir.resolve("unused").toString());
        p.put("listeners", "SSL://127.0.0.1:0");
        p.put("security.inter.broker.protocol", "SSL");
        p.putAll(more);
        return BrokerTls.create(BrokerConfig.of(p), new MetricRegistry());
    }

    private static Errors apiVersions(BrokerTls tls, InetSocketAddress address) throws IOException {
        try (BrokerClient client = tls.connector().client("inter-broker-test", address, 1 << 20)) {
            ApiVersionsResponse r = (ApiVersionsResponse) client.send(
                    ApiKeys.API_VERSIONS,
                    (short) 3,
                    new ApiVersionsRequestData()
                            .setClientSoftwareName("inter-broker-test")
                            .setClientSoftwareVersion("1"),
                    10_000);
            return Errors.forCode(r.data().errorCode());
        }
    }
}
