package io.strand.server.http.status;

import io.strand.server.group.CommittedOffset;
import io.strand.server.group.GroupCoordinator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * {@code /api/group?id=g}: one group. Its state, members and committed offsets come from its coordinator's
 * in-process state ({@code /api/local/group} on the broker leading its {@code __consumer_offsets} partition, or
 * here when that is this broker); the lag of each committed partition is its high watermark, from the partition's
 * leader ({@link ReplicasView}), minus the committed offset. Share groups have no committed offsets (their
 * progress is each share partition's state) and show members only. Thread-safe (reads only).
 */
final class GroupView {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;
    static final int MAX_MEMBERS = 500;

    record Member(String memberId, String instanceId, String clientId, String clientHost, List<String> assignment) {}

    record Committed(String topic, int partition, long offset, String metadata, long commitTimestampMs) {}

    /** The group as its coordinator holds it; {@code membersTotal} may exceed the members listed. */
    record LocalGroup(
            int coordinator,
            String groupId,
            String type,
            String state,
            String protocolType,
            int membersTotal,
            List<Member> members,
            List<Committed> offsets) {}

    /** One committed partition; {@code highWatermark} and {@code lag} are null when the leader could not say. */
    record OffsetRow(String topic, int partition, long committed, Long highWatermark, Long lag, String error) {}

    record GroupPage(
            LocalGroup group, int offsetsTotal, int offset, int limit, Long pageLag, List<OffsetRow> offsets) {}

    private final StatusSources sources;
    private final Peers peers;
    private final ReplicasView replicas;

    GroupView(StatusSources sources, Peers peers, ReplicasView replicas) {
        this.sources = sources;
        this.peers = peers;
        this.replicas = replicas;
    }

    CompletableFuture<GroupPage> answer(Query query) {
        String id = query.required("id");
        int offset = query.intIn("offset", 0, Integer.MAX_VALUE, 0);
        int limit = query.intIn("limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        int coordinator = GroupsView.coordinatorOf(sources, id);
        if (coordinator < 0) {
            throw new StatusException(
                    503,
                    "group " + id + " has no live coordinator (its __consumer_offsets partition"
                            + " has no leader, or the topic does not exist yet)");
        }
        CompletableFuture<LocalGroup> group = coordinator == sources.brokerId()
                ? describe(id)
                : peers.get(coordinator, "/api/local/group", Map.of("id", id), LocalGroup.class)
                        .thenApply(a -> {
                            if (!a.ok()) {
                                throw new StatusException(502, a.error());
                            }
                            return a.value();
                        });
        return group.thenCompose(g -> withLag(g, offset, limit));
    }

    CompletableFuture<LocalGroup> local(Query query) {
        return describe(query.required("id"));
    }

    private CompletableFuture<LocalGroup> describe(String id) {
        GroupCoordinator groups = sources.groups();
        return groups.listGroups().thenCompose(list -> {
            GroupCoordinator.Listed listed = list.groups().stream()
                    .filter(g -> g.groupId().equals(id))
                    .findFirst()
                    .orElseThrow(() ->
                            StatusException.notFound("broker " + sources.brokerId() + " coordinates no group " + id));
            return switch (listed.type()) {
                case CLASSIC ->
                    groups.describeGroup(id)
                            .thenCombine(groups.fetchOffsets(id, null), (d, o) -> classic(listed, d, o));
                case CONSUMER ->
                    groups.serverAssigned()
                            .consumerGroupDescribe(id)
                            .thenCombine(groups.fetchOffsets(id, null), (d, o) -> consumer(listed, d, o));
                case SHARE -> groups.serverAssigned().shareGroupDescribe(id).thenApply(d -> share(listed, d));
            };
        });
    }

    private LocalGroup classic(
            GroupCoordinator.Listed listed,
            DescribeGroupsResponseData.DescribedGroup d,
            GroupCoordinator.OffsetsResult offsets) {
        List<Member> members = new ArrayList<>();
        for (DescribeGroupsResponseData.DescribedGroupMember m : first(d.members())) {
            members.add(new Member(
                    m.memberId(),
                    m.groupInstanceId(),
                    m.clientId(),
                    m.clientHost(),
                    "consumer".equals(d.protocolType()) ? classicAssignment(m.memberAssignment()) : List.of()));
        }
        return new LocalGroup(
                sources.brokerId(),
                listed.groupId(),
                listed.type().kafkaName(),
                d.errorCode() == Errors.NONE.code() ? d.groupState() : listed.state(),
                listed.protocolType(),
                d.members().size(),
                members,
                committed(offsets));
    }

    private LocalGroup consumer(
            GroupCoordinator.Listed listed,
            ConsumerGroupDescribeResponseData.DescribedGroup d,
            GroupCoordinator.OffsetsResult offsets) {
        List<Member> members = new ArrayList<>();
        for (ConsumerGroupDescribeResponseData.Member m : first(d.members())) {
            List<String> assigned = new ArrayList<>();
            if (m.assignment() != null) {
                m.assignment()
                        .topicPartitions()
                        .forEach(tp -> tp.partitions().forEach(p -> assigned.add(tp.topicName() + "-" + p)));
            }
            members.add(new Member(m.memberId(), m.instanceId(), m.clientId(), m.clientHost(), assigned));
        }
        return new LocalGroup(
                sources.brokerId(),
                listed.groupId(),
                listed.type().kafkaName(),
                d.errorCode() == Errors.NONE.code() ? d.groupState() : listed.state(),
                listed.protocolType(),
                d.members().size(),
                members,
                committed(offsets));
    }

    private LocalGroup share(GroupCoordinator.Listed listed, ShareGroupDescribeResponseData.DescribedGroup d) {
        List<Member> members = new ArrayList<>();
        for (ShareGroupDescribeResponseData.Member m : first(d.members())) {
            List<String> assigned = new ArrayList<>();
            if (m.assignment() != null) {
                m.assignment()
                        .topicPartitions()
                        .forEach(tp -> tp.partitions().forEach(p -> assigned.add(tp.topicName() + "-" + p)));
            }
            members.add(new Member(m.memberId(), null, m.clientId(), m.clientHost(), assigned));
        }
        return new LocalGroup(
                sources.brokerId(),
                listed.groupId(),
                listed.type().kafkaName(),
                d.errorCode() == Errors.NONE.code() ? d.groupState() : listed.state(),
                listed.protocolType(),
                d.members().size(),
                members,
                List.of());
    }

    private static <T> List<T> first(List<T> members) {
        return members.size() > MAX_MEMBERS ? members.subList(0, MAX_MEMBERS) : members;
    }

    private static List<String> classicAssignment(byte[] assignment) {
        if (assignment == null || assignment.length == 0) {
            return List.of();
        }
        try {
            return ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(assignment)).partitions().stream()
                    .map(TopicPartition::toString)
                    .sorted()
                    .toList();
        } catch (RuntimeException e) {
            return List.of("(assignment not in the consumer protocol's format)");
        }
    }

    private static List<Committed> committed(GroupCoordinator.OffsetsResult offsets) {
        if (offsets.error() != Errors.NONE || offsets.offsets() == null) {
            return List.of();
        }
        List<Committed> out = new ArrayList<>();
        for (Map.Entry<TopicPartition, CommittedOffset> e : offsets.offsets().entrySet()) {
            CommittedOffset c = e.getValue();
            if (c != null && c.offset() >= 0) {
                out.add(new Committed(
                        e.getKey().topic(), e.getKey().partition(), c.offset(), c.metadata(), c.commitTimestampMs()));
            }
        }
        out.sort(Comparator.comparing(Committed::topic).thenComparingInt(Committed::partition));
        return out;
    }

    /** Adds the high watermark and lag of the page's committed partitions, asking each partition's leader. */
    private CompletableFuture<GroupPage> withLag(LocalGroup g, int offset, int limit) {
        List<Committed> page = Paging.page(g.offsets(), offset, limit);
        Map<Integer, Map<String, TreeSet<Integer>>> byLeader = new TreeMap<>();
        for (Committed c : page) {
            int leader = sources.cache()
                    .partition(new TopicPartition(c.topic(), c.partition()))
                    .map(p -> p.leader())
                    .orElse(-1);
            if (leader >= 0) {
                byLeader.computeIfAbsent(leader, k -> new TreeMap<>())
                        .computeIfAbsent(c.topic(), k -> new TreeSet<>())
                        .add(c.partition());
            }
        }
        Map<TopicPartition, CompletableFuture<Peers.Answer<ReplicasView.Replicas>>> asked = new HashMap<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        byLeader.forEach((leader, topics) -> topics.forEach((topic, partitions) -> {
            CompletableFuture<Peers.Answer<ReplicasView.Replicas>> f = replicas.from(leader, topic, partitions);
            all.add(f);
            partitions.forEach(p -> asked.put(new TopicPartition(topic, p), f));
        }));
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<OffsetRow> rows = new ArrayList<>();
            long pageLag = 0;
            boolean complete = true;
            for (Committed c : page) {
                TopicPartition tp = new TopicPartition(c.topic(), c.partition());
                CompletableFuture<Peers.Answer<ReplicasView.Replicas>> f = asked.get(tp);
                Long hw = null;
                String error = f == null ? "no live leader" : null;
                if (f != null) {
                    Peers.Answer<ReplicasView.Replicas> a = f.join();
                    if (a.ok()) {
                        hw = a.value().replicas().stream()
                                .filter(r -> r.partition() == c.partition() && r.leader() && r.error() == null)
                                .map(ReplicasView.ReplicaOffsets::highWatermark)
                                .findFirst()
                                .orElse(null);
                        error = hw == null ? "the leader moved; try again" : null;
                    } else {
                        error = a.error();
                    }
                }
                Long lag = hw == null ? null : Math.max(0, hw - c.offset());
                if (lag == null) {
                    complete = false;
                } else {
                    pageLag += lag;
                }
                rows.add(new OffsetRow(c.topic(), c.partition(), c.offset(), hw, lag, error));
            }
            return new GroupPage(g, g.offsets().size(), offset, limit, complete ? pageLag : null, rows);
        });
    }
}
