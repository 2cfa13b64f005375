package io.strand.server;

import com.codahale.metrics.CachedGauge;
import io.strand.coordinator.GoneBrokerDetector;
import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.controller.Controller;
import io.strand.server.metrics.BrokerMetrics;
import io.strand.server.replica.LogDirReporter;
import io.strand.server.replica.Partition;
import io.strand.server.replica.ReplicaManager;
import io.strand.server.replica.SessionFence;
import io.strand.wal.JournalStats;
import io.strand.wal.LogManager;
import io.strand.wal.cleaner.LogCleaner;
import java.util.concurrent.TimeUnit;

/**
 * The gauges an operator watches on one broker (JMX domain strand.broker-&lt;id&gt;), over its running parts;
 * {@link Broker} registers them once it has started. Stateless.
 */
final class BrokerGauges {
    private BrokerGauges() {}

    /** @param goneBrokers null when strand.liveness.probe.interval.ms=0 */
    static void register(
            BrokerMetrics metrics,
            ReplicaManager replicaManager,
            LogCleaner cleaner,
            Controller controller,
            MetadataCache cache,
            GoneBrokerDetector goneBrokers,
            SessionFence sessionFence,
            boolean endedPreviousSession,
            LogManager logs,
            LogDirReporter logDirReporter) {
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
        metrics.gauge("controller.active", () -> controller.isActive() ? 1 : 0);
        metrics.gauge("controller.epoch", controller::epoch);
        metrics.gauge(
                "controller.last-failover-ms",
                () -> controller.lastBrokerChange().millis());
        metrics.gauge("cluster.live-brokers", () -> cache.liveBrokers().size());
        metrics.gauge(
                "cluster.gone-broker-registrations-removed",
                () -> goneBrokers == null ? 0 : goneBrokers.removedRegistrations());
        metrics.gauge("replica.session-lost-step-downs", sessionFence::stepDowns);
        metrics.gauge("broker.previous-session-ended", () -> endedPreviousSession ? 1 : 0);
        metrics.gauge(
                "log.dirs-below-free-space-floor",
                () -> logs.logDirsBelowFreeSpaceFloor().size());
        metrics.gauge("log.dirs-offline", () -> logs.offlineLogDirs().size());
        // one reading of the journals per scrape serves the four gauges
        CachedGauge<JournalStats> journal = new CachedGauge<>(1, TimeUnit.SECONDS) {
            @Override
            protected JournalStats loadValue() {
                return logs.journalStats();
            }
        };
        metrics.gauge("log.journal-files", () -> journal.getValue().files());
        metrics.gauge("log.journal-spare-files", () -> journal.getValue().spareFiles());
        metrics.gauge("log.journal-bytes", () -> journal.getValue().bytes());
        metrics.gauge(
                "log.journal-uncheckpointed-bytes", () -> journal.getValue().uncheckpointedBytes());
        metrics.gauge(
                "replica.open-transactions",
                () -> replicaManager.partitions().stream()
                        .filter(Partition::isLeader)
                        .mapToInt(Partition::openTransactions)
                        .sum());
        metrics.gauge("log.dir-offline-events", logDirReporter::offlineEvents);
        metrics.gauge("log.offline-replicas", logDirReporter::offlineReplicas);
    }
}
