package io.strand.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The acks=all latency breakdown a benchmark reads from {@code /api/local/ack-latency}: the leader counts each acks=all
 * append through its steps (its own fsync, each follower's report, the high watermark), the follower its fetches,
 * appends and fsync waits, and each request to the endpoint starts a new interval.
 */
@ExtendWith(StrandClusterExtension.class)
class AckLatencyTest {
    private static final String TOPIC = "ack-latency";
    private static final int SENDS = 20;

    @Test
    void shouldBreakEveryAcknowledgementDownIntoItsSteps(
            @BrokerCluster(
                            brokers = 2,
                            properties = {"metrics.http.listener=http://127.0.0.1:0"})
                    StrandTestCluster cluster)
            throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1, 2)))))
                    .all()
                    .get();
        }
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            producer.send(new ProducerRecord<>(TOPIC, 0, null, new byte[10])).get(); // the follower is in the ISR
            get(cluster, 1);
            get(cluster, 2);
            for (int i = 0; i < SENDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, new byte[100]))
                        .get(); // one batch each
            }
        }
        JsonObject leader = get(cluster, 1);
        assertEquals(SENDS, count(leader, "leader-append"), leader::toString);
        assertEquals(SENDS, count(leader, "committed"), leader::toString);
        assertEquals(SENDS, count(leader, "leader-durable"), leader::toString);
        assertEquals(SENDS, count(leader, "follower-reported"), "one follower reports each: " + leader);
        // an acknowledgement comes after the leader's own fsync and after the follower's report
        assertTrue(ms(leader, "committed", "max") >= ms(leader, "leader-durable", "p50"), leader::toString);
        assertTrue(ms(leader, "committed", "max") >= ms(leader, "follower-reported", "p50"), leader::toString);

        JsonObject follower = get(cluster, 2);
        assertTrue(count(follower, "follower-fetch") >= SENDS, follower::toString);
        assertTrue(count(follower, "follower-append") >= SENDS, follower::toString);
        assertTrue(count(follower, "follower-durable-wait") >= SENDS, follower::toString);
        assertEquals(0, count(follower, "committed"), "broker 2 leads nothing: " + follower);

        assertEquals(0, count(get(cluster, 1), "committed"), "a new interval after each request");
    }

    private static long count(JsonObject phases, String phase) {
        return phases.getAsJsonObject(phase).get("count").getAsLong();
    }

    private static double ms(JsonObject phases, String phase, String stat) {
        return phases.getAsJsonObject(phase).get(stat).getAsDouble();
    }

    private static JsonObject get(StrandTestCluster cluster, int broker) throws Exception {
        int port = cluster.broker(broker).httpAddress().orElseThrow().getPort();
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/local/ack-latency"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r::body);
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }
}
