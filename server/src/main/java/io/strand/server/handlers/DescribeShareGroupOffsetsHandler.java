package io.strand.server.handlers;

import io.strand.coordinator.TopicView;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.share.ShareGroupOffsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeShareGroupOffsets ({@code kafka-share-groups --describe}): per group and partition the share
 * start offset from the share coordinator (-1 when the group has no state there), its leader epoch and
 * (v1) the lag (-1 when the leader's high watermark cannot be had). Without a topic list: every
 * partition of the topics the group coordinator says the group has read. An unknown topic is
 * UNKNOWN_TOPIC_OR_PARTITION on each of its partitions.
 *
 * <p>Authorization as Kafka's: each group needs DESCRIBE (else GROUP_AUTHORIZATION_FAILED as its
 * error); a topic asked for that the principal may not DESCRIBE is TOPIC_AUTHORIZATION_FAILED on its
 * partitions, and with every topic asked for such topics are left out.
 */
public record DescribeShareGroupOffsetsHandler(ShareGroupOffsets offsets, RequestAuthorization auth)
        implements ApiHandler<DescribeShareGroupOffsetsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS;
    }

    @Override
    public CompletionStage<DescribeShareGroupOffsetsResponseData> handle(
            RequestContext ctx, DescribeShareGroupOffsetsRequestData request) {
        List<CompletableFuture<DescribeShareGroupOffsetsResponseGroup>> groups = new ArrayList<>();
        for (var g : request.groups()) {
            groups.add(describe(ctx, g));
        }
        return Batches.allInOrder(groups).thenApply(gs -> new DescribeShareGroupOffsetsResponseData().setGroups(gs));
    }

    private CompletableFuture<DescribeShareGroupOffsetsResponseGroup> describe(
            RequestContext ctx, DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup g) {
        DescribeShareGroupOffsetsResponseGroup out =
                new DescribeShareGroupOffsetsResponseGroup().setGroupId(g.groupId());
        if (!auth.allowed(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId())) {
            return CompletableFuture.completedFuture(out.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
        }
        if (g.groupId() == null || g.groupId().isEmpty()) {
            return CompletableFuture.completedFuture(out.setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        if (g.topics() != null) {
            Predicate<String> describable = auth.allowedTopics(
                    ctx,
                    AclOperation.DESCRIBE,
                    g.topics(),
                    DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic::topicName);
            return describe(g, g.topics(), describable, out);
        }
        return offsets.topicsOf(g.groupId()).thenCompose(read -> {
            Predicate<String> describable = auth.allowedTopics(ctx, AclOperation.DESCRIBE, read, name -> name);
            return describe(g, everyPartition(read, describable), name -> true, out);
        });
    }

    /** Every partition of each of {@code names} that exists and the principal may describe. */
    private List<DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic> everyPartition(
            java.util.Set<String> names, Predicate<String> describable) {
        List<DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic> wanted = new ArrayList<>();
        for (String name : new java.util.TreeSet<>(names)) {
            Optional<TopicView> v = describable.test(name) ? offsets.topic(name) : Optional.empty();
            if (v.isPresent()) {
                List<Integer> all = new ArrayList<>();
                for (int p = 0; p < v.get().partitionCount(); p++) {
                    all.add(p);
                }
                wanted.add(new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic()
                        .setTopicName(name)
                        .setPartitions(all));
            }
        }
        return wanted;
    }

    private CompletableFuture<DescribeShareGroupOffsetsResponseGroup> describe(
            DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup g,
            List<DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic> wanted,
            Predicate<String> describable,
            DescribeShareGroupOffsetsResponseGroup out) {
        List<CompletableFuture<DescribeShareGroupOffsetsResponseTopic>> topics = new ArrayList<>();
        for (var t : wanted) {
            boolean denied = !describable.test(t.topicName()); // answered without its id
            Optional<TopicView> view = denied ? Optional.empty() : offsets.topic(t.topicName());
            List<CompletableFuture<DescribeShareGroupOffsetsResponsePartition>> parts = new ArrayList<>();
            for (int p : t.partitions()) {
                DescribeShareGroupOffsetsResponsePartition rp =
                        new DescribeShareGroupOffsetsResponsePartition().setPartitionIndex(p);
                if (view.isEmpty()) {
                    Errors e = denied ? Errors.TOPIC_AUTHORIZATION_FAILED : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    parts.add(CompletableFuture.completedFuture(rp.setStartOffset(-1)
                            .setLeaderEpoch(-1)
                            .setLag(-1)
                            .setErrorCode(e.code())
                            .setErrorMessage(e.message())));
                    continue;
                }
                parts.add(offsets.describe(g.groupId(), view.get(), p)
                        .thenApply(o -> rp.setStartOffset(o.startOffset())
                                .setLeaderEpoch(o.leaderEpoch())
                                .setLag(o.lag())
                                .setErrorCode(o.error().code())
                                .setErrorMessage(
                                        o.error() == Errors.NONE
                                                ? null
                                                : o.error().message())));
            }
            Uuid id = view.map(TopicView::topicId).orElse(Uuid.ZERO_UUID);
            topics.add(Batches.allInOrder(parts)
                    .thenApply(ps -> new DescribeShareGroupOffsetsResponseTopic()
                            .setTopicName(t.topicName())
                            .setTopicId(id)
                            .setPartitions(ps)));
        }
        return Batches.allInOrder(topics).thenApply(out::setTopics);
    }
}
