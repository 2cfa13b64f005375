package io.strand.tools.topics;

import io.strand.tools.cli.CliException;
import io.strand.tools.cli.ConnectionFlags;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.Table;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What the topics commands need from a cluster, implemented once over Kafka's Admin client
 * ({@link AdminTopicBackend}) and once over the znodes ({@link ZkTopicBackend}). Failures are
 * {@link CliException}s whose message names the topic and the reason. An implementation is not
 * thread-safe: one per command run.
 */
interface TopicBackend extends AutoCloseable {

    /** A topic to create. Null counts mean "the default"; a non-empty assignment replaces both. */
    record NewTopicRequest(
            String name,
            Integer partitions,
            Integer replicationFactor,
            Map<Integer, List<Integer>> assignment,
            Map<String, String> configs) {}

    /** A created topic; fields a broker did not report are null. */
    record CreatedTopic(
            String name,
            String topicId,
            Integer partitionCount,
            Integer replicationFactor,
            Map<Integer, List<Integer>> assignment) {}

    /**
     * One topic as {@code describe} shows it.
     *
     * @param configs config overrides, or null when the source cannot tell (broker without DescribeConfigs)
     */
    record TopicDescription(
            String name,
            String topicId,
            boolean markedForDeletion,
            List<PartitionDescription> partitions,
            Map<String, String> configs) {
        int replicationFactor() {
            return partitions.stream().mapToInt(p -> p.replicas().size()).max().orElse(0);
        }
    }

    /**
     * @param leader      null when the partition has no leader (or no state yet)
     * @param leaderEpoch null when the source does not know it (the Admin API does not return it)
     * @param compaction  null when the source does not know the cleanup policy
     */
    record PartitionDescription(
            int partition,
            Integer leader,
            Integer leaderEpoch,
            List<Integer> replicas,
            List<Integer> isr,
            Compaction compaction) {}

    /**
     * A partition's cleanup policy and, where its brokers report it ({@code /log_cleaner/<id>}, read with
     * --zookeeper), what their log cleaners know of it.
     *
     * @param cleanupPolicy    delete, compact or compact,delete
     * @param dirtyRatio       the leader's dirty ratio (0..1); null when not reported
     * @param firstDirtyOffset where the leader's cleaned part ends; null when not reported
     * @param lastCleanedMs    when the leader last cleaned it (-1: not since it started); null when not reported
     * @param uncleanable      replicas whose cleaner gave up on it (a corrupt batch, ...), with the reason
     */
    record Compaction(
            String cleanupPolicy,
            Double dirtyRatio,
            Long firstDirtyOffset,
            Long lastCleanedMs,
            List<Uncleanable> uncleanable) {
        boolean compacted() {
            return cleanupPolicy.toLowerCase(java.util.Locale.ROOT).contains("compact");
        }
    }

    /** A replica that its broker's log cleaner reports uncleanable. */
    record Uncleanable(int broker, String reason) {}

    /**
     * A deleted topic.
     *
     * @param complete true if the topic is gone; false if it is marked for deletion and the controller removes it
     */
    record DeletedTopic(String name, String topicId, boolean complete) {}

    /** A changed topic: its partition count before and after, and its config overrides after. */
    record AlteredTopic(String name, int partitionsBefore, int partitionsAfter, Map<String, String> configs) {}

    /** Creates the topic, or throws a {@link CliException} (e.g. TOPIC_ALREADY_EXISTS with the winner). */
    CreatedTopic create(NewTopicRequest request);

    /** Deletes the topic, or throws a {@link CliException} naming it and the reason (e.g. it does not exist). */
    DeletedTopic delete(String topic);

    /**
     * Grows the topic to {@code partitions} (null = leave) and sets and deletes config overrides.
     *
     * @throws CliException naming the topic and the reason
     */
    AlteredTopic alter(String topic, Integer partitions, Map<String, String> set, List<String> delete);

    /** Topic names, sorted. */
    List<String> list();

    /**
     * Describes {@code topic}, or every topic when it is null.
     *
     * @param warn receives one-line warnings about parts that could not be read (e.g. configs)
     * @throws CliException if {@code topic} does not exist
     */
    List<TopicDescription> describe(String topic, Consumer<String> warn);

    @Override
    void close();

    /**
     * Connects to the cluster the flags name: ZooKeeper with --zookeeper, a broker otherwise. The
     * caller closes the backend.
     */
    static TopicBackend open(ConnectionFlags cluster) {
        return cluster.useZooKeeper()
                ? ZkTopicBackend.open(cluster.zookeeper(), cluster.timeoutMs(), cluster.zooKeeperOptions())
                : new AdminTopicBackend(KafkaAdmin.open(cluster.broker()));
    }

    // ---- messages shared by both backends ----

    static String alreadyExists(String topic, String topicId, Map<Integer, List<Integer>> winner) {
        return "topic '" + topic + "' already exists (TOPIC_ALREADY_EXISTS); the assignment that won: topic id "
                + (topicId == null ? "unknown" : topicId) + ", replicas by partition {" + formatAssignment(winner)
                + "}";
    }

    /** "0:[1,2], 1:[2,0]". */
    static String formatAssignment(Map<Integer, List<Integer>> assignment) {
        StringJoiner j = new StringJoiner(", ");
        new TreeMap<>(assignment).forEach((p, r) -> j.add(p + ":[" + formatIds(r) + "]"));
        return j.toString();
    }

    /** "1,2,3" as kafka-topics prints replica lists. */
    static String formatIds(List<Integer> ids) {
        return Table.ids(ids);
    }
}
