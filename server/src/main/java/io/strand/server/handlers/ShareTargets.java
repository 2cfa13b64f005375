package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.TopicView;
import io.strand.coordinator.proto.Endpoint;
import io.strand.server.network.RequestContext;
import io.strand.server.replica.Partition;
import io.strand.server.replica.ReplicaManager;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.share.SharePartition;
import io.strand.server.share.SharePartitionManager;
import io.strand.server.share.ShareSessions.SessionPartition;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.Errors;

/**
 * What ShareFetch and ShareAcknowledge share: a requested (topic id, partition) resolved to this
 * broker's leader replica and its share partition, or the per-partition error (UNKNOWN_TOPIC_ID,
 * UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER with the current leader; TOPIC_AUTHORIZATION_FAILED
 * for a topic the principal may not READ), and the conversion of acknowledgement batches.
 */
final class ShareTargets {
    private ShareTargets() {}

    /** A requested partition: its leader replica here, or why not. */
    record Target(
            SessionPartition key, TopicPartition tp, Partition leader, Errors error, int leaderId, int leaderEpoch) {
        boolean ok() {
            return error == Errors.NONE;
        }
    }

    /** The topics among {@code partitions} the principal may READ, decided in one authorizer call. */
    static Predicate<String> readable(
            RequestAuthorization auth,
            RequestContext ctx,
            MetadataCache cache,
            Collection<SessionPartition> partitions) {
        return auth.allowedTopics(
                ctx,
                AclOperation.READ,
                partitions,
                sp -> cache.topic(sp.topicId()).map(TopicView::name).orElse(null));
    }

    static Target resolve(
            ReplicaManager replicas, MetadataCache cache, SessionPartition sp, Predicate<String> readable) {
        Optional<TopicView> view = cache.topic(sp.topicId());
        if (view.isEmpty()) {
            return new Target(sp, null, null, Errors.UNKNOWN_TOPIC_ID, -1, -1);
        }
        if (!readable.test(view.get().name())) {
            return new Target(sp, null, null, Errors.TOPIC_AUTHORIZATION_FAILED, -1, -1);
        }
        if (sp.partition() < 0 || sp.partition() >= view.get().partitionCount()) {
            return new Target(sp, null, null, Errors.UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
        }
        TopicPartition tp = new TopicPartition(view.get().name(), sp.partition());
        Optional<Partition> p = replicas.partition(tp);
        if (p.isEmpty() || !p.get().isLeader()) {
            Optional<PartitionInfo> info = cache.partition(tp);
            return new Target(
                    sp,
                    tp,
                    null,
                    Errors.NOT_LEADER_OR_FOLLOWER,
                    info.map(PartitionInfo::leader).orElse(-1),
                    info.map(PartitionInfo::leaderEpoch).orElse(-1));
        }
        return new Target(
                sp, tp, p.get(), Errors.NONE, p.get().leaderId(), p.get().leaderEpoch());
    }

    /** The share partition of a resolved target, or the error its initialisation failed with. */
    static CompletableFuture<SharePartition> sharePartition(SharePartitionManager shares, String groupId, Target t) {
        return shares.get(groupId, t.leader());
    }

    /** The error of a failed share-partition future. */
    static Errors errorOf(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof SharePartitionManager.InitFailed f) {
            return switch (f.error) {
                case NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS ->
                    Errors.COORDINATOR_NOT_AVAILABLE;
                case FENCED_LEADER_EPOCH -> Errors.NOT_LEADER_OR_FOLLOWER;
                default -> f.error;
            };
        }
        return Errors.forException(c);
    }

    /** The endpoint of broker {@code id} on {@code listener}, for a response's node endpoints. */
    static Optional<Endpoint> endpoint(MetadataCache cache, int id, String listener) {
        return id < 0 ? Optional.empty() : cache.broker(id).flatMap(b -> MetadataAnswers.endpointFor(b, listener));
    }

    static Optional<String> rackOf(MetadataCache cache, int id) {
        return cache.broker(id).map(b -> b.getRack()).filter(r -> !r.isEmpty());
    }

    static SharePartition.AckBatch ack(long first, long last, List<Byte> types) {
        return new SharePartition.AckBatch(first, last, types);
    }
}
