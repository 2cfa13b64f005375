package io.strand.server.replica;

import io.strand.coordinator.proto.LogDirStatus;
import io.strand.coordinator.proto.PartitionRef;
import io.strand.coordinator.proto.UnavailableLogDir;
import io.strand.wal.LogDirListener;
import io.strand.wal.LogDirState;
import io.strand.wal.LogManager;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the log manager's log-directory events into what the rest of the cluster needs to know. A directory that
 * went offline stops its replicas here ({@link ReplicaManager#stopPartitionsIn}); every directory that is offline or
 * below its free-space floor is published in this broker's registration (where the controller reads it, moves
 * leadership to other ISR members and takes this broker's replicas in it out of their ISRs); and when every
 * directory is offline the broker is told to stop, since it can host nothing.
 *
 * <p>Thread-safe: events are handled in order on the "log-dir-reporter" thread.
 */
public final class LogDirReporter implements LogDirListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogDirReporter.class);

    private final int brokerId;
    private final LogManager logs;
    private final ReplicaManager replicas;
    private final Runnable onAllOffline;
    private final ExecutorService thread =
            Executors.newSingleThreadExecutor(ThreadUtils.createThreadFactory("log-dir-reporter", true));
    /** Offline directories whose replicas have been stopped (reporter thread only). */
    private final Set<Path> stopped = new HashSet<>();

    private final AtomicLong offlineEvents = new AtomicLong();
    private volatile List<UnavailableLogDir> unavailable = List.of();
    private volatile Consumer<List<UnavailableLogDir>> publisher = dirs -> {};
    private volatile boolean allOfflineSignalled;

    public LogDirReporter(int brokerId, LogManager logs, ReplicaManager replicas, Runnable onAllOffline) {
        this.brokerId = brokerId;
        this.logs = logs;
        this.replicas = replicas;
        this.onAllOffline = onAllOffline;
    }

    /** The unavailable directories now, as the registration carries them. */
    public List<UnavailableLogDir> unavailable() {
        return unavailable;
    }

    /** Where changes are published from now on (the broker's registrar); publishes the current state once. */
    public void publishTo(Consumer<List<UnavailableLogDir>> publisher) {
        try {
            thread.execute(() -> {
                this.publisher = publisher;
                report();
                if (!unavailable.isEmpty()) {
                    publisher.accept(unavailable);
                }
            });
        } catch (RejectedExecutionException closed) {
            // stopping
        }
    }

    /** How many log directories went offline since start. */
    public long offlineEvents() {
        return offlineEvents.get();
    }

    @Override
    public void onLogDirsChanged() {
        try {
            thread.execute(this::report);
        } catch (RejectedExecutionException closed) {
            // stopping
        }
    }

    private void report() {
        List<LogDirState> states = logs.logDirStates();
        for (LogDirState s : states) {
            if (s.status() == LogDirState.Status.OFFLINE && stopped.add(s.dir())) {
                offlineEvents.incrementAndGet();
                log.error(
                        "Broker {}: log directory {} is offline ({}); stopping its {} replicas and telling the controller",
                        brokerId,
                        s.dir(),
                        s.reason(),
                        s.partitions().size());
                if (!s.partitions().isEmpty()) {
                    replicas.stopPartitionsIn(s.dir(), s.partitions(), s.reason());
                }
            }
        }
        List<UnavailableLogDir> now = states.stream()
                .filter(s -> !s.online())
                .map(LogDirReporter::toRegistration)
                .toList();
        if (!now.equals(unavailable)) {
            unavailable = now;
            publisher.accept(now);
        }
        if (logs.allLogDirsOffline() && !allOfflineSignalled) {
            allOfflineSignalled = true;
            log.error("Broker {}: every log directory is offline ({}): shutting down", brokerId, logs.logDirs());
            onAllOffline.run();
        }
    }

    private static UnavailableLogDir toRegistration(LogDirState s) {
        UnavailableLogDir.Builder b = UnavailableLogDir.newBuilder()
                .setPath(s.dir().toString())
                .setStatus(
                        s.status() == LogDirState.Status.OFFLINE
                                ? LogDirStatus.OFFLINE
                                : LogDirStatus.BELOW_FREE_SPACE_FLOOR)
                .setReason(s.reason());
        s.partitions()
                .forEach(tp -> b.addPartitions(
                        PartitionRef.newBuilder().setTopic(tp.topic()).setPartition(tp.partition())));
        return b.build();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    /** Replicas of this broker in offline log directories, as last reported. */
    public long offlineReplicas() {
        return unavailable().stream()
                .filter(d -> d.getStatus() == io.strand.coordinator.proto.LogDirStatus.OFFLINE)
                .mapToInt(io.strand.coordinator.proto.UnavailableLogDir::getPartitionsCount)
                .sum();
    }
}
