package io.strand.tools.reassign;

import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.KafkaAdmin;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Reads the current replica lists the reassign and elect-leaders commands work from, through {@link
 * KafkaAdmin}; a topic or partition that does not exist fails naming it. Stateless.
 */
final class CurrentReplicas {
    private CurrentReplicas() {}

    /** topic -> its description; a topic that does not exist fails naming it. */
    static Map<String, TopicDescription> describe(KafkaAdmin admin, Collection<String> topics) {
        Map<String, TopicDescription> out = new LinkedHashMap<>();
        for (String topic : new TreeSet<>(topics)) {
            try {
                out.put(
                        topic,
                        admin.await(
                                admin.admin()
                                        .describeTopics(List.of(topic))
                                        .topicNameValues()
                                        .get(topic),
                                "describing topic '" + topic + "'"));
            } catch (UnknownTopicOrPartitionException e) {
                throw new CliException(Failures.unknownTopic(topic, ""), e);
            } catch (ApiException e) {
                throw new CliException("cannot describe topic '" + topic + "': " + Failures.describe(e), e);
            }
        }
        return out;
    }

    /** The current replicas of every partition of {@code plan}, in the plan's order; a partition that does not exist fails. */
    static Map<TopicPartition, List<Integer>> current(KafkaAdmin admin, Set<TopicPartition> partitions) {
        Set<String> topics = new TreeSet<>();
        partitions.forEach(tp -> topics.add(tp.topic()));
        Map<String, TopicDescription> described = describe(admin, topics);
        Map<TopicPartition, List<Integer>> out = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            TopicDescription d = described.get(tp.topic());
            TopicPartitionInfo info = d.partitions().stream()
                    .filter(p -> p.partition() == tp.partition())
                    .findFirst()
                    .orElseThrow(() -> new CliException("partition " + tp + " does not exist (topic '" + tp.topic()
                            + "' has " + d.partitions().size() + " partitions; UNKNOWN_TOPIC_OR_PARTITION)"));
            out.put(tp, KafkaAdmin.ids(info.replicas()));
        }
        return out;
    }

    /** Every partition of {@code described}, ordered by topic and partition. */
    static Map<TopicPartition, List<Integer>> all(Map<String, TopicDescription> described) {
        Map<TopicPartition, List<Integer>> out = new LinkedHashMap<>();
        for (TopicDescription d : described.values()) {
            List<TopicPartitionInfo> ps = new ArrayList<>(d.partitions());
            ps.sort(Comparator.comparingInt(TopicPartitionInfo::partition));
            ps.forEach(p -> out.put(new TopicPartition(d.name(), p.partition()), KafkaAdmin.ids(p.replicas())));
        }
        return out;
    }
}
