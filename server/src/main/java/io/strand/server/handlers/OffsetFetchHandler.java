package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicView;
import io.strand.server.group.CommittedOffset;
import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * OffsetFetch: committed offsets of the named partitions (-1 where none), or of every partition with
 * one when the topics are null (v2+). One group before v8, a batch of groups from v8 (each with its
 * own error); topics by id from v10. A group-level error goes per partition in v1, top-level in
 * v2-v7 and per group from v8.
 *
 * <p>Authorization as Kafka's: each group needs DESCRIBE (else GROUP_AUTHORIZATION_FAILED as the
 * group's error); a topic asked for that the principal may not DESCRIBE is TOPIC_AUTHORIZATION_FAILED
 * on its partitions, and with all topics asked for such topics are left out.
 */
public record OffsetFetchHandler(GroupCoordinator groups, MetadataCache cache, RequestAuthorization auth)
        implements ApiHandler<OffsetFetchRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FETCH;
    }

    /** One requested topic: its name (resolved from the id from v10) and partitions; a null name = unknown id. */
    private record Wanted(String name, Uuid topicId, List<Integer> partitions) {}

    /** One group's answer; {@code describable}: the topics whose offsets the principal may see. */
    private record GroupAnswer(
            String groupId,
            List<Wanted> wanted,
            GroupCoordinator.OffsetsResult result,
            boolean requireStable,
            Predicate<String> describable) {
        /** KIP-447: a partition with an offset pending in an open transaction is not answered while stable offsets are required. */
        boolean unstable(TopicPartition tp) {
            return requireStable && result.unstable().contains(tp);
        }
    }

    @Override
    public CompletionStage<OffsetFetchResponseData> handle(RequestContext ctx, OffsetFetchRequestData request) {
        short version = ctx.apiVersion();
        boolean byId = version >= 10;
        boolean requireStable = version >= 7 && request.requireStable();
        List<CompletableFuture<GroupAnswer>> answers = new ArrayList<>();
        if (version >= 8) {
            for (OffsetFetchRequestData.OffsetFetchRequestGroup g : request.groups()) {
                List<Wanted> wanted = null;
                if (g.topics() != null) {
                    wanted = new ArrayList<>();
                    for (OffsetFetchRequestData.OffsetFetchRequestTopics t : g.topics()) {
                        String name = byId
                                ? cache.topic(t.topicId()).map(TopicView::name).orElse(null)
                                : t.name();
                        wanted.add(new Wanted(name, t.topicId(), t.partitionIndexes()));
                    }
                }
                // v9+: a KIP-848 member names itself; its epoch is checked (STALE_MEMBER_EPOCH)
                answers.add(fetch(
                        ctx,
                        g.groupId(),
                        wanted,
                        requireStable,
                        version >= 9 ? g.memberId() : null,
                        version >= 9 ? g.memberEpoch() : -1));
            }
        } else {
            List<Wanted> wanted = null;
            if (request.topics() != null) {
                wanted = new ArrayList<>();
                for (OffsetFetchRequestData.OffsetFetchRequestTopic t : request.topics()) {
                    wanted.add(new Wanted(t.name(), Uuid.ZERO_UUID, t.partitionIndexes()));
                }
            }
            answers.add(fetch(ctx, request.groupId(), wanted, requireStable, null, -1));
        }
        return Batches.allInOrder(answers).thenApply(answered -> {
            OffsetFetchResponseData response = new OffsetFetchResponseData();
            if (version >= 8) {
                answered.forEach(a -> response.groups().add(group(a, byId)));
            } else {
                legacy(answered.get(0), version, response);
            }
            return response;
        });
    }

    private CompletableFuture<GroupAnswer> fetch(
            RequestContext ctx,
            String groupId,
            List<Wanted> wanted,
            boolean requireStable,
            String memberId,
            int memberEpoch) {
        if (!auth.allowed(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) {
            GroupCoordinator.OffsetsResult refused =
                    new GroupCoordinator.OffsetsResult(Errors.GROUP_AUTHORIZATION_FAILED, Map.of());
            return CompletableFuture.completedFuture(
                    new GroupAnswer(groupId, wanted, refused, requireStable, name -> false));
        }
        List<TopicPartition> partitions = null;
        Predicate<String> describable = null;
        if (wanted != null) {
            describable = auth.allowedTopics(ctx, AclOperation.DESCRIBE, wanted, Wanted::name);
            partitions = new ArrayList<>();
            for (Wanted w : wanted) {
                if (w.name() != null && describable.test(w.name())) {
                    for (int p : w.partitions()) {
                        partitions.add(new TopicPartition(w.name(), p));
                    }
                }
            }
        }
        Predicate<String> asked = describable;
        return groups.fetchOffsets(groupId, partitions, memberId, memberEpoch)
                .thenApply(r -> new GroupAnswer(
                        groupId,
                        wanted,
                        r,
                        requireStable,
                        asked != null
                                ? asked
                                : auth.allowedTopics(
                                        ctx, AclOperation.DESCRIBE, r.offsets().keySet(), TopicPartition::topic)));
    }

    private OffsetFetchResponseGroup group(GroupAnswer a, boolean byId) {
        OffsetFetchResponseGroup g = new OffsetFetchResponseGroup()
                .setGroupId(a.groupId())
                .setErrorCode(a.result().error().code());
        if (a.result().error() != Errors.NONE) {
            return g;
        }
        for (Map.Entry<Wanted, List<OffsetFetchResponsePartitions>> e :
                answered(a, byId).entrySet()) {
            g.topics()
                    .add(new OffsetFetchResponseTopics()
                            .setName(e.getKey().name())
                            .setTopicId(e.getKey().topicId())
                            .setPartitions(e.getValue()));
        }
        return g;
    }

    /** Per topic the partitions answered, in request order (or topic order for "all"). */
    private Map<Wanted, List<OffsetFetchResponsePartitions>> answered(GroupAnswer a, boolean byId) {
        Map<Wanted, List<OffsetFetchResponsePartitions>> out = new LinkedHashMap<>();
        Map<TopicPartition, CommittedOffset> offsets = a.result().offsets();
        if (a.wanted() == null) {
            Map<String, Wanted> byName = new LinkedHashMap<>();
            for (Map.Entry<TopicPartition, CommittedOffset> e : offsets.entrySet()) {
                String topic = e.getKey().topic();
                if (!a.describable().test(topic)) {
                    continue; // offsets of topics it may not see are left out
                }
                Optional<TopicView> view = cache.topic(topic);
                if (byId && view.isEmpty()) {
                    continue; // a topic deleted since: it has no id to answer with
                }
                Wanted w = byName.computeIfAbsent(
                        topic, t -> new Wanted(t, view.map(TopicView::topicId).orElse(Uuid.ZERO_UUID), List.of()));
                out.computeIfAbsent(w, x -> new ArrayList<>())
                        .add(
                                a.unstable(e.getKey())
                                        ? partition(e.getKey().partition(), null, Errors.UNSTABLE_OFFSET_COMMIT)
                                        : partition(e.getKey().partition(), e.getValue(), Errors.NONE));
            }
            return out;
        }
        for (Wanted w : a.wanted()) {
            List<OffsetFetchResponsePartitions> parts = new ArrayList<>();
            for (int p : w.partitions()) {
                if (w.name() == null) {
                    parts.add(partition(p, null, Errors.UNKNOWN_TOPIC_ID));
                } else if (!a.describable().test(w.name())) {
                    parts.add(partition(p, null, Errors.TOPIC_AUTHORIZATION_FAILED));
                } else if (a.unstable(new TopicPartition(w.name(), p))) {
                    parts.add(partition(p, null, Errors.UNSTABLE_OFFSET_COMMIT));
                } else {
                    parts.add(partition(p, offsets.get(new TopicPartition(w.name(), p)), Errors.NONE));
                }
            }
            out.put(w, parts);
        }
        return out;
    }

    private static OffsetFetchResponsePartitions partition(int index, CommittedOffset o, Errors error) {
        return new OffsetFetchResponsePartitions()
                .setPartitionIndex(index)
                .setErrorCode(error.code())
                .setCommittedOffset(o == null ? -1 : o.offset())
                .setCommittedLeaderEpoch(o == null ? -1 : o.leaderEpoch())
                .setMetadata(o == null ? "" : o.metadata());
    }

    private void legacy(GroupAnswer a, short version, OffsetFetchResponseData response) {
        Errors error = a.result().error();
        response.setErrorCode(error.code());
        if (error != Errors.NONE) {
            if (version < 2 && a.wanted() != null) {
                // v1 has no top-level error: every partition carries it
                for (Wanted w : a.wanted()) {
                    OffsetFetchResponseTopic t = new OffsetFetchResponseTopic().setName(w.name());
                    w.partitions()
                            .forEach(p -> t.partitions()
                                    .add(new OffsetFetchResponsePartition()
                                            .setPartitionIndex(p)
                                            .setCommittedOffset(-1)
                                            .setMetadata("")
                                            .setErrorCode(error.code())));
                    response.topics().add(t);
                }
            }
            return;
        }
        for (Map.Entry<Wanted, List<OffsetFetchResponsePartitions>> e :
                answered(a, false).entrySet()) {
            OffsetFetchResponseTopic t =
                    new OffsetFetchResponseTopic().setName(e.getKey().name());
            for (OffsetFetchResponsePartitions p : e.getValue()) {
                t.partitions()
                        .add(new OffsetFetchResponsePartition()
                                .setPartitionIndex(p.partitionIndex())
                                .setCommittedOffset(p.committedOffset())
                                .setCommittedLeaderEpoch(p.committedLeaderEpoch())
                                .setMetadata(p.metadata())
                                .setErrorCode(p.errorCode()));
            }
            response.topics().add(t);
        }
    }
}
