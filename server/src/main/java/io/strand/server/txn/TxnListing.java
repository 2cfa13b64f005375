package io.strand.server.txn;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidRegularExpression;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.ListTransactionsResponseData;

/** DescribeTransactions and ListTransactions answers from coordinator state (Kafka's semantics). Stateless. */
public final class TxnListing {
    private TxnListing() {}

    /**
     * ListTransactions' filters, each AND-ed: states (by Kafka name; names it does not know are
     * answered back as unknown and match nothing), producer ids, duration (v1: only transactions
     * running longer than this; -1 = any), transactional id pattern (v2: a regular expression the
     * whole id must match; null or empty = any).
     */
    public record Filter(
            Set<TxnState> states,
            List<String> unknownStates,
            Set<Long> producerIds,
            long durationMs,
            Pattern idPattern,
            boolean anyState) {

        /**
         * @throws InvalidRegularExpression if {@code idPattern} does not compile
         */
        public static Filter of(
                List<String> stateNames, Collection<Long> producerIds, long durationMs, String idPattern) {
            Set<TxnState> states = EnumSet.noneOf(TxnState.class);
            List<String> unknown = new ArrayList<>();
            for (String name : stateNames) {
                TxnState.byKafkaName(name).ifPresentOrElse(states::add, () -> unknown.add(name));
            }
            Pattern pattern = null;
            if (idPattern != null && !idPattern.isEmpty()) {
                try {
                    pattern = Pattern.compile(idPattern);
                } catch (PatternSyntaxException e) {
                    throw new InvalidRegularExpression("invalid transactional id pattern: " + e.getMessage());
                }
            }
            return new Filter(states, unknown, Set.copyOf(producerIds), durationMs, pattern, stateNames.isEmpty());
        }
    }

    static DescribeTransactionsResponseData.TransactionState describe(TxnMetadata m) {
        DescribeTransactionsResponseData.TransactionState out = new DescribeTransactionsResponseData.TransactionState()
                .setErrorCode((short) 0)
                .setTransactionalId(m.transactionalId)
                .setProducerId(m.producerId)
                .setProducerEpoch(m.producerEpoch)
                .setTransactionState(m.state.kafkaName())
                .setTransactionTimeoutMs(m.timeoutMs)
                .setTransactionStartTimeMs(m.txnStartTimestamp);
        for (TopicPartition tp : m.partitions) {
            DescribeTransactionsResponseData.TopicData topic = out.topics().find(tp.topic());
            if (topic == null) {
                topic = new DescribeTransactionsResponseData.TopicData().setTopic(tp.topic());
                out.topics().add(topic);
            }
            topic.partitions().add(tp.partition());
        }
        return out;
    }

    static List<ListTransactionsResponseData.TransactionState> list(
            Collection<TxnMetadata> txns, Filter filter, long now) {
        List<ListTransactionsResponseData.TransactionState> out = new ArrayList<>();
        for (TxnMetadata m : txns) {
            if (m.state == TxnState.DEAD
                    || (!filter.producerIds().isEmpty() && !filter.producerIds().contains(m.producerId))
                    || (!filter.anyState() && !filter.states().contains(m.state))
                    || (filter.durationMs() >= 0 && now - m.txnStartTimestamp <= filter.durationMs())
                    || (filter.idPattern() != null
                            && !filter.idPattern().matcher(m.transactionalId).matches())) {
                continue;
            }
            out.add(new ListTransactionsResponseData.TransactionState()
                    .setTransactionalId(m.transactionalId)
                    .setProducerId(m.producerId)
                    .setTransactionState(m.state.kafkaName()));
        }
        return out;
    }
}
