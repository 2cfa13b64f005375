package io.strand.server.http.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The status page's JSON, asked of broker 1 about what only broker 2 holds: a topic whose one replica is on broker 2
 * and a group whose offsets partition broker 2 leads, so every answer below crossed to broker 2's HTTP listener.
 */
@ExtendWith(StrandClusterExtension.class)
class StatusPageApiTest {
    private static final String TOPIC = "status-remote";

    @BrokerCluster(
            brokers = 2,
            properties = {"metrics.http.listener=http://127.0.0.1:0", "offsets.topic.num.partitions=1"})
    private static StrandTestCluster cluster;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldAnswerWithWhatAnotherBrokerHolds() throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(2)))))
                    .all()
                    .get();
            // the group's coordinator: __consumer_offsets' only partition, on broker 2
            admin.createTopics(List.of(new NewTopic("__consumer_offsets", Map.of(0, List.of(2)))))
                    .all()
                    .get();
        }
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of())) {
            ProducerRecord<byte[], byte[]> first = new ProducerRecord<>(
                    TOPIC, 0, "<b>x</b>".getBytes(StandardCharsets.UTF_8), new byte[] {0, (byte) 0xff, 7});
            first.headers().add("h", "<i>v</i>".getBytes(StandardCharsets.UTF_8));
            producer.send(first).get();
            for (int i = 1; i < 5; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, ("v" + i).getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
        }
        try (KafkaConsumer<byte[], byte[]> consumer =
                cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "status-group"))) {
            consumer.commitSync(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(3)));
        }

        JsonObject cluster1 = get("/api/cluster", Map.of());
        assertEquals(cluster.broker(1).clusterId(), cluster1.get("clusterId").getAsString());
        JsonArray brokers = cluster1.getAsJsonArray("brokers");
        assertEquals(2, brokers.size(), brokers::toString);
        for (JsonElement b : brokers) {
            JsonObject broker = b.getAsJsonObject();
            assertTrue(broker.get("live").getAsBoolean(), broker::toString);
            assertTrue(broker.get("http").getAsString().startsWith("http://127.0.0.1:"), broker::toString);
            JsonObject dir = broker.getAsJsonArray("logDirs").get(0).getAsJsonObject();
            assertTrue(dir.get("totalBytes").getAsLong() > 0, broker::toString); // broker 2's measured by broker 2
            assertEquals(
                    cluster.dataDir(broker.get("id").getAsInt()).toString(),
                    dir.get("path").getAsString(),
                    broker::toString);
        }

        // the replica's offsets, from broker 2 (the high watermark reaches 5 once broker 2 alone has them)
        JsonObject replica = Wait.waitFor(
                "broker 2's replica reports 5 records",
                Duration.ofSeconds(10),
                () -> get("/api/topic", Map.of("name", TOPIC))
                        .getAsJsonArray("rows")
                        .get(0)
                        .getAsJsonObject()
                        .getAsJsonArray("replicaStates")
                        .get(0)
                        .getAsJsonObject(),
                r -> r.has("offsets")
                        && r.getAsJsonObject("offsets").get("highWatermark").getAsLong() == 5);
        assertEquals(2, replica.get("broker").getAsInt());
        assertEquals(5, replica.getAsJsonObject("offsets").get("logEndOffset").getAsLong());
        assertEquals(0, replica.getAsJsonObject("offsets").get("logStartOffset").getAsLong());

        // the last records, read by broker 2: text as text, bytes that are not as hex
        JsonArray records = get("/api/peek", Map.of("topic", TOPIC, "partition", "0", "n", "5"))
                .getAsJsonArray("records");
        assertEquals(5, records.size(), records::toString);
        JsonObject r0 = records.get(0).getAsJsonObject();
        assertEquals(0, r0.get("offset").getAsLong());
        assertEquals("<b>x</b>", r0.getAsJsonObject("key").get("text").getAsString());
        assertEquals("00ff07", r0.getAsJsonObject("value").get("hex").getAsString());
        JsonObject header = r0.getAsJsonArray("headers").get(0).getAsJsonObject();
        assertEquals("h", header.get("key").getAsString());
        assertEquals("<i>v</i>", header.getAsJsonObject("value").get("text").getAsString());
        assertFalse(records.get(1).getAsJsonObject().has("key"), "a null key is null, not empty");
        assertEquals(
                2,
                get("/api/peek", Map.of("topic", TOPIC, "partition", "0", "n", "2"))
                        .getAsJsonArray("records")
                        .size());

        // the group from its coordinator (broker 2), its lag from the partition's leader (broker 2)
        JsonObject group = get("/api/group", Map.of("id", "status-group"));
        assertEquals(2, group.getAsJsonObject("group").get("coordinator").getAsInt());
        JsonObject offset = group.getAsJsonArray("offsets").get(0).getAsJsonObject();
        assertEquals(3, offset.get("committed").getAsLong());
        assertEquals(5, offset.get("highWatermark").getAsLong());
        assertEquals(2, offset.get("lag").getAsLong());
        JsonArray groups = get("/api/groups", Map.of()).getAsJsonArray("groups");
        assertEquals(
                "status-group", groups.get(0).getAsJsonObject().get("groupId").getAsString());

        // per-API latency of both brokers: broker 2 served the produce requests
        JsonObject latency = get("/api/latency", Map.of());
        assertEquals("[1,2]", latency.getAsJsonArray("brokers").toString());
        JsonObject produce = null;
        for (JsonElement row : latency.getAsJsonArray("requests")) {
            if (row.getAsJsonObject().get("request").getAsString().startsWith("Produce")) {
                produce = row.getAsJsonObject();
            }
        }
        assertTrue(produce != null, latency::toString);
        assertTrue(produce.getAsJsonArray("perBroker")
                        .get(1)
                        .getAsJsonObject()
                        .get("p99Ms")
                        .getAsDouble()
                > 0);

        // topics: one page at a time, the size summed from the leaders
        JsonObject page = get("/api/topics", Map.of("limit", "1", "filter", "remote"));
        assertEquals(1, page.get("total").getAsInt());
        JsonObject topic = page.getAsJsonArray("topics").get(0).getAsJsonObject();
        assertEquals(TOPIC, topic.get("name").getAsString());
        assertTrue(topic.get("sizeBytes").getAsLong() > 0, topic::toString);
        assertEquals(2, get("/api/topics", Map.of("limit", "1")).get("total").getAsInt());
    }

    @Test
    void shouldRefuseWritesAndBadRequests() throws Exception {
        assertEquals(
                405,
                send(HttpRequest.newBuilder(uri("/api/cluster", Map.of()))
                                .POST(HttpRequest.BodyPublishers.ofString("{}")))
                        .statusCode());
        assertEquals(
                405, send(HttpRequest.newBuilder(uri("/", Map.of())).DELETE()).statusCode());
        HttpResponse<String> missing = send(HttpRequest.newBuilder(uri("/api/topic", Map.of("name", "nope"))));
        assertEquals(404, missing.statusCode());
        assertEquals(
                "no topic nope",
                JsonParser.parseString(missing.body())
                        .getAsJsonObject()
                        .get("error")
                        .getAsString());
        assertEquals(
                400,
                send(HttpRequest.newBuilder(uri("/api/topics", Map.of("limit", "100000"))))
                        .statusCode());
        assertEquals(
                400, send(HttpRequest.newBuilder(uri("/api/peek", Map.of()))).statusCode());
        HttpResponse<String> page = send(HttpRequest.newBuilder(uri("/", Map.of())));
        assertEquals(200, page.statusCode());
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertTrue(csp.contains("script-src 'sha256-") && !csp.contains("unsafe-inline"), csp);
    }

    private JsonObject get(String path, Map<String, String> params) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri(path, params)));
        assertEquals(200, r.statusCode(), () -> path + " " + params + ": " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path, Map<String, String> params) {
        int port = cluster.broker(1).httpAddress().orElseThrow().getPort();
        Map<String, String> p = new HashMap<>(params);
        StringBuilder q = new StringBuilder();
        p.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return URI.create("http://127.0.0.1:" + port + path + q);
    }
}
