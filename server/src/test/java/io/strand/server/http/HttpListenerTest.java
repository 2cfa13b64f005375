package io.strand.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.Broker;
import io.strand.server.BrokerConfig;
import io.strand.server.HttpSettingsDefinition;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** metrics.http.listener: off unless set, bound only where it says, and a bad value names the key. */
@ExtendWith(StrandClusterExtension.class)
class HttpListenerTest {
    @Test
    void shouldServeOnTheConfiguredAddressOnlyWhenSet(
            @BrokerCluster(brokers = 1, properties = "metrics.http.listener=http://127.0.0.1:0")
                    StrandTestCluster withHttp,
            @BrokerCluster(brokers = 1) StrandTestCluster without)
            throws Exception {
        assertFalse(without.broker(1).httpAddress().isPresent());
        InetSocketAddress address = withHttp.broker(1).httpAddress().orElseThrow();
        assertTrue(address.getAddress().isLoopbackAddress(), address::toString);
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + "/no-such-page"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(404, response.statusCode());
    }

    @Test
    void shouldStopTheStartNamingTheKeyOfABadAddress() {
        for (String bad :
                new String[] {"127.0.0.1:8080", "https://127.0.0.1:8080", "http://127.0.0.1", "http://h:1/x"}) {
            Map<String, String> p = new HashMap<>();
            p.put("broker.id", "1");
            p.put("log.dirs", "/tmp/unused");
            p.put("zookeeper.connect", "127.0.0.1:2181");
            p.put(HttpSettingsDefinition.METRICS_HTTP_LISTENER, bad);
            ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.of(p), bad);
            assertTrue(e.getMessage().contains("metrics.http.listener"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseToStartWhenTheAddressIsTaken(@BrokerCluster(brokers = 1) StrandTestCluster cluster)
            throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Map<String, String> p = new HashMap<>(cluster.brokerProperties(1));
            p.put("broker.id", "7");
            p.put("listeners", "PLAINTEXT://127.0.0.1:0");
            p.put("log.dirs", cluster.dataDir(1).resolveSibling("broker-7").toString());
            p.put(HttpSettingsDefinition.METRICS_HTTP_LISTENER, "http://127.0.0.1:" + taken.getLocalPort());
            Broker broker = new Broker(BrokerConfig.of(p));
            assertThrows(java.net.BindException.class, broker::start);
        }
    }
}
