package io.strand.tools.reassign;

import io.strand.tools.cli.KafkaAdmin;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;

/**
 * The AlterPartitionReassignments call of {@code reassign execute} (start moves) and {@code
 * reassign cancel} (an empty target cancels a move), answered partition by partition. Stateless.
 */
final class Reassignments {
    private Reassignments() {}

    /**
     * Sends {@code request} and waits for each partition's answer, in the request's order.
     *
     * @param what what the call does to a partition, for messages: tp -> "reassigning " + tp
     * @param failure the message for a partition the controller refused
     * @param failures gets one message per refused partition
     * @return the partitions whose request was accepted
     */
    static List<TopicPartition> alter(
            KafkaAdmin admin,
            Map<TopicPartition, Optional<NewPartitionReassignment>> request,
            Function<TopicPartition, String> what,
            BiFunction<TopicPartition, ApiException, String> failure,
            List<String> failures) {
        List<TopicPartition> accepted = new ArrayList<>();
        Map<TopicPartition, KafkaFuture<Void>> results =
                admin.admin().alterPartitionReassignments(request).values();
        for (TopicPartition tp : request.keySet()) {
            try {
                admin.await(results.get(tp), what.apply(tp));
                accepted.add(tp);
            } catch (ApiException e) {
                failures.add(failure.apply(tp, e));
            }
        }
        return accepted;
    }

    /** "orders-0", ... as the commands print partitions. */
    static List<String> names(Collection<TopicPartition> partitions) {
        return partitions.stream().map(TopicPartition::toString).toList();
    }
}
