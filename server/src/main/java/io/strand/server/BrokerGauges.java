package io.strand.server;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.controller.Controller;
import io.strand.coordinator.proto.LogDirStatus;
import io.strand.coordinator.proto.UnavailableLogDir;
import io.strand.server.metrics.BrokerMetrics;
import io.strand.server.replica.LogDirReporter;
import io.strand.server.replica.Partition;
import io.strand.server.replica.ReplicaManager;
import io.strand.server.replica.SessionFence;
import io.strand.wal.LogManager;
import io.strand.wal.cleaner.LogCleaner;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The gauges an operator watches on a broker (JMX domain strand.broker-&lt;id&gt;), registered by
 * {@link Broker} at start, grouped by the part of the broker they read. Stateless; the gauges read
 * thread-safe views.
 */
final class BrokerGauges {
    private BrokerGauges() {}

    static void replicas(BrokerMetrics metrics, ReplicaManager replicaManager, SessionFence sessionFence) {
        metrics.gauge("replica.partitions", () -> replicaManager.partitions().size());
        metrics.gauge(
                "replica.leaders",
                () -> replicaManager.partitions().stream()
                        .filter(p -> p.isLeader())
                        .count());
        metrics.gauge(
                "replica.under-replicated-partitions",
                () -> replicaManager.partitions().stream()
                        .filter(p ->
                                p.isLeader() && p.isr().size() < p.replicas().size())
                        .count());
        metrics.gauge(
                "replica.under-min-isr-partitions",
                () -> replicaManager.partitions().stream()
                        .filter(p -> p.isLeader() && p.isr().size() < p.minInsyncReplicas())
                        .count());
        metrics.gauge("replica.session-lost-step-downs", sessionFence::stepDowns);
        metrics.gauge(
                "replica.open-transactions",
                () -> replicaManager.partitions().stream()
                        .filter(Partition::isLeader)
                        .mapToInt(Partition::openTransactions)
                        .sum());
    }

    static void logCleaner(BrokerMetrics metrics, LogCleaner cleaner) {
        metrics.gauge("log-cleaner.max-dirty-percent", cleaner::maxDirtyPercent);
        metrics.gauge("log-cleaner.uncleanable-partitions-count", cleaner::uncleanablePartitionsCount);
        metrics.gauge("log-cleaner.time-since-last-run-ms", cleaner::timeSinceLastRunMs);
        metrics.gauge("log-cleaner.last-clean-time-secs", cleaner::lastCleanSeconds);
        metrics.gauge("log-cleaner.max-buffer-utilization-percent", cleaner::bufferUtilizationPercent);
        metrics.gauge("log-cleaner.cleaner-recopy-percent", cleaner::recopyPercent);
        metrics.gauge("log-cleaner.bytes-cleaned", cleaner::bytesCleaned);
        metrics.gauge("log-cleaner.bytes-written", cleaner::bytesWritten);
        metrics.gauge("log-cleaner.cleanings", cleaner::cleanings);
        metrics.gauge("log-cleaner.dead-thread-count", cleaner::deadThreadCount);
    }

    static void cluster(
            BrokerMetrics metrics,
            Controller controller,
            MetadataCache cache,
            LongSupplier goneRegistrationsRemoved,
            BooleanSupplier endedPreviousSession) {
        metrics.gauge("controller.active", () -> controller.isActive() ? 1 : 0);
        metrics.gauge("controller.epoch", controller::epoch);
        metrics.gauge(
                "controller.last-failover-ms",
                () -> controller.lastBrokerChange().millis());
        metrics.gauge("cluster.live-brokers", () -> cache.liveBrokers().size());
        metrics.gauge("cluster.gone-broker-registrations-removed", goneRegistrationsRemoved::getAsLong);
        metrics.gauge("broker.previous-session-ended", () -> endedPreviousSession.getAsBoolean() ? 1 : 0);
    }

    static void logDirs(BrokerMetrics metrics, LogManager logs, LogDirReporter logDirReporter) {
        metrics.gauge(
                "log.dirs-below-free-space-floor",
                () -> logs.logDirsBelowFreeSpaceFloor().size());
        metrics.gauge("log.dirs-offline", () -> logs.offlineLogDirs().size());
        metrics.gauge("log.dir-offline-events", logDirReporter::offlineEvents);
        metrics.gauge(
                "log.offline-replicas",
                () -> logDirReporter.unavailable().stream()
                        .filter(d -> d.getStatus() == LogDirStatus.OFFLINE)
                        .mapToInt(UnavailableLogDir::getPartitionsCount)
                        .sum());
    }
}
