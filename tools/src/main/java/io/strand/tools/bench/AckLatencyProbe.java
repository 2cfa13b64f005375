package io.strand.tools.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the acks=all latency breakdown of a Strand cluster's brokers: {@code GET <url>/api/local/ack-latency} of each
 * broker's HTTP listener answers, per phase (leader-append, leader-durable, follower-reported, committed,
 * follower-fetch, follower-append, follower-durable-wait), {@code {count, p50, p90, p99, p999, max}} in milliseconds
 * over the interval since the previous request to it. A benchmark reads every broker right before a run (and drops
 * the answer) and right after it; {@link #combine} makes one figure per phase of the cluster out of the brokers'.
 *
 * <p>Thread-safety: an instance may be used from any thread, one call at a time.
 */
final class AckLatencyProbe {
    /** The path under a broker's HTTP listener. */
    static final String PATH = "/api/local/ack-latency";

    /**
     * One phase over a cluster's brokers: the sum of their sample counts, the median of their p50s and the highest of
     * their p99s (brokers without samples of the phase left out; NaN when none has any).
     */
    record Phase(long count, double p50, double p99) {}

    private final List<URI> uris = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param baseUrls each broker's HTTP listener, e.g. {@code http://127.0.0.1:29192} */
    AckLatencyProbe(List<String> baseUrls) {
        for (String url : baseUrls) {
            String u = url.strip();
            while (u.endsWith("/")) {
                u = u.substring(0, u.length() - 1);
            }
            uris.add(URI.create(u + PATH));
        }
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("no broker URL");
        }
    }

    /** Every broker's phases since the previous read, one JSON object per broker. */
    List<JsonObject> read() throws IOException, InterruptedException {
        List<JsonObject> out = new ArrayList<>();
        for (URI uri : uris) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("GET " + uri + ": HTTP " + r.statusCode());
            }
            out.add(JsonParser.parseString(r.body()).getAsJsonObject());
        }
        return out;
    }

    /** The cluster's figure per phase (in the order of the first broker's answer), per {@link Phase}. */
    static Map<String, Phase> combine(List<JsonObject> brokers) {
        Map<String, Phase> out = new LinkedHashMap<>();
        if (brokers.isEmpty()) {
            return out;
        }
        for (String phase : brokers.get(0).keySet()) {
            long count = 0;
            List<Double> p50s = new ArrayList<>();
            double p99 = Double.NaN;
            for (JsonObject b : brokers) {
                JsonElement e = b.get(phase);
                if (e == null || !e.isJsonObject()) {
                    continue;
                }
                JsonObject s = e.getAsJsonObject();
                long n = s.get("count").getAsLong();
                if (n == 0) {
                    continue;
                }
                count += n;
                p50s.add(s.get("p50").getAsDouble());
                double q = s.get("p99").getAsDouble();
                p99 = Double.isNaN(p99) ? q : Math.max(p99, q);
            }
            p50s.sort(Double::compare);
            out.put(phase, new Phase(count, p50s.isEmpty() ? Double.NaN : Rounds.median(p50s), p99));
        }
        return out;
    }
}
