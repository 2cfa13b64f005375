package io.strand.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.BrokerConfig;
import io.strand.server.ListenerConfig;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.Clients;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.ProduceConsumeValidator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several listeners per broker with Kafka's names: each listener name's security protocol from
 * listener.security.protocol.map, Metadata answering with the addresses of the listener a client
 * came in on, replication over the inter-broker listener, and a bad combination stopping the start
 * with a message naming the key.
 */
@ExtendWith(StrandClusterExtension.class)
class ListenerConfigTest {
    private static final String TWO_LISTENERS = "listeners=CLIENT://127.0.0.1:0,INTERNAL://127.0.0.1:0";

    @Test
    void shouldAnswerMetadataWithTheListenerTheClientCameInOnAndReplicateOverTheInterBrokerOne(
            @BrokerCluster(
                            brokers = 2,
                            properties = {
                                TWO_LISTENERS,
                                "listener.security.protocol.map=CLIENT:PLAINTEXT,INTERNAL:PLAINTEXT",
                                "inter.broker.listener.name=INTERNAL",
                                "min.insync.replicas=2"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        for (String listener : List.of("CLIENT", "INTERNAL")) {
            Map<String, Object> p = new HashMap<>();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(listener));
            try (Admin admin = Admin.create(p)) {
                Set<Integer> ports = admin.describeCluster().nodes().get().stream()
                        .map(Node::port)
                        .collect(Collectors.toSet());
                Set<Integer> expected = cluster.brokers().stream()
                        .map(b -> b.boundAddress(listener).getPort())
                        .collect(Collectors.toSet());
                assertEquals(expected, ports, "brokers as seen through " + listener);
            }
        }
        cluster.createTopic("two-listeners", 1, 2);
        ProduceConsumeValidator v = new ProduceConsumeValidator();
        String client = cluster.bootstrapServers("CLIENT");
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(client, Map.of("acks", "all"))) {
            for (int i = 0; i < 200; i++) {
                v.send(producer, "two-listeners", null, "k" + i, "v" + i);
            }
            producer.flush();
        }
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(client, Map.of())) {
            v.consumeToEnd(consumer, List.of(new TopicPartition("two-listeners", 0)), Duration.ofSeconds(30));
        }
        v.assertNoneLost(); // acks=all with min.insync.replicas=2: the follower fetched over INTERNAL
    }

    @Test
    void shouldReadListenerNamesAndTheirProtocols() {
        ListenerConfig c = config(Map.of(
                        "listeners", "PLAINTEXT://127.0.0.1:9092,internal://0.0.0.0:9093,SASL_SSL://[::1]:9094",
                        "advertised.listeners", "PLAINTEXT://h:9092,INTERNAL://h:9093",
                        "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:SSL,SASL_SSL:SASL_SSL",
                        "inter.broker.listener.name", "internal"))
                .listenerConfig();
        assertEquals(
                List.of(
                        new ListenerConfig.Listener("PLAINTEXT", SecurityProtocol.PLAINTEXT, "127.0.0.1", 9092),
                        new ListenerConfig.Listener("INTERNAL", SecurityProtocol.SSL, "0.0.0.0", 9093),
                        new ListenerConfig.Listener("SASL_SSL", SecurityProtocol.SASL_SSL, "::1", 9094)),
                c.listeners());
        assertEquals("INTERNAL", c.interBrokerListenerName());
        assertEquals(2, c.advertisedListeners().size());
        // security.inter.broker.protocol names the listener of that name, as in Kafka
        assertEquals(
                "SASL_SSL",
                config(Map.of(
                                "listeners", "PLAINTEXT://127.0.0.1:9092,SASL_SSL://127.0.0.1:9094",
                                "security.inter.broker.protocol", "SASL_SSL"))
                        .interBrokerListenerName());
    }

    @Test
    void shouldStopTheStartNamingTheKeyOfABadListenerSetting() {
        assertRefused("listener.security.protocol.map", Map.of("listeners", "CLIENT://127.0.0.1:9092"));
        assertRefused(
                "listener.security.protocol.map",
                Map.of("listeners", "PLAINTEXT://127.0.0.1:9092", "listener.security.protocol.map", "PLAINTEXT:TLS"));
        assertRefused(
                "inter.broker.listener.name",
                Map.of("listeners", "PLAINTEXT://127.0.0.1:9092", "inter.broker.listener.name", "INTERNAL"));
        assertRefused(
                "inter.broker.listener.name",
                Map.of(
                        "listeners", "PLAINTEXT://127.0.0.1:9092",
                        "inter.broker.listener.name", "PLAINTEXT",
                        "security.inter.broker.protocol", "PLAINTEXT"));
        // no PLAINTEXT listener and nothing naming the inter-broker one: Kafka refuses too
        assertRefused(
                "inter.broker.listener.name",
                Map.of(
                        "listeners", "CLIENT://127.0.0.1:9092",
                        "listener.security.protocol.map", "CLIENT:PLAINTEXT"));
        assertRefused("listeners", Map.of("listeners", "PLAINTEXT://127.0.0.1:9092,PLAINTEXT://127.0.0.1:9093"));
        assertRefused(
                "listeners",
                Map.of(
                        "listeners",
                        "A://127.0.0.1:9092,B://127.0.0.1:9092",
                        "listener.security.protocol.map",
                        "A:PLAINTEXT,B:PLAINTEXT",
                        "inter.broker.listener.name",
                        "A"));
        assertRefused(
                "advertised.listeners",
                Map.of("listeners", "PLAINTEXT://127.0.0.1:9092", "advertised.listeners", "SSL://h:9093"));
    }

    private static void assertRefused(String key, Map<String, String> props) {
        ConfigException e = assertThrows(ConfigException.class, () -> config(props), props.toString());
        assertTrue(e.getMessage().contains(key), e.getMessage() + " should name " + key);
    }

    private static BrokerConfig config(Map<String, String> props) {
        Map<String, String> p = new HashMap<>(props);
        p.put("broker.id", "1");
        p.put("log.dirs", "/tmp/unused");
        p.put("zookeeper.connect", "127.0.0.1:2181");
        return BrokerConfig.of(p);
    }
}
