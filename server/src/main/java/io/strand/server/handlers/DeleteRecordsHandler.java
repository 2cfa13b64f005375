package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.replica.Partition;
import io.strand.server.replica.ReplicaManager;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * DeleteRecords (kafka-delete-records, Admin.deleteRecords): the partition leader moves its log start
 * offset up to the given offset (-1 = the high watermark; never past it) and deletes the segments
 * wholly below; followers follow the leader's log start from their fetch responses. Answers with
 * the leader's new log start (the low watermark).
 */
public final class DeleteRecordsHandler implements ApiHandler<DeleteRecordsRequestData> {
    private final ReplicaManager replicas;
    private final MetadataCache cache;

    public DeleteRecordsHandler(ReplicaManager replicas, MetadataCache cache) {
        this.replicas = replicas;
        this.cache = cache;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_RECORDS;
    }

    @Override
    public CompletionStage<DeleteRecordsResponseData> handle(RequestContext ctx, DeleteRecordsRequestData request) {
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        for (DeleteRecordsRequestData.DeleteRecordsTopic t : request.topics()) {
            DeleteRecordsResponseData.DeleteRecordsTopicResult tr =
                    new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(t.name());
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : t.partitions()) {
                tr.partitions().add(delete(t.name(), p));
            }
            response.topics().add(tr);
        }
        return CompletableFuture.completedFuture(response);
    }

    private DeleteRecordsResponseData.DeleteRecordsPartitionResult delete(
            String topic, DeleteRecordsRequestData.DeleteRecordsPartition p) {
        DeleteRecordsResponseData.DeleteRecordsPartitionResult out =
                new DeleteRecordsResponseData.DeleteRecordsPartitionResult()
                        .setPartitionIndex(p.partitionIndex())
                        .setLowWatermark(-1);
        if (cache.topic(topic).isEmpty()) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        Optional<Partition> partition = replicas.partition(new TopicPartition(topic, p.partitionIndex()));
        if (partition.isEmpty() || !partition.get().isLeader()) {
            return out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        }
        Partition leader = partition.get();
        long offset = p.offset() == -1 ? leader.highWatermark() : p.offset();
        if (offset < 0) {
            return out.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
        }
        try {
            leader.log().deleteRecordsBefore(offset);
            return out.setErrorCode(Errors.NONE.code())
                    .setLowWatermark(leader.log().logStartOffset());
        } catch (ApiException e) {
            return out.setErrorCode(Errors.forException(e).code());
        }
    }
}
