package io.strand.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import com.google.gson.Gson;
import com.sun.net.httpserver.HttpServer;
import io.strand.server.replica.AckLatency;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The breakdown as three brokers serve it: each a broker's own {@link AckLatency} written by Gson as the status page
 * writes it, over HTTP at {@link AckLatencyProbe#PATH}.
 */
class AckLatencyProbeTest {
    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(s -> s.stop(0));
    }

    @Test
    void shouldCombineTheBrokersIntoTheMedianOfTheirP50AndTheMaxOfTheirP99() throws Exception {
        AckLatency b1 = new AckLatency(new MetricRegistry());
        AckLatency b2 = new AckLatency(new MetricRegistry());
        AckLatency b3 = new AckLatency(new MetricRegistry());
        recordMillis(b1, AckLatency.Phase.COMMITTED, 1, 100);
        recordMillis(b2, AckLatency.Phase.COMMITTED, 4, 100);
        recordMillis(b3, AckLatency.Phase.COMMITTED, 9, 100);
        recordMillis(b3, AckLatency.Phase.COMMITTED, 50, 2); // b3's p99: 50 ms
        recordMillis(b2, AckLatency.Phase.LEADER_DURABLE, 7, 10); // only b2 has any
        AckLatencyProbe probe = new AckLatencyProbe(List.of(serve(b1), serve(b2), serve(b3) + "/"));

        Map<String, AckLatencyProbe.Phase> phases = AckLatencyProbe.combine(probe.read());

        AckLatencyProbe.Phase committed = phases.get("committed");
        assertEquals(302, committed.count());
        assertEquals(4.0, committed.p50(), 0.05);
        assertEquals(50.0, committed.p99(), 0.5);
        AckLatencyProbe.Phase durable = phases.get("leader-durable");
        assertEquals(10, durable.count());
        assertEquals(7.0, durable.p50(), 0.05);
        assertEquals(7.0, durable.p99(), 0.05);
        AckLatencyProbe.Phase fetch = phases.get("follower-fetch");
        assertEquals(0, fetch.count());
        assertTrue(Double.isNaN(fetch.p50()) && Double.isNaN(fetch.p99()), fetch.toString());
        assertEquals(ComparisonSummary.ACK_PHASES, List.copyOf(phases.keySet()));
    }

    @Test
    void shouldStartAFreshIntervalWithEveryRead() throws Exception {
        AckLatency broker = new AckLatency(new MetricRegistry());
        recordMillis(broker, AckLatency.Phase.LEADER_APPEND, 3, 5);
        AckLatencyProbe probe = new AckLatencyProbe(List.of(serve(broker)));
        probe.read(); // before the run: dropped
        recordMillis(broker, AckLatency.Phase.LEADER_APPEND, 1, 7);

        AckLatencyProbe.Phase append = AckLatencyProbe.combine(probe.read()).get("leader-append");

        assertEquals(7, append.count());
        assertEquals(1.0, append.p99(), 0.01);
    }

    private static void recordMillis(AckLatency latency, AckLatency.Phase phase, long millis, int times) {
        for (int i = 0; i < times; i++) {
            latency.record(phase, TimeUnit.MILLISECONDS.toNanos(millis));
        }
    }

    /** An HTTP server answering the probe's path with the broker's interval, as the status page does; its URL. */
    private String serve(AckLatency broker) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        Gson gson = new Gson();
        server.createContext(AckLatencyProbe.PATH, exchange -> {
            byte[] body = gson.toJson(broker.takeInterval()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }
}
