package io.strand.server.coordinator;

import io.strand.server.concurrent.OrderedExecutor;
import io.strand.server.replica.Partition;
import io.strand.wal.AppendResult;
import io.strand.wal.PartitionLog;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state a coordinator keeps for one partition of its internal topic that this broker leads, at
 * one leader epoch: the partition, the epoch, the shard's {@link Status} and its {@link
 * OrderedExecutor}. It reads the partition's log from start to end into the subclass ({@link #load},
 * {@link #replay}), awaits acks=all appends back on the executor ({@link #awaitAcknowledged}), and
 * runs timers on the executor ({@link #schedule}). What a shard holds, its record formats and what
 * its records mean stay in the subclass ({@link ShardedCoordinator} creates and drops shards).
 *
 * <p>Threading: everything that reads or changes a shard's state runs on its ordered executor
 * ({@link #submit}, {@link #execute}), one task at a time, so subclasses need no lock; append
 * acknowledgements and timers hop onto it. {@link #status()} is the only state read from other
 * threads; the coordinator marks a shard {@link Status#UNLOADED} from the replica-state thread.
 */
public abstract class InternalShard {
    /** A shard loads once, is active until leadership moves, then is unloaded for good. */
    public enum Status {
        LOADING,
        ACTIVE,
        UNLOADED
    }

    /** The subclass's logger, so that log lines keep their class's name. */
    protected final Logger log = LoggerFactory.getLogger(getClass());

    public final TopicPartition tp;
    /** The leader epoch of the partition when this shard took it. */
    public final int leaderEpoch;

    public final Partition partition;
    private final OrderedExecutor executor;
    private final ScheduledExecutorService timer;
    private volatile Status status = Status.LOADING;

    /**
     * @param executorName the ordered executor's name (its partition is appended)
     * @param timer the timer {@link #schedule} uses; null if the shard schedules nothing
     */
    protected InternalShard(
            Partition partition, int leaderEpoch, Executor pool, String executorName, ScheduledExecutorService timer) {
        this.tp = partition.topicPartition();
        this.leaderEpoch = leaderEpoch;
        this.partition = partition;
        this.executor = new OrderedExecutor(pool, executorName + " " + tp);
        this.timer = timer;
    }

    public final Status status() {
        return status;
    }

    /** Set on the replica-state thread when leadership moves (before {@link #unload} runs on the executor). */
    final void markUnloaded() {
        status = Status.UNLOADED;
    }

    /** Runs {@code task} on this shard's executor; the returned future completes with the task's future. */
    public final <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> task) {
        return executor.submit(task);
    }

    public final void execute(Runnable task) {
        executor.execute(task);
    }

    /** True while the partition is still led by this broker at this shard's epoch. */
    public final boolean isCurrentLeader() {
        return partition.isLeader() && partition.leaderEpoch() == leaderEpoch;
    }

    /** Active, and the partition still led at this shard's epoch: appends may go ahead. */
    public final boolean isActive() {
        return status == Status.ACTIVE && isCurrentLeader();
    }

    /** Runs {@code task} on the executor after {@code delayMs}, if this shard is still active then. */
    public final void schedule(long delayMs, Runnable task) {
        try {
            timer.schedule(
                    () -> executor.execute(() -> {
                        if (status == Status.ACTIVE) {
                            task.run();
                        }
                    }),
                    Math.max(0, delayMs),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("{}: timer rejected a task (shutting down)", tp);
        }
    }

    // ============================================================================================ load / unload

    /**
     * Reads the partition's log from its start to its end now, handing control batches to {@link
     * #replayControl} and each record to {@link #replay}; then {@link #completeLoad}, status ACTIVE and
     * {@link #logLoaded}. On the executor. Returns false if the load did not complete (a failure is
     * logged by {@link #logLoadFailure}; the shard stays LOADING until leadership moves).
     */
    public final boolean load() {
        if (status != Status.LOADING) {
            return false;
        }
        long started = System.nanoTime();
        PartitionLog wal = partition.log();
        long end = wal.logEndOffset();
        int records = 0;
        try {
            for (RecordBatch batch : wal.batchesFrom(wal.logStartOffset())) {
                if (batch.baseOffset() >= end || status != Status.LOADING) {
                    break;
                }
                if (batch.isControlBatch()) {
                    replayControl(batch);
                    continue;
                }
                for (Record r : batch) {
                    if (r.offset() >= end) {
                        break;
                    }
                    records++;
                    replay(r, batch);
                }
            }
        } catch (RuntimeException e) {
            logLoadFailure(e);
            return false;
        }
        if (status != Status.LOADING) {
            return false;
        }
        completeLoad();
        status = Status.ACTIVE;
        logLoaded(records, end, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return true;
    }

    /** A control batch met while loading; none by default. */
    protected void replayControl(RecordBatch batch) {}

    /** One record of {@code batch} met while loading (the newest record per key wins). */
    protected abstract void replay(Record r, RecordBatch batch);

    /** What is left to do once every record is replayed, before the shard turns ACTIVE; nothing by default. */
    protected void completeLoad() {}

    protected abstract void logLoadFailure(RuntimeException e);

    protected abstract void logLoaded(int records, long endOffset, long millis);

    /** Leadership moved away: status UNLOADED, then {@link #unloadState}. On the executor. */
    public final void unload() {
        status = Status.UNLOADED;
        unloadState();
    }

    /** Drops what the shard holds (and answers whatever waits on it). On the executor. */
    protected abstract void unloadState();

    // ================================================================================================= append

    /**
     * Waits, with {@code timeoutMs}, until every ISR member has {@code appended} (acks=all), then runs
     * {@code onAcknowledged} on the executor with the failure, or null once acknowledged; runs {@code
     * onStopped} instead if the executor no longer takes tasks.
     */
    protected final void awaitAcknowledged(
            AppendResult appended, long timeoutMs, Consumer<Throwable> onAcknowledged, Runnable onStopped) {
        partition
                .awaitAcknowledgement(appended.lastOffset() + 1, (short) -1)
                .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .whenComplete((v, e) -> executor.execute(() -> onAcknowledged.accept(e), onStopped));
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{" + tp + ", epoch " + leaderEpoch + ", " + status + "}";
    }
}
