package io.strand.server.http.status;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /api/latency}: per-API request latency (p99, with p50 and the request count) on every live broker, one
 * column per broker. Each broker reads its own registry ({@code /api/local/latency}, {@link KafkaMetrics}):
 * Kafka's {@code TotalTimeMs} per request; an API that served no
 * request on a broker is absent there. Thread-safe (reads only).
 */
final class LatencyView {
    record LocalLatency(int brokerId, List<KafkaMetrics.Latency> requests) {}

    /** One API; {@code perBroker} aligned with the page's {@code brokers}, null where that broker has no figure. */
    record Row(String request, long count, List<KafkaMetrics.Latency> perBroker) {}

    record Latencies(List<Integer> brokers, List<Row> requests, List<String> unavailable) {}

    private final StatusSources sources;
    private final Peers peers;

    LatencyView(StatusSources sources, Peers peers) {
        this.sources = sources;
        this.peers = peers;
    }

    CompletableFuture<LocalLatency> local(Query query) {
        return CompletableFuture.completedFuture(localLatency());
    }

    private LocalLatency localLatency() {
        return new LocalLatency(sources.brokerId(), KafkaMetrics.requestLatencies(sources.registry()));
    }

    CompletableFuture<Latencies> answer(Query query) {
        Map<Integer, CompletableFuture<Peers.Answer<LocalLatency>>> parts = new TreeMap<>();
        for (int id : new TreeSet<>(sources.cache().liveBrokers().keySet())) {
            parts.put(
                    id,
                    id == sources.brokerId()
                            ? CompletableFuture.completedFuture(Peers.Answer.of(localLatency()))
                            : peers.get(id, "/api/local/latency", Map.of(), LocalLatency.class));
        }
        if (!parts.containsKey(sources.brokerId())) { // this broker's own figures even while it is not registered
            parts.put(sources.brokerId(), CompletableFuture.completedFuture(Peers.Answer.of(localLatency())));
        }
        return CompletableFuture.allOf(parts.values().toArray(CompletableFuture[]::new))
                .thenApply(v -> merge(parts));
    }

    /** One row per API, one cell per broker (null where that broker has no figure), busiest API first. */
    private static Latencies merge(Map<Integer, CompletableFuture<Peers.Answer<LocalLatency>>> parts) {
        List<Integer> brokers = new ArrayList<>(parts.keySet());
        Map<String, KafkaMetrics.Latency[]> byRequest = new TreeMap<>();
        Map<String, Long> counts = new HashMap<>();
        List<String> unavailable = new ArrayList<>();
        for (int i = 0; i < brokers.size(); i++) {
            Peers.Answer<LocalLatency> a = parts.get(brokers.get(i)).join();
            if (!a.ok()) {
                unavailable.add(a.error());
                continue;
            }
            for (KafkaMetrics.Latency l : a.value().requests()) {
                byRequest.computeIfAbsent(l.request(), k -> new KafkaMetrics.Latency[brokers.size()])[i] = l;
                counts.merge(l.request(), l.count(), Long::sum);
            }
        }
        List<Row> rows = new ArrayList<>();
        byRequest.forEach((r, cells) -> rows.add(new Row(r, counts.get(r), Arrays.asList(cells))));
        rows.sort(Comparator.comparingLong(Row::count).reversed());
        return new Latencies(brokers, rows, unavailable);
    }
}
