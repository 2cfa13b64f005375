package io.strand.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.Broker;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.ExternalCommands;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.BackgroundProducer;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SlowTest;
import io.strand.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * GET /metrics under load, parsed by the Prometheus Python client's text parser (Debian's
 * python3-prometheus-client, which bin/strand-test installs), carries the JMX exporter's names for
 * Kafka's metrics (every one docs/grafana-dashboard.json queries), and the under-replicated count
 * across the brokers goes 0 -> 6 -> 0 while one of three brokers is stopped and started again.
 */
@ExtendWith(StrandClusterExtension.class)
@SlowTest
class PrometheusScrapeTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final Path SCRAPER = Path.of("..", "clients", "python", "scrape_metrics.py");

    /** One parsed sample: its name, family type, labels as sorted JSON, and value. */
    private record Sample(String name, String type, String labels, double value) {}

    @Test
    void shouldServeParsableKafkaNamesAndShowUnderReplicationAroundABrokerStop(
            @BrokerCluster(brokers = 3, properties = "metrics.http.listener=http://127.0.0.1:0")
                    StrandTestCluster cluster)
            throws Exception {
        assertTrue(
                Files.isExecutable(Path.of(PYTHON)),
                PYTHON + " with prometheus_client must exist (bin/strand-test installs python3-prometheus-client)");
        cluster.createTopic("scraped", 6, 3);
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (BackgroundProducer load = BackgroundProducer.start(
                "scrape-load",
                cluster.producer(Map.of(
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.LINGER_MS_CONFIG, "2",
                        ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50",
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000")),
                validator,
                BackgroundProducer.Send.roundRobin("scraped", 6),
                10,
                Duration.ofMillis(20))) {
            load.awaitAcknowledged(300, Duration.ofSeconds(30));
            List<Sample> all = scrape(cluster.brokers());
            assertTrue(scrape(cluster.brokers(), "--openmetrics").size() > 100, "OpenMetrics, when asked for");
            assertEquals(
                    0,
                    sum(all, "kafka_server_replicamanager_underreplicatedpartitions", "{}"),
                    "every replica in sync");
            double messagesIn = all.stream()
                    .filter(s -> s.name().equals("kafka_server_brokertopicmetrics_messagesin_total")
                            && s.labels().equals("{\"topic\": \"scraped\"}"))
                    .mapToDouble(Sample::value)
                    .sum();
            assertTrue(messagesIn >= 300, "messages in, per topic: " + messagesIn);
            assertTrue(
                    all.stream()
                            .anyMatch(s -> s.name().equals("kafka_network_requestmetrics_totaltimems")
                                    && s.type().equals("gauge")
                                    && s.labels().equals("{\"quantile\": \"0.99\", \"request\": \"Produce\"}")),
                    "Produce's p99");
            assertTrue(all.stream()
                    .anyMatch(s -> s.name().equals("kafka_network_requestmetrics_requests_total")
                            && s.type().equals("counter")
                            && s.labels().contains("\"request\": \"FetchFollower\"")
                            && s.value() > 0));
            assertEquals(
                    1,
                    sum(all, "kafka_controller_kafkacontroller_activecontrollercount", "{}"),
                    "one active controller");
            assertTrue(all.stream()
                    .anyMatch(s -> s.name().equals("kafka_server_replicafetchermanager_maxlag")
                            && s.labels().equals("{\"clientId\": \"Replica\"}")));
            assertTrue(all.stream()
                    .anyMatch(s -> s.name().equals("kafka_cluster_partition_underreplicated")
                            && s.labels().equals("{\"partition\": \"0\", \"topic\": \"scraped\"}")));

            // the sample dashboard queries what brokers serve (consumer lag needs a group: none here)
            java.util.Set<String> served = all.stream().map(Sample::name).collect(java.util.stream.Collectors.toSet());
            java.util.regex.Matcher queried = java.util.regex.Pattern.compile("kafka_[a-z_]+")
                    .matcher(Files.readString(Path.of("..", "docs", "grafana-dashboard.json")));
            while (queried.find()) {
                String name = queried.group();
                assertTrue(name.startsWith("kafka_consumergroup_") || served.contains(name), name + " is served");
            }

            cluster.stopBroker(3);
            Wait.waitUntil(
                    "the two brokers left report all 6 partitions under-replicated",
                    Duration.ofSeconds(20),
                    () -> underReplicated(cluster) == 6);
            double elections = sum(
                    scrape(cluster.brokers()),
                    "kafka_controller_controllerstats_leaderelectionrateandtimems_count_total",
                    "{}");
            assertTrue(elections >= 1, "the controller timed the elections of broker 3's leaderships");
            long before = validator.acknowledgedCount();
            load.awaitAcknowledged(before + 200, Duration.ofSeconds(30));

            cluster.startBroker(3);
            Wait.waitUntil(
                    "broker 3 back in every ISR: nothing under-replicated",
                    Duration.ofSeconds(30),
                    () -> underReplicated(cluster) == 0);
            load.stop(Duration.ofSeconds(60));
        }
        assertEquals(List.of(), validator.sendFailures());
    }

    /** kafka_server_replicamanager_underreplicatedpartitions summed over the running brokers' scrapes. */
    private static long underReplicated(StrandTestCluster cluster) throws Exception {
        return (long) sum(scrape(cluster.brokers()), "kafka_server_replicamanager_underreplicatedpartitions", "{}");
    }

    private static double sum(List<Sample> samples, String name, String labels) {
        return samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().equals(labels))
                .mapToDouble(Sample::value)
                .sum();
    }

    /**
     * The brokers' /metrics, fetched and parsed by the Prometheus Python client (one process for all);
     * {@code --openmetrics}: in the OpenMetrics format, by its OpenMetrics parser.
     */
    private static List<Sample> scrape(List<Broker> brokers, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON, SCRAPER.toString()));
        command.addAll(List.of(options));
        for (Broker b : brokers) {
            command.add("http://127.0.0.1:" + b.httpAddress().orElseThrow().getPort() + "/metrics");
        }
        String out = ExternalCommands.run(command, null);
        List<Sample> samples = new ArrayList<>();
        int scraped = 0;
        for (String line : out.split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 5) {
                samples.add(new Sample(f[1], f[2], f[3], Double.parseDouble(f[4])));
            } else if (line.startsWith("scraped ")) {
                scraped++;
            }
        }
        assertEquals(brokers.size(), scraped, out);
        assertTrue(samples.size() > 50 * brokers.size(), out);
        return samples;
    }
}
