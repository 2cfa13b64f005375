package io.strand.server;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.TopicView;
import io.strand.coordinator.controller.Controller;
import io.strand.server.metrics.KafkaMetricNames;
import io.strand.wal.LogManager;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Kafka-named metrics of the broker's controller and logs, registered once the broker has started
 * (the replica layer's are {@code ReplicaMetrics}, the requests' and topics' in {@code BrokerMetrics}):
 *
 * <ul>
 *   <li>{@code kafka.controller:type=KafkaController,name=} {@code ActiveControllerCount} (1 on the
 *       controller), and, on the controller only (0 elsewhere, as in Kafka), {@code OfflinePartitionsCount}
 *       (no live leader), {@code PreferredReplicaImbalanceCount} (led by another than the first replica),
 *       {@code GlobalTopicCount}, {@code GlobalPartitionCount};
 *   <li>{@code kafka.controller:type=ControllerStats,name=LeaderElectionRateAndTimeMs} (a timer: one
 *       event per controller round that elected leaders, timed from its start to its ZooKeeper writes)
 *       and {@code UncleanLeaderElectionsPerSec} (leaders elected from outside the ISR);
 *   <li>{@code kafka.log:type=LogFlushStats,name=LogFlushRateAndTimeMs} (a timer of every fsync pass of
 *       a partition log: group commits in Strand's durable mode, {@code flush.*} policy flushes otherwise);
 *   <li>{@code kafka.server:type=ReplicaManager,name=OfflineReplicaCount} (replicas in offline log
 *       directories).
 * </ul>
 *
 * <p>Stateless.
 */
final class KafkaGauges {
    private KafkaGauges() {}

    static void register(
            MetricRegistry registry,
            Controller controller,
            MetadataCache cache,
            LogManager logs,
            LongSupplier offlineReplicas) {
        gauge(registry, controller("ActiveControllerCount"), () -> controller.isActive() ? 1 : 0);
        onController(
                registry,
                controller,
                cache,
                "OfflinePartitionsCount",
                p -> p.leader() < 0 || !cache.isLive(p.leader()) ? 1 : 0);
        onController(
                registry,
                controller,
                cache,
                "PreferredReplicaImbalanceCount",
                p -> !p.replicas().isEmpty() && p.leader() != p.replicas().get(0) ? 1 : 0);
        onController(registry, controller, cache, "GlobalPartitionCount", p -> 1);
        gauge(
                registry,
                controller("GlobalTopicCount"),
                () -> controller.isActive() ? cache.topics().size() : 0);

        Timer elections = registry.timer(
                KafkaMetricNames.name("kafka.controller", "ControllerStats", "LeaderElectionRateAndTimeMs"));
        Meter unclean = registry.meter(
                KafkaMetricNames.name("kafka.controller", "ControllerStats", "UncleanLeaderElectionsPerSec"));
        controller.addElectionListener((elected, uncleanElected, nanos) -> {
            elections.update(nanos, TimeUnit.NANOSECONDS);
            unclean.mark(uncleanElected);
        });

        Timer flushes = registry.timer(KafkaMetricNames.name("kafka.log", "LogFlushStats", "LogFlushRateAndTimeMs"));
        logs.onFlush(nanos -> flushes.update(nanos, TimeUnit.NANOSECONDS));

        gauge(
                registry,
                KafkaMetricNames.name("kafka.server", "ReplicaManager", "OfflineReplicaCount"),
                offlineReplicas);
    }

    private static String controller(String name) {
        return KafkaMetricNames.name("kafka.controller", "KafkaController", name);
    }

    /** A sum over every partition in the metadata cache, reported by the active controller only. */
    private static void onController(
            MetricRegistry registry,
            Controller controller,
            MetadataCache cache,
            String name,
            ToLongFunction<PartitionInfo> each) {
        gauge(registry, controller(name), () -> {
            if (!controller.isActive()) {
                return 0;
            }
            long n = 0;
            for (TopicView t : cache.topics()) {
                for (PartitionInfo p : t.partitionsSnapshot()) {
                    n += each.applyAsLong(p);
                }
            }
            return n;
        });
    }

    private static void gauge(MetricRegistry registry, String key, LongSupplier value) {
        registry.gauge(key, () -> (Gauge<Long>) value::getAsLong);
    }
}
