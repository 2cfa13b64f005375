package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.replica.Partition;
import io.strand.server.replica.ReplicaManager;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** DescribeProducers: the idempotent producers the partition leader knows, with epoch, last sequence and timestamp. */
public record DescribeProducersHandler(ReplicaManager replicas, MetadataCache cache)
        implements ApiHandler<DescribeProducersRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_PRODUCERS;
    }

    @Override
    public CompletionStage<DescribeProducersResponseData> handle(
            RequestContext ctx, DescribeProducersRequestData request) {
        DescribeProducersResponseData response = new DescribeProducersResponseData();
        for (DescribeProducersRequestData.TopicRequest t : request.topics()) {
            DescribeProducersResponseData.TopicResponse tr =
                    new DescribeProducersResponseData.TopicResponse().setName(t.name());
            response.topics().add(tr);
            for (int index : t.partitionIndexes()) {
                DescribeProducersResponseData.PartitionResponse pr =
                        new DescribeProducersResponseData.PartitionResponse().setPartitionIndex(index);
                tr.partitions().add(pr);
                LeaderLookup p = LeaderLookup.find(replicas, cache, t.name(), index);
                if (p.failed()) {
                    pr.setErrorCode(p.error().code());
                    continue;
                }
                for (Partition.ProducerSummary s : p.leader().producers()) {
                    pr.activeProducers()
                            .add(new DescribeProducersResponseData.ProducerState()
                                    .setProducerId(s.producerId())
                                    .setProducerEpoch(s.epoch())
                                    .setLastSequence(s.lastSequence())
                                    .setLastTimestamp(s.lastTimestamp())
                                    .setCoordinatorEpoch(s.coordinatorEpoch())
                                    .setCurrentTxnStartOffset(s.currentTxnStartOffset()));
                }
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
