package io.strand.server.http.status;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.TopicView;
import io.strand.server.replica.Partition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.internals.Topic;

/**
 * {@code /api/topics}: one page of the topic table, by name, optionally filtered by a substring. Partitions, RF and
 * the health counts come from the metadata cache; size (the leaders' logs: one copy) and message rate (Kafka's
 * {@code MessagesInPerSec} per topic, counted where the partition's leader appends) are summed over every live
 * broker's {@code /api/local/topic-stats} for the page's topics. Thread-safe (reads only).
 */
final class TopicsView {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    /** What one broker holds of a topic: the bytes of the partitions it leads, and their message rate (null: none). */
    record Stat(long leaderBytes, Double messagesInPerSec) {}

    record TopicStats(int brokerId, Map<String, Stat> topics) {}

    record TopicRow(
            String name,
            String topicId,
            int partitions,
            int replicationFactor,
            int underReplicated,
            int underMinIsr,
            int offline,
            boolean internal,
            boolean deleting,
            Long sizeBytes,
            Double messagesInPerSec) {}

    /** @param unavailable why some brokers' sizes and rates are missing (empty when every live broker answered) */
    record TopicsPage(
            int total, int offset, int limit, String filter, List<TopicRow> topics, List<String> unavailable) {}

    private final StatusSources sources;
    private final Peers peers;

    TopicsView(StatusSources sources, Peers peers) {
        this.sources = sources;
        this.peers = peers;
    }

    /** {@code /api/local/topic-stats?topics=a,b}: this broker's part of the named topics. */
    CompletableFuture<TopicStats> local(Query query) {
        return CompletableFuture.completedFuture(
                stats(new LinkedHashSet<>(Arrays.asList(query.required("topics").split(",")))));
    }

    TopicStats stats(Set<String> topics) {
        Map<String, Long> bytes = new HashMap<>();
        for (Partition p : sources.replicas().partitions()) {
            String topic = p.topicPartition().topic();
            if (p.isLeader() && topics.contains(topic)) {
                bytes.merge(topic, p.log().sizeInBytes(), Long::sum);
            }
        }
        Map<String, Stat> out = new HashMap<>();
        for (String t : topics) {
            Double rate = KafkaMetrics.messagesInPerSec(sources.registry(), t);
            Long b = bytes.get(t);
            if (b != null || rate != null) {
                out.put(t, new Stat(b == null ? 0 : b, rate));
            }
        }
        return new TopicStats(sources.brokerId(), out);
    }

    CompletableFuture<TopicsPage> answer(Query query) {
        int offset = query.intIn("offset", 0, Integer.MAX_VALUE, 0);
        int limit = query.intIn("limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        String filter = query.optional("filter", "").trim();
        String needle = filter.toLowerCase(Locale.ROOT);
        MetadataCache cache = sources.cache();
        List<TopicView> matching = cache.topics().stream()
                .filter(t -> t.name().toLowerCase(Locale.ROOT).contains(needle))
                .sorted(Comparator.comparing(TopicView::name))
                .toList();
        List<TopicView> page = Paging.page(matching, offset, limit);
        Set<String> names = new LinkedHashSet<>();
        page.forEach(t -> names.add(t.name()));

        List<CompletableFuture<Peers.Answer<TopicStats>>> parts = new ArrayList<>();
        if (!names.isEmpty()) {
            for (int id : cache.liveBrokers().keySet()) {
                parts.add(
                        id == sources.brokerId()
                                ? CompletableFuture.completedFuture(Peers.Answer.of(stats(names)))
                                : peers.get(
                                        id,
                                        "/api/local/topic-stats",
                                        Map.of("topics", String.join(",", names)),
                                        TopicStats.class));
            }
        }
        Set<String> deleting = cache.deletionsRequested();
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, Long> size = new HashMap<>();
            Map<String, Double> rate = new HashMap<>();
            List<String> unavailable = new ArrayList<>();
            for (CompletableFuture<Peers.Answer<TopicStats>> f : parts) {
                Peers.Answer<TopicStats> a = f.join();
                if (!a.ok()) {
                    unavailable.add(a.error());
                    continue;
                }
                a.value().topics().forEach((t, s) -> {
                    size.merge(t, s.leaderBytes(), Long::sum);
                    if (s.messagesInPerSec() != null) {
                        rate.merge(t, s.messagesInPerSec(), Double::sum);
                    }
                });
            }
            List<TopicRow> rows = new ArrayList<>();
            for (TopicView t : page) {
                rows.add(row(t, deleting.contains(t.name()), size.get(t.name()), rate.get(t.name())));
            }
            return new TopicsPage(matching.size(), offset, limit, filter, rows, unavailable);
        });
    }

    private TopicRow row(TopicView t, boolean deleting, Long size, Double rate) {
        int minIsr = PartitionHealth.minInsyncReplicas(sources.config(), t);
        int under = 0;
        int underMin = 0;
        int offline = 0;
        for (PartitionInfo p : t.partitionsSnapshot()) {
            under += PartitionHealth.underReplicated(p) ? 1 : 0;
            underMin += PartitionHealth.underMinIsr(p, minIsr) ? 1 : 0;
            offline += PartitionHealth.offline(p, sources.cache()) ? 1 : 0;
        }
        return new TopicRow(
                t.name(),
                t.topicId() == null ? "" : t.topicId().toString(),
                t.partitionCount(),
                PartitionHealth.replicationFactor(t),
                under,
                underMin,
                offline,
                Topic.isInternal(t.name()),
                deleting,
                size,
                rate);
    }
}
