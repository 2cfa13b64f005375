package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicView;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.replica.Partition;
import io.strand.server.replica.ReplicaManager;
import io.strand.server.security.RequestAuthorization;
import io.strand.wal.EpochEntry;
import io.strand.wal.PartitionLog;
import io.strand.wal.TimestampOffset;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * ListOffsets, answered by the partition leader: earliest (log start), latest (high watermark),
 * max timestamp, and the first offset at or after a timestamp. A consumer is never told an offset
 * at or beyond the high watermark. A topic the principal may not DESCRIBE is TOPIC_AUTHORIZATION_FAILED
 * on each partition, whether it exists or not.
 */
public record ListOffsetsHandler(ReplicaManager replicas, MetadataCache cache, RequestAuthorization auth)
        implements ApiHandler<ListOffsetsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_OFFSETS;
    }

    @Override
    public CompletionStage<ListOffsetsResponseData> handle(RequestContext ctx, ListOffsetsRequestData request) {
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        Predicate<String> describable = auth.allowedTopics(
                ctx, AclOperation.DESCRIBE, request.topics(), ListOffsetsRequestData.ListOffsetsTopic::name);
        for (ListOffsetsRequestData.ListOffsetsTopic t : request.topics()) {
            ListOffsetsTopicResponse tr = new ListOffsetsTopicResponse().setName(t.name());
            response.topics().add(tr);
            Optional<TopicView> topic = cache.topic(t.name());
            for (ListOffsetsRequestData.ListOffsetsPartition p : t.partitions()) {
                ListOffsetsPartitionResponse answer = !describable.test(t.name())
                        ? unanswered(p).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                        : answer(
                                topic,
                                t.name(),
                                p,
                                request.replicaId(),
                                ctx.apiVersion() >= 2
                                        && request.isolationLevel() == IsolationLevel.READ_COMMITTED.id());
                if (ctx.apiVersion() < 4) {
                    answer.setLeaderEpoch(-1); // not in the schema before v4
                }
                tr.partitions().add(answer);
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private ListOffsetsPartitionResponse answer(
            Optional<TopicView> topic,
            String name,
            ListOffsetsRequestData.ListOffsetsPartition p,
            int replicaId,
            boolean readCommitted) {
        ListOffsetsPartitionResponse out = unanswered(p);
        if (topic.isEmpty()
                || p.partitionIndex() < 0
                || p.partitionIndex() >= topic.get().partitionCount()) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        Optional<Partition> partition = replicas.partition(new TopicPartition(name, p.partitionIndex()));
        boolean anyReplica = replicaId == ListOffsetsRequest.DEBUGGING_REPLICA_ID;
        if (partition.isEmpty() || (!anyReplica && !partition.get().isLeader())) {
            return out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        }
        Partition part = partition.get();
        Errors epochError = anyReplica ? Errors.NONE : part.checkLeaderEpoch(p.currentLeaderEpoch());
        if (epochError != Errors.NONE) {
            return out.setErrorCode(epochError.code());
        }
        PartitionLog wal = part.log();
        // read_committed sees up to the last stable offset (Kafka's lastFetchableOffset)
        long hw = readCommitted ? part.lastStableOffset() : part.highWatermark();
        try {
            long ts = p.timestamp();
            if (ts == ListOffsetsRequest.EARLIEST_TIMESTAMP || ts == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
                long start = wal.logStartOffset();
                return out.setOffset(start).setLeaderEpoch(epochAt(wal, start));
            }
            if (ts == ListOffsetsRequest.LATEST_TIMESTAMP) {
                return out.setOffset(hw).setLeaderEpoch(epochAt(wal, hw - 1));
            }
            if (ts == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP
                    || ts == ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP) {
                return out; // nothing is tiered: -1
            }
            Optional<TimestampOffset> found =
                    ts == ListOffsetsRequest.MAX_TIMESTAMP ? wal.offsetOfMaxTimestamp() : wal.offsetForTimestamp(ts);
            if (found.isPresent() && found.get().offset() < hw) {
                return out.setTimestamp(found.get().timestamp())
                        .setOffset(found.get().offset())
                        .setLeaderEpoch(found.get().leaderEpoch());
            }
            return out;
        } catch (ApiException e) {
            return out.setErrorCode(Errors.forException(e).code());
        }
    }

    private static ListOffsetsPartitionResponse unanswered(ListOffsetsRequestData.ListOffsetsPartition p) {
        return new ListOffsetsPartitionResponse()
                .setPartitionIndex(p.partitionIndex())
                .setTimestamp(-1)
                .setOffset(-1)
                .setLeaderEpoch(-1);
    }

    /** The leader epoch of the batch holding {@code offset}, from the epoch cache; -1 if unknown. */
    static int epochAt(PartitionLog wal, long offset) {
        int epoch = -1;
        for (EpochEntry e : wal.epochEntries()) {
            if (e.startOffset() <= offset) {
                epoch = e.epoch();
            }
        }
        return epoch;
    }
}
