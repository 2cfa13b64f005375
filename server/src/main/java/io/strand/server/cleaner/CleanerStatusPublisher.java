package io.strand.server.cleaner;

import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.CompactedLogStatus;
import io.strand.coordinator.proto.LogCleanerStatus;
import io.strand.server.BrokerConfig;
import io.strand.wal.cleaner.LogCleaner;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what this broker's log cleaner knows of every compacted log it holds (policy, dirty ratio, first dirty
 * offset, last cleaning, why a log is uncleanable) to the ephemeral znode {@code /log_cleaner/<broker id>}, a {@link
 * LogCleanerStatus}: no Kafka API carries this broker-local state, and {@code strand topics describe --zookeeper}
 * and {@code strand zk get} read it there.
 *
 * <p>Every {@code strand.log.cleaner.status.interval.ms} (and at once after a new ZooKeeper session) it builds the
 * status and writes it only if it differs from what it last wrote under this session: create if absent, else
 * {@code setData} on the version just read; a znode still held by the session of this broker's previous process is
 * deleted on the version read and created again. On a lost race it re-reads and decides again. {@link #close}
 * removes the znode if this session holds it.
 *
 * <p>Thread-safe: all work runs on the "log-cleaner-status" thread.
 */
public final class CleanerStatusPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CleanerStatusPublisher.class);

    private final CuratorFramework zk;
    private final int brokerId;
    private final boolean cleanerEnabled;
    private final String defaultPolicy;
    private final long intervalMs;
    private final LogCleaner cleaner;
    private final String path;
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(ThreadUtils.createThreadFactory("log-cleaner-status", true));
    private final ConnectionStateListener onReconnect = this::onConnectionState;

    // publisher thread only
    /** What was last written (without its time), and under which session; null = nothing yet. */
    private LogCleanerStatus written;

    private long writtenSession;
    private boolean failing;

    public CleanerStatusPublisher(CuratorFramework zk, BrokerConfig config, LogCleaner cleaner) {
        this.zk = zk;
        this.brokerId = config.brokerId();
        this.cleanerEnabled = config.cleaner().logCleanerEnable();
        this.defaultPolicy = config.storage().logCleanupPolicy();
        this.intervalMs = config.cleaner().logCleanerStatusIntervalMs();
        this.cleaner = cleaner;
        this.path = Znodes.logCleaner(brokerId);
    }

    /** Publishes now, then every interval. */
    public void start() {
        zk.getConnectionStateListenable().addListener(onReconnect);
        thread.scheduleWithFixedDelay(this::publishIfChanged, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** The status as it would be published now (without its time). */
    public LogCleanerStatus current() {
        LogCleanerStatus.Builder b = LogCleanerStatus.newBuilder()
                .setBrokerId(brokerId)
                .setCleanerEnabled(cleanerEnabled)
                .setDefaultCleanupPolicy(defaultPolicy)
                .setDeadThreadCount(cleaner.deadThreadCount());
        for (LogCleaner.Status s : cleaner.status()) {
            b.addLogs(CompactedLogStatus.newBuilder()
                    .setTopic(s.topicPartition().topic())
                    .setPartition(s.topicPartition().partition())
                    .setCleanupPolicy(s.cleanupPolicy())
                    .setDirtyRatio(Math.round(s.dirtyRatio() * 10_000) / 10_000.0)
                    .setFirstDirtyOffset(s.firstDirtyOffset())
                    .setLastCleanedMs(s.lastCleanedMs())
                    .setUncleanableReason(s.uncleanableReason().orElse("")));
        }
        return b.build();
    }

    private void publishIfChanged() {
        try {
            LogCleanerStatus now = current();
            long session = zk.getZookeeperClient().getZooKeeper().getSessionId();
            if (now.equals(written) && session == writtenSession) {
                return;
            }
            write(now.toBuilder().setUpdatedAtMs(System.currentTimeMillis()).build(), session);
            written = now;
            writtenSession = session;
            if (failing) {
                log.info("Published the log cleaner status at {} again", path);
                failing = false;
            }
        } catch (Exception e) {
            if (!failing) {
                log.warn(
                        "Could not publish the log cleaner status at {} (tried again every {} ms): {}",
                        path,
                        intervalMs,
                        e.toString());
                failing = true;
            } else {
                log.debug("Could not publish the log cleaner status at {}: {}", path, e.toString());
            }
        }
    }

    /** Create if absent, else CAS on the version read; a predecessor's znode goes first. Re-reads on a lost race. */
    private void write(LogCleanerStatus status, long session) throws Exception {
        byte[] bytes = status.toByteArray();
        for (int attempt = 0; attempt < 10; attempt++) {
            Stat stat = zk.checkExists().forPath(path);
            try {
                if (stat == null) {
                    zk.create().withMode(CreateMode.EPHEMERAL).forPath(path, bytes);
                } else if (stat.getEphemeralOwner() != session) {
                    // broker ids are unique among live brokers: this is an earlier process's, whose session ends
                    zk.delete().withVersion(stat.getVersion()).forPath(path);
                    continue;
                } else {
                    zk.setData().withVersion(stat.getVersion()).forPath(path, bytes);
                }
                log.debug("Published the log cleaner status of {} compacted logs at {}", status.getLogsCount(), path);
                return;
            } catch (KeeperException.NodeExistsException
                    | KeeperException.BadVersionException
                    | KeeperException.NoNodeException raced) {
                // re-read and decide again
            }
        }
        throw new IllegalStateException(path + " kept changing under this broker's writes");
    }

    private void onConnectionState(CuratorFramework client, ConnectionState state) {
        if (state == ConnectionState.RECONNECTED) {
            try {
                thread.execute(this::publishIfChanged); // a new session has lost the ephemeral znode
            } catch (RejectedExecutionException closing) {
                // stopping
            }
        }
    }

    /** Stops publishing and removes the znode if this session holds it. */
    @Override
    public void close() throws InterruptedException {
        zk.getConnectionStateListenable().removeListener(onReconnect);
        thread.shutdownNow();
        thread.awaitTermination(10, TimeUnit.SECONDS);
        try {
            Stat stat = zk.checkExists().forPath(path);
            if (stat != null
                    && stat.getEphemeralOwner()
                            == zk.getZookeeperClient().getZooKeeper().getSessionId()) {
                zk.delete().withVersion(stat.getVersion()).forPath(path);
            }
        } catch (Exception e) {
            log.debug("Could not remove {} on close (the session end removes it): {}", path, e.toString());
        }
    }
}
