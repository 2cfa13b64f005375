package io.strand.server.replica;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.strand.server.metrics.BrokerMetrics;
import io.strand.server.metrics.BrokerTopicMetrics;
import io.strand.server.metrics.KafkaMetricNames;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka's metrics of the replica layer, with Kafka's meaning:
 *
 * <ul>
 *   <li>{@code kafka.server:type=ReplicaManager,name=} {@code PartitionCount}, {@code LeaderCount},
 *       {@code UnderReplicatedPartitions} (led here, ISR smaller than the replica list),
 *       {@code UnderMinIsrPartitionCount} / {@code AtMinIsrPartitionCount} (led here, ISR below / at
 *       {@code min.insync.replicas}), and the meters {@code IsrShrinksPerSec} / {@code IsrExpandsPerSec}
 *       (ISR changes this broker made as leader);
 *   <li>{@code kafka.server:type=ReplicaFetcherManager,name=MaxLag,clientId=Replica}: the largest lag, in
 *       records, of a partition this broker follows (the leader's high watermark in its last fetch
 *       response minus this replica's log end);
 *   <li>per hosted partition, {@code kafka.cluster:type=Partition,name=UnderReplicated|UnderMinIsr|AtMinIsr|
 *       InSyncReplicasCount|ReplicasCount|LastStableOffsetLag,topic=T,partition=P} (0 unless this broker
 *       leads it, as in Kafka) and {@code kafka.log:type=Log,name=Size|LogStartOffset|LogEndOffset|
 *       NumLogSegments,topic=T,partition=P}; removed with the partition, and the topic's
 *       BrokerTopicMetrics with its last partition here.
 * </ul>
 *
 * <p>Thread-safe; partitions are added and removed on the replica-state thread.
 */
final class ReplicaMetrics {
    private static final List<String> PARTITION_GAUGES = List.of(
            "UnderReplicated",
            "UnderMinIsr",
            "AtMinIsr",
            "InSyncReplicasCount",
            "ReplicasCount",
            "LastStableOffsetLag");
    private static final List<String> LOG_GAUGES = List.of("Size", "LogStartOffset", "LogEndOffset", "NumLogSegments");

    private final MetricRegistry registry;
    private final BrokerTopicMetrics topics;
    private final Meter isrShrinks;
    private final Meter isrExpands;
    private final AckLatency ackLatency;

    ReplicaMetrics(BrokerMetrics metrics) {
        this.registry = metrics.registry();
        this.topics = metrics.topics();
        this.isrShrinks = registry.meter(replicaManager("IsrShrinksPerSec"));
        this.isrExpands = registry.meter(replicaManager("IsrExpandsPerSec"));
        this.ackLatency = new AckLatency(registry);
    }

    /** The acks=all latency breakdown (Strand's own metrics, {@code ack-latency.*}). */
    AckLatency ackLatency() {
        return ackLatency;
    }

    static String replicaManager(String name) {
        return KafkaMetricNames.name("kafka.server", "ReplicaManager", name);
    }

    static String partition(String name, TopicPartition tp) {
        return KafkaMetricNames.name(
                "kafka.cluster", "Partition", name, "topic", tp.topic(), "partition", String.valueOf(tp.partition()));
    }

    static String log(String name, TopicPartition tp) {
        return KafkaMetricNames.name(
                "kafka.log", "Log", name, "topic", tp.topic(), "partition", String.valueOf(tp.partition()));
    }

    /** The broker-wide gauges, over {@code partitions} (read at each look) and the fetchers' lag. */
    void registerGauges(java.util.function.Supplier<java.util.Collection<Partition>> partitions, LongSupplier maxLag) {
        count(replicaManager("PartitionCount"), partitions, p -> true);
        count(replicaManager("LeaderCount"), partitions, Partition::isLeader);
        count(replicaManager("UnderReplicatedPartitions"), partitions, ReplicaMetrics::underReplicated);
        count(replicaManager("UnderMinIsrPartitionCount"), partitions, ReplicaMetrics::underMinIsr);
        count(replicaManager("AtMinIsrPartitionCount"), partitions, ReplicaMetrics::atMinIsr);
        registry.gauge(
                KafkaMetricNames.name("kafka.server", "ReplicaFetcherManager", "MaxLag", "clientId", "Replica"),
                () -> (Gauge<Long>) maxLag::getAsLong);
    }

    private void count(
            String key,
            java.util.function.Supplier<java.util.Collection<Partition>> partitions,
            java.util.function.Predicate<Partition> which) {
        registry.gauge(key, () ->
                (Gauge<Long>) () -> partitions.get().stream().filter(which).count());
    }

    /** {@code tp} is hosted here now; its gauges read whatever partition {@code lookup} gives at each look. */
    void partitionAdded(TopicPartition tp, Function<TopicPartition, Partition> lookup) {
        partitionGauge(tp, lookup, "UnderReplicated", p -> underReplicated(p) ? 1 : 0);
        partitionGauge(tp, lookup, "UnderMinIsr", p -> underMinIsr(p) ? 1 : 0);
        partitionGauge(tp, lookup, "AtMinIsr", p -> atMinIsr(p) ? 1 : 0);
        partitionGauge(
                tp, lookup, "InSyncReplicasCount", p -> p.isLeader() ? p.isr().size() : 0);
        partitionGauge(
                tp, lookup, "ReplicasCount", p -> p.isLeader() ? p.replicas().size() : 0);
        partitionGauge(
                tp,
                lookup,
                "LastStableOffsetLag",
                p -> p.isLeader() ? Math.max(0, p.highWatermark() - p.lastStableOffset()) : 0);
        logGauge(tp, lookup, "Size", p -> p.log().sizeInBytes());
        logGauge(tp, lookup, "LogStartOffset", p -> p.log().logStartOffset());
        logGauge(tp, lookup, "LogEndOffset", p -> p.log().logEndOffset());
        logGauge(tp, lookup, "NumLogSegments", p -> p.log().numberOfSegments());
    }

    private void partitionGauge(
            TopicPartition tp, Function<TopicPartition, Partition> lookup, String name, ToLongFunction<Partition> f) {
        registry.gauge(partition(name, tp), () -> (Gauge<Long>) () -> read(tp, lookup, f));
    }

    private void logGauge(
            TopicPartition tp, Function<TopicPartition, Partition> lookup, String name, ToLongFunction<Partition> f) {
        registry.gauge(log(name, tp), () -> (Gauge<Long>) () -> read(tp, lookup, f));
    }

    private static long read(
            TopicPartition tp, Function<TopicPartition, Partition> lookup, ToLongFunction<Partition> f) {
        Partition p = lookup.apply(tp);
        if (p == null) {
            return 0;
        }
        try {
            return f.applyAsLong(p);
        } catch (RuntimeException e) {
            return 0; // a log closing under the look
        }
    }

    /** {@code tp} is no longer hosted here; {@code topicGone}: nor any partition of its topic. */
    void partitionRemoved(TopicPartition tp, boolean topicGone) {
        PARTITION_GAUGES.forEach(n -> registry.remove(partition(n, tp)));
        LOG_GAUGES.forEach(n -> registry.remove(log(n, tp)));
        if (topicGone) {
            topics.removeTopic(tp.topic());
        }
    }

    /** The ISR changed from {@code before} to {@code after} by this leader's request. */
    void isrChanged(List<Integer> before, List<Integer> after) {
        if (!after.containsAll(before)) {
            isrShrinks.mark();
        }
        if (!before.containsAll(after)) {
            isrExpands.mark();
        }
    }

    /** Record bytes a replica fetcher appended. */
    void replicated(long bytes) {
        topics.replicated(bytes);
    }

    static boolean underReplicated(Partition p) {
        return p.isLeader() && p.isr().size() < p.replicas().size();
    }

    static boolean underMinIsr(Partition p) {
        return p.isLeader() && p.isr().size() < p.minInsyncReplicas();
    }

    static boolean atMinIsr(Partition p) {
        return p.isLeader() && p.isr().size() == p.minInsyncReplicas();
    }
}
