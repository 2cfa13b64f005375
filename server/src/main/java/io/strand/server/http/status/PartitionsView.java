package io.strand.server.http.status;

import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.TopicView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /api/topic?name=t}: one topic and one page of its partitions. Leader, leader epoch, replicas and ISR come
 * from the metadata cache; each replica's log start offset, high watermark, log end offset and size from the
 * broker that holds it ({@link ReplicasView}: in-process here, else that broker's {@code /api/local/replicas},
 * one request per broker for the whole page). Thread-safe (reads only).
 */
final class PartitionsView {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;

    /** One replica: its offsets as its broker reports them, or why they are missing. */
    record ReplicaRow(int broker, boolean live, boolean inSync, ReplicasView.ReplicaOffsets offsets, String error) {}

    record PartitionRow(
            int partition,
            int leader,
            int leaderEpoch,
            List<Integer> replicas,
            List<Integer> isr,
            boolean offline,
            boolean underReplicated,
            boolean underMinIsr,
            List<ReplicaRow> replicaStates) {}

    record TopicPage(
            String name,
            String topicId,
            int partitions,
            int replicationFactor,
            int minInsyncReplicas,
            Map<String, String> configs,
            boolean deleting,
            int offset,
            int limit,
            List<PartitionRow> rows) {}

    private final StatusSources sources;
    private final ReplicasView replicas;

    PartitionsView(StatusSources sources, ReplicasView replicas) {
        this.sources = sources;
        this.replicas = replicas;
    }

    CompletableFuture<TopicPage> answer(Query query) {
        String name = query.required("name");
        int offset = query.intIn("offset", 0, Integer.MAX_VALUE, 0);
        int limit = query.intIn("limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        TopicView topic = sources.cache().topic(name).orElseThrow(() -> StatusException.notFound("no topic " + name));
        List<Integer> page = Paging.page(new ArrayList<>(topic.replicas().keySet()), offset, limit);

        Map<Integer, TreeSet<Integer>> byBroker = new TreeMap<>();
        for (int p : page) {
            for (int b : replicasOf(topic, p)) {
                byBroker.computeIfAbsent(b, k -> new TreeSet<>()).add(p);
            }
        }
        Map<Integer, CompletableFuture<Peers.Answer<ReplicasView.Replicas>>> asked = new HashMap<>();
        byBroker.forEach((b, ps) -> asked.put(b, replicas.from(b, name, ps)));
        int minIsr = PartitionHealth.minInsyncReplicas(sources.config(), topic);
        boolean deleting = sources.cache().deletionsRequested().contains(name);
        return CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new))
                .thenApply(v -> {
                    Map<Integer, Peers.Answer<ReplicasView.Replicas>> answers = new HashMap<>();
                    asked.forEach((b, f) -> answers.put(b, f.join()));
                    List<PartitionRow> rows = new ArrayList<>();
                    for (int p : page) {
                        rows.add(row(topic, p, minIsr, answers));
                    }
                    return new TopicPage(
                            name,
                            topic.topicId() == null ? "" : topic.topicId().toString(),
                            topic.partitionCount(),
                            PartitionHealth.replicationFactor(topic),
                            minIsr,
                            new TreeMap<>(topic.configs()),
                            deleting,
                            offset,
                            limit,
                            rows);
                });
    }

    private static List<Integer> replicasOf(TopicView topic, int partition) {
        return topic.partition(partition)
                .map(PartitionInfo::replicas)
                .orElse(topic.replicas().getOrDefault(partition, List.of()));
    }

    private PartitionRow row(
            TopicView topic, int p, int minIsr, Map<Integer, Peers.Answer<ReplicasView.Replicas>> answers) {
        Optional<PartitionInfo> info = topic.partition(p);
        List<Integer> isr = info.map(PartitionInfo::isr).orElse(List.of());
        List<ReplicaRow> states = new ArrayList<>();
        for (int b : replicasOf(topic, p)) {
            Peers.Answer<ReplicasView.Replicas> a = answers.get(b);
            boolean live = sources.cache().isLive(b);
            if (a == null || !a.ok()) {
                states.add(new ReplicaRow(b, live, isr.contains(b), null, a == null ? "not asked" : a.error()));
                continue;
            }
            ReplicasView.ReplicaOffsets offsets = a.value().replicas().stream()
                    .filter(r -> r.partition() == p)
                    .findFirst()
                    .orElse(null);
            states.add(new ReplicaRow(
                    b, live, isr.contains(b), offsets, offsets == null ? "broker " + b + " has no replica yet" : null));
        }
        if (info.isEmpty()) {
            return new PartitionRow(
                    p, -1, -1, replicasOf(topic, p), isr, true, false, false, states); // state not loaded yet
        }
        PartitionInfo i = info.get();
        return new PartitionRow(
                p,
                i.leader(),
                i.leaderEpoch(),
                i.replicas(),
                isr,
                PartitionHealth.offline(i, sources.cache()),
                PartitionHealth.underReplicated(i),
                PartitionHealth.underMinIsr(i, minIsr),
                states);
    }
}
