package io.strand.server.share;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Where share-partition state is kept: the share coordinator of the key {@code group:topicId:partition}
 * (Kafka's persister). Futures never fail; an error comes back as a value.
 */
public interface Persister {
    /** The state, or an error. {@code leaderEpoch} fences older leaders of the data partition. */
    record ReadResult(Errors error, ShareState state) {}

    /** The summary ReadShareGroupStateSummary answers. */
    record Summary(Errors error, int stateEpoch, int leaderEpoch, long startOffset, int deliveryCompleteCount) {}

    CompletableFuture<ReadResult> read(String groupId, Uuid topicId, int partition, int leaderEpoch);

    /** Writes {@code state} (merged into what the coordinator holds); NONE once the ISR of its state partition has it. */
    CompletableFuture<Errors> write(String groupId, Uuid topicId, int partition, ShareState state);

    /** Resets the state to {@code startOffset} at {@code stateEpoch} (must be newer than the stored one). */
    CompletableFuture<Errors> initialize(String groupId, Uuid topicId, int partition, int stateEpoch, long startOffset);

    CompletableFuture<Errors> delete(String groupId, Uuid topicId, int partition);

    CompletableFuture<Summary> readSummary(String groupId, Uuid topicId, int partition, int leaderEpoch);
}
