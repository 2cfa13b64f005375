package io.strand.server.replica;

import io.strand.coordinator.PartitionInfo;
import io.strand.wal.AppendResult;
import io.strand.wal.EpochEndOffset;
import io.strand.wal.LogReadResult;
import io.strand.wal.PartitionLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition replica on this broker: its log and its role at a leader epoch (from the partition
 * state znode). As leader it tracks each follower's log end and last caught-up time from their
 * fetches, keeps the high watermark, asks for ISR changes, and completes acks=all waits. As follower
 * it takes the leader's batches from its replica fetcher.
 *
 * <p>The high watermark is the smallest log end over the ISR, where the leader's own log end counts
 * only once durable (fsynced, in Strand's default mode) and a follower's log end is the offset it
 * fetches from (it fsyncs before fetching). It never moves backwards while this broker leads, and
 * does not move while the ISR is smaller than min.insync.replicas (capped at the replica count).
 *
 * <p>Thread-safe: role changes take the write lock; appends take the read lock, so an append never
 * straddles a leadership change. When the log's durable end moves (an fsync on a WAL flusher thread,
 * or an append in relaxed mode), the high-watermark advance, the acks=all completions and the wake-up
 * of parked fetches ({@link #addChangeListener}) run on the broker's request threads (the executor
 * given at construction), one task at a time per partition and one task per burst of fsyncs: the WAL
 * flusher threads do nothing but fsync.
 */
public final class Partition {
    private static final Logger log = LoggerFactory.getLogger(Partition.class);

    /** Asks for the ISR to change as this leader at its epoch; the answer arrives as a new state. */
    interface IsrChangeRequester {
        void requestIsrChange(Partition partition, int leaderEpoch, UnaryOperator<List<Integer>> change, String why);
    }

    private final int localBrokerId;
    private final TopicPartition tp;
    private final Uuid topicId;
    private final PartitionLog wal;
    private final IsrChangeRequester isrChanges;
    private final ReentrantReadWriteLock roleLock = new ReentrantReadWriteLock();
    private final OffsetWaiters highWatermarkWaiters = new OffsetWaiters();
    /** Parked fetches (a set with O(1) add and remove: a follower's fetch may park on thousands of partitions). */
    private final Set<Runnable> changeListeners = ConcurrentHashMap.newKeySet();

    private final FollowerStates followers;
    private final LongConsumer durableListener = end -> onLogEndMoved();
    /** The acks=all appends waiting for their acknowledgement, for the latency breakdown. */
    private final AckTimeline ackTimeline;

    private final AtomicBoolean isrChangePending = new AtomicBoolean();
    /** Appends, truncations and the producer state, under its own lock (taken inside the role lock). */
    private final PartitionWriter writer;

    private volatile PartitionInfo info;
    private volatile boolean leader;
    private volatile long leaderEpochStartOffset;
    private volatile int minInsyncReplicas = 1;

    /**
     * @param durableWork where durable-end moves are handled (the broker's request pool), so that
     *     they never run on a WAL flusher thread
     */
    Partition(
            int localBrokerId,
            TopicPartition tp,
            Uuid topicId,
            PartitionLog wal,
            IsrChangeRequester isrChanges,
            Executor durableWork,
            AckLatency ackLatency) {
        this.localBrokerId = localBrokerId;
        this.followers = new FollowerStates(localBrokerId);
        this.tp = tp;
        this.topicId = topicId;
        this.wal = wal;
        this.isrChanges = isrChanges;
        this.writer = new PartitionWriter(tp, wal);
        this.ackTimeline = new AckTimeline(ackLatency);
        wal.cleanable().setHints(writer.cleanerHints());
        wal.addDurableListener(durableListener, durableWork);
    }

    public TopicPartition topicPartition() {
        return tp;
    }

    public Uuid topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return wal;
    }

    public boolean isLeader() {
        return leader;
    }

    public int leaderEpoch() {
        PartitionInfo i = info;
        return i == null ? -1 : i.leaderEpoch();
    }

    public int leaderId() {
        PartitionInfo i = info;
        return i == null ? -1 : i.leader();
    }

    public List<Integer> isr() {
        PartitionInfo i = info;
        return i == null ? List.of() : i.isr();
    }

    public List<Integer> replicas() {
        PartitionInfo i = info;
        return i == null ? List.of() : i.replicas();
    }

    /** The state last applied (null before the first). */
    PartitionInfo info() {
        return info;
    }

    /** The version of the replica state last applied (leader, epoch, ISR, replicas); -1 before the first. */
    public int stateVersion() {
        PartitionInfo i = info;
        return i == null ? -1 : i.stateVersion();
    }

    public long highWatermark() {
        return wal.highWatermark();
    }

    public int minInsyncReplicas() {
        return minInsyncReplicas;
    }

    void setMinInsyncReplicas(int minIsr) {
        this.minInsyncReplicas = minIsr;
    }

    /**
     * Applies a partition state read from ZooKeeper (or just written by this leader). A state older
     * than the one applied is ignored. Called on the replica-state thread only.
     */
    void applyState(PartitionInfo newInfo) {
        roleLock.writeLock().lock();
        try {
            PartitionInfo old = info;
            if (old != null && newInfo.stateVersion() < old.stateVersion()) {
                return;
            }
            boolean wasLeader = leader;
            boolean nowLeader = newInfo.leader() == localBrokerId;
            info = newInfo;
            leader = nowLeader;
            if (nowLeader && (!wasLeader || old == null || old.leaderEpoch() != newInfo.leaderEpoch())) {
                becomeLeader(newInfo);
            } else if (!nowLeader && wasLeader) {
                highWatermarkWaiters.failAll(new NotLeaderOrFollowerException(
                        "broker " + localBrokerId + " is no longer the leader of " + tp));
                followers.clear();
                ackTimeline.clear();
                log.info(
                        "{}: no longer leader; leader is now {} at epoch {}",
                        tp,
                        newInfo.leader(),
                        newInfo.leaderEpoch());
            }
            if (nowLeader) {
                followers.track(newInfo.replicas(), System.currentTimeMillis());
                if (newInfo.isr().size()
                        < Math.min(minInsyncReplicas, newInfo.replicas().size())) {
                    highWatermarkWaiters.failAll(new NotEnoughReplicasAfterAppendException("the ISR of " + tp
                            + " shrank to " + newInfo.isr() + ", below min.insync.replicas=" + minInsyncReplicas));
                }
            }
        } finally {
            roleLock.writeLock().unlock();
        }
        maybeAdvanceHighWatermark();
        fireChanged();
    }

    private void becomeLeader(PartitionInfo newInfo) {
        if (wal.latestEpoch().orElse(-1) < newInfo.leaderEpoch()) {
            wal.assignEpochStartOffset(newInfo.leaderEpoch(), wal.logEndOffset());
        }
        leaderEpochStartOffset = wal.logEndOffset();
        followers.clear();
        ackTimeline.clear();
        highWatermarkWaiters.reset(wal.highWatermark());
        log.info(
                "{}: leader at epoch {} with ISR {} (log end {}, high watermark {})",
                tp,
                newInfo.leaderEpoch(),
                newInfo.isr(),
                wal.logEndOffset(),
                wal.highWatermark());
    }

    /** NONE, or why a request carrying {@code requestEpoch} (-1 = none) must be refused by this replica. */
    public Errors checkLeaderEpoch(int requestEpoch) {
        int epoch = leaderEpoch();
        if (requestEpoch == -1 || requestEpoch == epoch) {
            return Errors.NONE;
        }
        return requestEpoch < epoch ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH;
    }

    /**
     * Appends a client's batches as leader.
     *
     * @throws NotLeaderOrFollowerException if this broker does not lead the partition
     * @throws NotEnoughReplicasException if acks=all and the ISR is below min.insync.replicas
     */
    public AppendResult appendAsLeader(MemoryRecords records, short requiredAcks) {
        return appendLed(requiredAcks, epoch -> writer.appendFromClient(records, epoch));
    }

    /**
     * Appends a coordinator's own batches as leader (group records, transactional offset commits):
     * no producer sequence checks. Same leader and ISR checks as {@link #appendAsLeader}.
     */
    public AppendResult appendFromCoordinator(MemoryRecords records, short requiredAcks) {
        return appendLed(requiredAcks, epoch -> writer.appendFromCoordinator(records, epoch));
    }

    /**
     * Writes a transaction marker (WriteTxnMarkers) as leader.
     *
     * @throws org.apache.kafka.common.errors.InvalidProducerEpochException the producer was fenced since
     * @throws org.apache.kafka.common.errors.TransactionCoordinatorFencedException an older coordinator epoch
     */
    public AppendResult appendTxnMarker(long producerId, short producerEpoch, boolean commit, int coordinatorEpoch) {
        return appendLed(
                (short) -1,
                epoch -> writer.appendMarker(
                        producerId, producerEpoch, commit, coordinatorEpoch, epoch, System.currentTimeMillis()));
    }

    private AppendResult appendLed(short requiredAcks, java.util.function.IntFunction<AppendResult> append) {
        roleLock.readLock().lock();
        try {
            if (!leader) {
                throw new NotLeaderOrFollowerException(
                        "broker " + localBrokerId + " is not the leader of " + tp + " (leader: " + leaderId() + ")");
            }
            List<Integer> inSync = followers.inSync(isr());
            if (requiredAcks == -1 && inSync.size() < minInsyncReplicas) {
                throw new NotEnoughReplicasException("the ISR of " + tp + " is " + isr() + ", of which " + inSync
                        + " in sync, fewer than min.insync.replicas=" + minInsyncReplicas);
            }
            long start = System.nanoTime();
            AppendResult result = append.apply(leaderEpoch());
            if (requiredAcks == -1 && result.lastOffset() >= result.firstOffset()) {
                ackTimeline.appended(result.lastOffset() + 1, start);
            }
            fireChanged();
            return result;
        } finally {
            roleLock.readLock().unlock();
        }
    }

    /**
     * Appends batches fetched from the leader at {@code leaderEpoch}.
     *
     * @throws NotLeaderOrFollowerException if this replica no longer follows at that epoch
     */
    public AppendResult appendAsFollower(MemoryRecords records, int expectedLeaderEpoch) {
        roleLock.readLock().lock();
        try {
            if (leader || leaderEpoch() != expectedLeaderEpoch) {
                throw new NotLeaderOrFollowerException(tp + " is no longer a follower at epoch " + expectedLeaderEpoch);
            }
            return writer.appendReplicated(records);
        } finally {
            roleLock.readLock().unlock();
        }
    }

    /** Follower: truncates the log (divergence from the leader), while still following at {@code leaderEpoch}. */
    boolean truncateAsFollower(long offset, int expectedLeaderEpoch) {
        roleLock.readLock().lock();
        try {
            if (leader || leaderEpoch() != expectedLeaderEpoch) {
                return false;
            }
            if (offset < wal.logEndOffset()) {
                log.info(
                        "{}: truncating from {} to {} to match leader {} at epoch {}",
                        tp,
                        wal.logEndOffset(),
                        offset,
                        leaderId(),
                        expectedLeaderEpoch);
                writer.truncateTo(offset);
            } else {
                // nothing to cut, but an epoch this replica started at its log end (as leader, without
                // appending) is unknown to the leader: drop it, or every fetch would diverge again
                writer.truncateTo(offset);
            }
            return true;
        } finally {
            roleLock.readLock().unlock();
        }
    }

    /** Follower: restarts the log at the leader's log start (this replica fell behind it). */
    boolean restartAsFollowerAt(long leaderLogStart, int expectedLeaderEpoch) {
        roleLock.readLock().lock();
        try {
            if (leader || leaderEpoch() != expectedLeaderEpoch) {
                return false;
            }
            log.info(
                    "{}: log end {} is before the leader's log start {}; starting over there",
                    tp,
                    wal.logEndOffset(),
                    leaderLogStart);
            writer.restartAt(leaderLogStart);
            return true;
        } finally {
            roleLock.readLock().unlock();
        }
    }

    /** Follower: learns the leader's high watermark from a fetch response. */
    void updateFollowerHighWatermark(long leaderHighWatermark) {
        if (!leader) {
            wal.updateHighWatermark(Math.min(leaderHighWatermark, wal.logEndOffset()));
            writer.lastStableOffset(wal.highWatermark()); // forgets transactions now stable
        }
    }

    /** Follower: records deleted on the leader (DeleteRecords, retention) go here too, up to what is committed. */
    void followLeaderLogStart(long leaderLogStart) {
        if (!leader && leaderLogStart > wal.logStartOffset()) {
            long to = Math.min(leaderLogStart, wal.highWatermark());
            if (to > wal.logStartOffset()) {
                wal.deleteRecordsBefore(to);
            }
        }
    }

    /**
     * Completes when the record ending before {@code endOffset} is acknowledged as {@code acks}
     * asks: -1 when the high watermark passes it, 1 when it is durable on this broker.
     */
    public CompletableFuture<Void> awaitAcknowledgement(long endOffset, short acks) {
        if (acks == -1) {
            return highWatermarkWaiters.await(endOffset);
        }
        return wal.awaitDurable(endOffset);
    }

    /** Reads for a consumer: only what is below the high watermark. */
    public LogReadResult readCommitted(long offset, int maxBytes, boolean minOneBatch) {
        return wal.read(offset, maxBytes, wal.highWatermark(), minOneBatch);
    }

    /** Reads for a read_committed consumer: only what is below the last stable offset. */
    public LogReadResult readStable(long offset, int maxBytes, boolean minOneBatch) {
        return wal.read(offset, maxBytes, lastStableOffset(), minOneBatch);
    }

    /** The last stable offset: the high watermark, or the first offset of the oldest transaction not yet decided. */
    public long lastStableOffset() {
        return writer.lastStableOffset(wal.highWatermark());
    }

    /** The aborted transactions a read_committed fetch of {@code [start, upperBound)} must be told of. */
    public List<io.strand.wal.AbortedTxn> abortedTransactions(long start, long upperBound) {
        return wal.abortedTransactions(start, upperBound);
    }

    public int openTransactions() {
        return writer.openTransactions();
    }

    /** Reads for a follower: up to the log end. */
    public LogReadResult readForFollower(long offset, int maxBytes, boolean minOneBatch) {
        return wal.read(offset, maxBytes, wal.logEndOffset(), minOneBatch);
    }

    /**
     * Leader, on a follower's fetch: where the follower's log diverges from ours, if it does
     * (its last fetched epoch ends earlier here, or is unknown here), else null.
     */
    public EpochEndOffset divergence(int lastFetchedEpoch, long fetchOffset) {
        if (lastFetchedEpoch < 0) {
            return null;
        }
        EpochEndOffset ours = wal.endOffsetForEpoch(lastFetchedEpoch);
        if (ours.endOffset() < 0) {
            // we know no epoch that old: the follower keeps nothing beyond where our first epoch starts
            List<io.strand.wal.EpochEntry> entries = wal.epochEntries();
            long start =
                    entries.isEmpty() ? wal.logStartOffset() : entries.get(0).startOffset();
            return new EpochEndOffset(-1, start);
        }
        if (ours.epoch() < lastFetchedEpoch || ours.endOffset() < fetchOffset) {
            return ours;
        }
        return null;
    }

    /**
     * Leader: a follower fetched, and its log is durable up to {@code durableEnd} (its fetch offset, or less when it
     * fetches ahead of its fsyncs and says so: {@link DurabilityReports}). Updates its caught-up time and the high
     * watermark, and asks to add it back to the ISR once its durable log reaches the high watermark in this
     * leader's epoch.
     */
    public void onFollowerFetch(int replicaId, long durableEnd, long nowMs) {
        if (!leader || !followers.onFetch(replicaId, durableEnd, wal.logEndOffset(), nowMs)) {
            return;
        }
        ackTimeline.followerReported(replicaId, durableEnd);
        maybeAdvanceHighWatermark();
        List<Integer> isr = isr();
        if (!isr.contains(replicaId)
                && replicas().contains(replicaId)
                && durableEnd >= wal.highWatermark()
                && durableEnd >= leaderEpochStartOffset) {
            requestIsrChange(
                    current -> {
                        List<Integer> next = new ArrayList<>(current);
                        if (!next.contains(replicaId)) {
                            next.add(replicaId);
                        }
                        return next;
                    },
                    "replica " + replicaId + " caught up to " + durableEnd);
        }
    }

    /**
     * Leader: a follower fetched again from the log end, and nothing has changed since the fetch that found it caught
     * up: it is still caught up now (nothing else to update).
     */
    public void onFollowerStillCaughtUp(int replicaId, long nowMs) {
        if (leader) {
            followers.stillCaughtUp(replicaId, nowMs);
        }
    }

    /** Leader: removes ISR members that have not caught up within {@code maxLagMs}. */
    void maybeShrinkIsr(long nowMs, long maxLagMs) {
        if (!leader) {
            return;
        }
        List<Integer> lagging = followers.lagging(isr(), nowMs, maxLagMs);
        followers.noteLagging(lagging);
        if (followers.inSync(isr()).size()
                < Math.min(minInsyncReplicas, replicas().size())) {
            highWatermarkWaiters.failAll(new NotEnoughReplicasAfterAppendException(
                    "replicas " + lagging + " of " + tp + " have not caught up for " + maxLagMs + " ms"));
        }
        if (!lagging.isEmpty()) {
            requestIsrChange(
                    current ->
                            current.stream().filter(r -> !lagging.contains(r)).toList(),
                    "replicas " + lagging + " have not caught up for " + maxLagMs + " ms");
        }
    }

    private void requestIsrChange(UnaryOperator<List<Integer>> change, String why) {
        if (isrChangePending.compareAndSet(false, true)) {
            isrChanges.requestIsrChange(this, leaderEpoch(), change, why);
        }
    }

    void isrChangeDone() {
        isrChangePending.set(false);
    }

    private void onLogEndMoved() {
        if (leader) ackTimeline.leaderDurable(wal.durableEndOffset());
        maybeAdvanceHighWatermark();
        fireChanged();
    }

    /** Leader: HW = min(durable local log end, log end of every other ISR member), never backwards. */
    void maybeAdvanceHighWatermark() {
        if (!leader) {
            return;
        }
        List<Integer> isr = isr();
        if (isr.size() < Math.min(minInsyncReplicas, replicas().size())) {
            return;
        }
        long candidate = followers.minLogEnd(isr, wal.durableEndOffset());
        if (candidate < 0) {
            return; // not heard from an ISR member yet in this epoch
        }
        boolean moved = false;
        synchronized (this) {
            if (leader && candidate > wal.highWatermark()) {
                wal.updateHighWatermark(candidate);
                moved = true;
            }
        }
        if (moved) {
            ackTimeline.committed(wal.highWatermark());
            highWatermarkWaiters.advanceTo(wal.highWatermark());
            writer.lastStableOffset(wal.highWatermark()); // forgets transactions now stable
            fireChanged();
        }
    }

    public void addChangeListener(Runnable listener) {
        changeListeners.add(listener);
    }

    public void removeChangeListener(Runnable listener) {
        changeListeners.remove(listener);
    }

    private void fireChanged() {
        for (Runnable r : changeListeners) {
            r.run();
        }
    }

    /** The producers this partition knows (DescribeProducers). */
    public List<ProducerSummary> producers() {
        return writer.producers();
    }

    /**
     * A producer as DescribeProducers reports it; {@code currentTxnStartOffset} -1 without an open
     * transaction, {@code coordinatorEpoch} -1 before its first marker.
     */
    public record ProducerSummary(
            long producerId,
            short epoch,
            int lastSequence,
            long lastTimestamp,
            long lastOffset,
            int coordinatorEpoch,
            long currentTxnStartOffset) {}

    /** Drops producers idle for {@code expirationMs} (producer.id.expiration.ms). */
    void expireProducers(long nowMs, long expirationMs) {
        int n = writer.expireProducers(nowMs, expirationMs);
        if (n > 0) {
            log.info("{}: expired {} idle producer ids", tp, n);
        }
    }

    void close(Throwable reason) {
        wal.removeDurableListener(durableListener);
        writer.snapshotIfBehind();
        highWatermarkWaiters.failAll(reason);
        ackTimeline.clear();
        leader = false;
        fireChanged();
    }

    @Override
    public String toString() {
        return "Partition{" + tp + ", leader=" + leaderId() + ", epoch=" + leaderEpoch() + ", isr=" + isr() + ", hw="
                + highWatermark() + ", leo=" + wal.logEndOffset() + "}";
    }
}
