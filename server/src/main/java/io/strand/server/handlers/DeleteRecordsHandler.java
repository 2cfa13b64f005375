package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.replica.Partition;
import io.strand.server.replica.ReplicaManager;
import io.strand.server.security.RequestAuthorization;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * DeleteRecords (kafka-delete-records, Admin.deleteRecords): the partition leader moves its log start
 * offset up to the given offset (-1 = the high watermark; never past it) and deletes the segments
 * wholly below; followers follow the leader's log start from their fetch responses. Answers with
 * the leader's new log start (the low watermark). A topic the principal may not DELETE is
 * TOPIC_AUTHORIZATION_FAILED on each partition, whether it exists or not.
 */
public record DeleteRecordsHandler(ReplicaManager replicas, MetadataCache cache, RequestAuthorization auth)
        implements ApiHandler<DeleteRecordsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_RECORDS;
    }

    @Override
    public CompletionStage<DeleteRecordsResponseData> handle(RequestContext ctx, DeleteRecordsRequestData request) {
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        Predicate<String> deletable = auth.allowedTopics(
                ctx, AclOperation.DELETE, request.topics(), DeleteRecordsRequestData.DeleteRecordsTopic::name);
        for (DeleteRecordsRequestData.DeleteRecordsTopic t : request.topics()) {
            DeleteRecordsResponseData.DeleteRecordsTopicResult tr =
                    new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(t.name());
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : t.partitions()) {
                tr.partitions()
                        .add(
                                deletable.test(t.name())
                                        ? delete(t.name(), p)
                                        : new DeleteRecordsResponseData.DeleteRecordsPartitionResult()
                                                .setPartitionIndex(p.partitionIndex())
                                                .setLowWatermark(-1)
                                                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
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
        LeaderLookup partition = LeaderLookup.find(replicas, cache, topic, p.partitionIndex());
        if (partition.failed()) {
            return out.setErrorCode(partition.error().code());
        }
        Partition leader = partition.leader();
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
