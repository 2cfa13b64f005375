package io.strand.server.txn;

import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * The state a transactional id is about to enter: what is written to {@code __transaction_state},
 * and what {@link TxnMetadata#completeTransitionTo} applies once the ISR has it (Kafka's
 * {@code TxnTransitMetadata}). Immutable.
 */
record TxnTransit(
        long producerId,
        long previousProducerId,
        short producerEpoch,
        short lastProducerEpoch,
        int timeoutMs,
        TxnState state,
        Set<TopicPartition> partitions,
        long txnStartTimestamp,
        long lastUpdateTimestamp) {

    TxnTransit {
        partitions = Set.copyOf(partitions);
    }

    @Override
    public String toString() {
        return "{producerId=" + producerId + ", epoch=" + producerEpoch + ", lastEpoch=" + lastProducerEpoch
                + ", previousProducerId=" + previousProducerId + ", state=" + state.kafkaName() + ", partitions="
                + partitions + ", timeoutMs=" + timeoutMs + "}";
    }
}
