package io.strand.server.http.status;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.strand.server.http.BrokerHttpServer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.utils.internals.ThreadUtils;

/**
 * Registers the status page on a broker's HTTP listener: the HTML views under {@code /} and their JSON under
 * {@code /api/} (everything but {@code /metrics}). Read-only: GET and HEAD only, and nothing it calls changes the
 * broker.
 *
 * <ul>
 *   <li>{@code /api/cluster}, {@code /api/topics}, {@code /api/topic}, {@code /api/groups}, {@code /api/group},
 *       {@code /api/peek}, {@code /api/latency}: what the pages show, cluster-wide;
 *   <li>{@code /api/local/disk}, {@code /api/local/topic-stats}, {@code /api/local/replicas},
 *       {@code /api/local/groups}, {@code /api/local/group}, {@code /api/local/peek}, {@code /api/local/latency}:
 *       what only this broker knows, for the other brokers' pages;
 *   <li>{@code /api/local/ack-latency}: this broker's acks=all latency breakdown ({@code AckLatency}) since the
 *       previous request to it, for benchmarks (each request starts a new interval).
 * </ul>
 */
public final class StatusPage {
    private StatusPage() {}

    /**
     * Adds the routes to {@code http}; the returned handle stops the page's two responder threads (close it when the
     * broker stops).
     */
    public static AutoCloseable register(BrokerHttpServer http, StatusSources sources) {
        ExecutorService responders = Executors.newFixedThreadPool(
                2, ThreadUtils.createThreadFactory("strand-status-page-" + sources.brokerId() + "-%d", true));
        Gson gson = new GsonBuilder().create(); // HTML-safe: <, >, &, = and quote as unicode escapes
        Peers peers = new Peers(sources.cache(), gson);
        DiskView disk = new DiskView(sources);
        ReplicasView replicas = new ReplicasView(sources, peers);
        TopicsView topics = new TopicsView(sources, peers);
        GroupsView groups = new GroupsView(sources, peers);
        GroupView group = new GroupView(sources, peers, replicas);
        PeekView peek = new PeekView(sources, peers);
        LatencyView latency = new LatencyView(sources, peers);
        http.route(
                "/api/",
                new ApiRoutes(gson, responders)
                        .add("/api/cluster", new ClusterView(sources, disk, peers)::answer)
                        .add("/api/topics", topics::answer)
                        .add("/api/topic", new PartitionsView(sources, replicas)::answer)
                        .add("/api/groups", groups::answer)
                        .add("/api/group", group::answer)
                        .add("/api/peek", peek::answer)
                        .add("/api/latency", latency::answer)
                        .add("/api/local/disk", disk::local)
                        .add("/api/local/topic-stats", topics::local)
                        .add("/api/local/replicas", replicas::local)
                        .add("/api/local/groups", groups::local)
                        .add("/api/local/group", group::local)
                        .add("/api/local/peek", peek::local)
                        .add("/api/local/latency", latency::local)
                        .add(
                                "/api/local/ack-latency",
                                query -> CompletableFuture.completedFuture(
                                        sources.replicas().ackLatency().takeInterval())));
        http.route("/", new Pages(sources.brokerId()));
        return responders::shutdownNow;
    }
}
