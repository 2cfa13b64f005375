package io.strand.server.http.status;

import io.strand.server.group.GroupCoordinator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /api/groups}: one page of every group in the cluster. A group lives on its coordinator (the leader of its
 * {@code __consumer_offsets} partition), so each live broker lists its own ({@code /api/local/groups}: in-process
 * from its group coordinator) and this broker merges them. Thread-safe (reads only).
 */
final class GroupsView {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    record GroupRow(String groupId, String type, String protocolType, String state, int coordinator) {}

    /** @param loading true while some of this broker's coordinator shards are still loading their groups */
    record LocalGroups(int brokerId, List<GroupRow> groups, boolean loading) {}

    record GroupsPage(
            int total, int offset, int limit, String filter, List<GroupRow> groups, List<String> unavailable) {}

    private final StatusSources sources;
    private final Peers peers;

    GroupsView(StatusSources sources, Peers peers) {
        this.sources = sources;
        this.peers = peers;
    }

    CompletableFuture<LocalGroups> local(Query query) {
        int self = sources.brokerId();
        return sources.groups()
                .listGroups()
                .thenApply(r -> new LocalGroups(
                        self,
                        r.groups().stream()
                                .map(g -> new GroupRow(
                                        g.groupId(), g.type().kafkaName(), g.protocolType(), g.state(), self))
                                .toList(),
                        r.error() == org.apache.kafka.common.protocol.Errors.COORDINATOR_LOAD_IN_PROGRESS));
    }

    CompletableFuture<GroupsPage> answer(Query query) {
        int offset = query.intIn("offset", 0, Integer.MAX_VALUE, 0);
        int limit = query.intIn("limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        String filter = query.optional("filter", "").trim();
        String needle = filter.toLowerCase(Locale.ROOT);
        List<CompletableFuture<Peers.Answer<LocalGroups>>> parts = new ArrayList<>();
        for (int id : sources.cache().liveBrokers().keySet()) {
            parts.add(
                    id == sources.brokerId()
                            ? local(query).thenApply(Peers.Answer::of)
                            : peers.get(id, "/api/local/groups", Map.of(), LocalGroups.class));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, GroupRow> all = new LinkedHashMap<>();
            List<String> unavailable = new ArrayList<>();
            for (CompletableFuture<Peers.Answer<LocalGroups>> f : parts) {
                Peers.Answer<LocalGroups> a = f.join();
                if (!a.ok()) {
                    unavailable.add(a.error());
                    continue;
                }
                if (a.value().loading()) {
                    unavailable.add("broker " + a.value().brokerId() + " is still loading some groups");
                }
                a.value().groups().forEach(g -> all.putIfAbsent(g.groupId(), g));
            }
            List<GroupRow> matching = all.values().stream()
                    .filter(g -> g.groupId().toLowerCase(Locale.ROOT).contains(needle))
                    .sorted(Comparator.comparing(GroupRow::groupId))
                    .toList();
            return new GroupsPage(
                    matching.size(), offset, limit, filter, Paging.page(matching, offset, limit), unavailable);
        });
    }

    /** The coordinator of {@code groupId}: the leader of its {@code __consumer_offsets} partition, or -1. */
    static int coordinatorOf(StatusSources sources, String groupId) {
        int partition = sources.groups().partitionFor(groupId);
        return sources.cache()
                .partition(new org.apache.kafka.common.TopicPartition(GroupCoordinator.OFFSETS_TOPIC, partition))
                .map(p -> p.leader())
                .orElse(-1);
    }
}
