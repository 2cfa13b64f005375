package io.strand.server.share;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteShareGroupStateRequestData;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData;
import org.apache.kafka.common.message.InitializeShareGroupStateRequestData;
import org.apache.kafka.common.message.InitializeShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * The share-state APIs' one-partition requests as the persister sends them to a remote coordinator,
 * and their answers read back (an answer without the partition is UNKNOWN_SERVER_ERROR). Stateless.
 */
final class ShareStateRequests {
    private ShareStateRequests() {}

    static ReadShareGroupStateRequestData readRequest(String groupId, Uuid topicId, int partition, int leaderEpoch) {
        return new ReadShareGroupStateRequestData()
                .setGroupId(groupId)
                .setTopics(List.of(new ReadShareGroupStateRequestData.ReadStateData()
                        .setTopicId(topicId)
                        .setPartitions(List.of(new ReadShareGroupStateRequestData.PartitionData()
                                .setPartition(partition)
                                .setLeaderEpoch(leaderEpoch)))));
    }

    static Persister.ReadResult read(ApiMessage m) {
        ReadShareGroupStateResponseData r = (ReadShareGroupStateResponseData) m;
        if (r.results().isEmpty() || r.results().get(0).partitions().isEmpty()) {
            return new Persister.ReadResult(Errors.UNKNOWN_SERVER_ERROR, null);
        }
        ReadShareGroupStateResponseData.PartitionResult p =
                r.results().get(0).partitions().get(0);
        Errors e = Errors.forCode(p.errorCode());
        if (e != Errors.NONE) {
            return new Persister.ReadResult(e, null);
        }
        List<ShareState.Batch> batches = new ArrayList<>();
        for (ReadShareGroupStateResponseData.StateBatch b : p.stateBatches()) {
            batches.add(new ShareState.Batch(
                    b.firstOffset(), b.lastOffset(), RecordState.forId(b.deliveryState()), b.deliveryCount()));
        }
        return new Persister.ReadResult(Errors.NONE, new ShareState(p.stateEpoch(), -1, p.startOffset(), -1, batches));
    }

    static WriteShareGroupStateRequestData writeRequest(String groupId, Uuid topicId, int partition, ShareState s) {
        List<WriteShareGroupStateRequestData.StateBatch> batches = new ArrayList<>();
        for (ShareState.Batch b : s.batches()) {
            batches.add(new WriteShareGroupStateRequestData.StateBatch()
                    .setFirstOffset(b.firstOffset())
                    .setLastOffset(b.lastOffset())
                    .setDeliveryState(b.state().id)
                    .setDeliveryCount((short) b.deliveryCount()));
        }
        return new WriteShareGroupStateRequestData()
                .setGroupId(groupId)
                .setTopics(List.of(new WriteShareGroupStateRequestData.WriteStateData()
                        .setTopicId(topicId)
                        .setPartitions(List.of(new WriteShareGroupStateRequestData.PartitionData()
                                .setPartition(partition)
                                .setStateEpoch(s.stateEpoch())
                                .setLeaderEpoch(s.leaderEpoch())
                                .setStartOffset(s.startOffset())
                                .setDeliveryCompleteCount(s.deliveryCompleteCount())
                                .setStateBatches(batches)))));
    }

    /** The state a WriteShareGroupState partition carries. */
    static ShareState stateOf(WriteShareGroupStateRequestData.PartitionData p) {
        List<ShareState.Batch> batches = new ArrayList<>();
        for (WriteShareGroupStateRequestData.StateBatch b : p.stateBatches()) {
            batches.add(new ShareState.Batch(
                    b.firstOffset(), b.lastOffset(), RecordState.forId(b.deliveryState()), b.deliveryCount()));
        }
        return new ShareState(p.stateEpoch(), p.leaderEpoch(), p.startOffset(), p.deliveryCompleteCount(), batches);
    }

    static Errors write(ApiMessage m) {
        WriteShareGroupStateResponseData r = (WriteShareGroupStateResponseData) m;
        if (r.results().isEmpty() || r.results().get(0).partitions().isEmpty()) {
            return Errors.UNKNOWN_SERVER_ERROR;
        }
        return Errors.forCode(r.results().get(0).partitions().get(0).errorCode());
    }

    static InitializeShareGroupStateRequestData initializeRequest(
            String groupId, Uuid topicId, int partition, int stateEpoch, long startOffset) {
        return new InitializeShareGroupStateRequestData()
                .setGroupId(groupId)
                .setTopics(List.of(new InitializeShareGroupStateRequestData.InitializeStateData()
                        .setTopicId(topicId)
                        .setPartitions(List.of(new InitializeShareGroupStateRequestData.PartitionData()
                                .setPartition(partition)
                                .setStateEpoch(stateEpoch)
                                .setStartOffset(startOffset)))));
    }

    static Errors initialize(ApiMessage m) {
        InitializeShareGroupStateResponseData r = (InitializeShareGroupStateResponseData) m;
        if (r.results().isEmpty() || r.results().get(0).partitions().isEmpty()) {
            return Errors.UNKNOWN_SERVER_ERROR;
        }
        return Errors.forCode(r.results().get(0).partitions().get(0).errorCode());
    }

    static DeleteShareGroupStateRequestData deleteRequest(String groupId, Uuid topicId, int partition) {
        return new DeleteShareGroupStateRequestData()
                .setGroupId(groupId)
                .setTopics(List.of(new DeleteShareGroupStateRequestData.DeleteStateData()
                        .setTopicId(topicId)
                        .setPartitions(List.of(
                                new DeleteShareGroupStateRequestData.PartitionData().setPartition(partition)))));
    }

    static Errors delete(ApiMessage m) {
        DeleteShareGroupStateResponseData r = (DeleteShareGroupStateResponseData) m;
        if (r.results().isEmpty() || r.results().get(0).partitions().isEmpty()) {
            return Errors.UNKNOWN_SERVER_ERROR;
        }
        return Errors.forCode(r.results().get(0).partitions().get(0).errorCode());
    }

    static ReadShareGroupStateSummaryRequestData summaryRequest(
            String groupId, Uuid topicId, int partition, int leaderEpoch) {
        return new ReadShareGroupStateSummaryRequestData()
                .setGroupId(groupId)
                .setTopics(List.of(new ReadShareGroupStateSummaryRequestData.ReadStateSummaryData()
                        .setTopicId(topicId)
                        .setPartitions(List.of(new ReadShareGroupStateSummaryRequestData.PartitionData()
                                .setPartition(partition)
                                .setLeaderEpoch(leaderEpoch)))));
    }

    static Persister.Summary summary(ApiMessage m) {
        ReadShareGroupStateSummaryResponseData r = (ReadShareGroupStateSummaryResponseData) m;
        if (r.results().isEmpty() || r.results().get(0).partitions().isEmpty()) {
            return new Persister.Summary(Errors.UNKNOWN_SERVER_ERROR, 0, -1, -1, -1);
        }
        ReadShareGroupStateSummaryResponseData.PartitionResult p =
                r.results().get(0).partitions().get(0);
        return new Persister.Summary(
                Errors.forCode(p.errorCode()),
                p.stateEpoch(),
                p.leaderEpoch(),
                p.startOffset(),
                p.deliveryCompleteCount());
    }
}
