package io.strand.tools.check;

import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.KafkaAdmin;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The topic a {@code strand check} run writes to: used as it is when it exists, otherwise created
 * with the partitions and replication factor asked for and {@code min.insync.replicas} of 2 for a
 * replication factor of 3 or more (1 below), so that acks=all survives one broker down; and the
 * offsets its partitions end at (ListOffsets latest: the high watermark), where a run starts reading
 * and up to where it reads once writing is over.
 *
 * <p>Used on the command's thread with the command's {@link KafkaAdmin}.
 */
final class CheckTopic {
    private static final long POLL_MS = 100;

    private final KafkaAdmin admin;
    private final String topic;

    CheckTopic(KafkaAdmin admin, String topic) {
        this.admin = admin;
        this.topic = topic;
    }

    /** What the run writes to: the topic's partition count and replication factor, and whether it was created now. */
    record Described(int partitions, int replicationFactor, boolean created) {}

    /**
     * Describes the topic, creating it first when it does not exist, and waits until every partition
     * has a leader.
     *
     * @param partitions partitions of a created topic
     * @param replicationFactor replication factor of a created topic; empty: 3, or fewer when the
     *     cluster has fewer brokers
     */
    Described ensure(int partitions, Optional<Integer> replicationFactor, int timeoutMs) throws InterruptedException {
        boolean created = false;
        if (describe().isEmpty()) {
            int brokers = admin.await(admin.admin().describeCluster().nodes(), "describing the cluster")
                    .size();
            int rf = replicationFactor.orElse(Math.max(1, Math.min(3, brokers)));
            NewTopic t = new NewTopic(topic, partitions, (short) rf)
                    .configs(Map.of("min.insync.replicas", String.valueOf(rf >= 3 ? 2 : 1)));
            try {
                admin.await(admin.admin().createTopics(List.of(t)).all(), "creating topic " + topic);
                created = true;
            } catch (TopicExistsException e) {
                // created by someone else meanwhile: used as it is
            } catch (RuntimeException e) {
                if (e instanceof CliException) {
                    throw e;
                }
                throw new CliException("cannot create topic '" + topic + "': " + Failures.describe(e), e);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            Optional<TopicDescription> d = describe();
            if (d.isPresent()
                    && d.get().partitions().stream()
                            .allMatch(p -> p.leader() != null && p.leader().id() >= 0)) {
                return new Described(
                        d.get().partitions().size(),
                        d.get().partitions().get(0).replicas().size(),
                        created);
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new CliException(
                        "topic '" + topic + "' has partitions without a leader after " + timeoutMs + " ms");
            }
            Thread.sleep(POLL_MS);
        }
    }

    /** The topic as a broker describes it; empty if it does not exist. */
    private Optional<TopicDescription> describe() {
        try {
            return Optional.ofNullable(admin.await(
                            admin.admin().describeTopics(List.of(topic)).allTopicNames(), "describing topic " + topic)
                    .get(topic));
        } catch (UnknownTopicOrPartitionException e) {
            return Optional.empty();
        }
    }

    /** The end offset (high watermark) of each of partitions 0..partitions-1. */
    Map<Integer, Long> endOffsets(int partitions) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result =
                admin.awaitOrFail(admin.admin().listOffsets(request).all(), "listing the end offsets of " + topic);
        Map<Integer, Long> out = new TreeMap<>();
        result.forEach((tp, info) -> out.put(tp.partition(), info.offset()));
        return out;
    }
}
