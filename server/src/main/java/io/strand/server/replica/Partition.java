package io.strand.server.replica;

import io.strand.coordinator.PartitionInfo;
import io.strand.wal.AppendResult;
import io.strand.wal.LogReadResult;
import io.strand.wal.PartitionLog;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition replica on this broker: its log, its role at a leader epoch (from the partition
 * state znode), and on the leader the high watermark with the waits on it.
 *
 * <p>The high watermark is the smallest log end over the ISR, where the leader's own log end
 * counts only once it is durable (fsynced, in Strand's default mode). It never moves backwards
 * while this broker leads.
 *
 * <p>Thread-safe: role changes take the write lock; appends and reads take the read lock, so an
 * append never straddles a leadership change.
 */
public final class Partition {
    private static final Logger log = LoggerFactory.getLogger(Partition.class);

    private final int localBrokerId;
    private final TopicPartition tp;
    private final Uuid topicId;
    private final PartitionLog wal;
    private final ReentrantReadWriteLock roleLock = new ReentrantReadWriteLock();
    private final OffsetWaiters highWatermarkWaiters = new OffsetWaiters();
    private final Set<Runnable> changeListeners = new CopyOnWriteArraySet<>();
    /** Leader only: each follower's log end offset as learned from its fetches. */
    private final ConcurrentHashMap<Integer, Long> followerLogEnd = new ConcurrentHashMap<>();
    private volatile PartitionInfo info;
    private volatile boolean leader;
    private volatile int minInsyncReplicas = 1;

    Partition(int localBrokerId, TopicPartition tp, Uuid topicId, PartitionLog wal) {
        this.localBrokerId = localBrokerId;
        this.tp = tp;
        this.topicId = topicId;
        this.wal = wal;
        wal.addDurableListener(end -> onLogEndMoved());
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

    public long highWatermark() {
        return wal.highWatermark();
    }

    void setMinInsyncReplicas(int minIsr) {
        this.minInsyncReplicas = minIsr;
    }

    /** Applies a partition state read from ZooKeeper. Called on the replica-state thread only. */
    void applyState(PartitionInfo newInfo) {
        roleLock.writeLock().lock();
        try {
            PartitionInfo old = info;
            boolean wasLeader = leader;
            boolean nowLeader = newInfo.leader() == localBrokerId;
            info = newInfo;
            leader = nowLeader;
            if (nowLeader && (!wasLeader || old == null || old.leaderEpoch() != newInfo.leaderEpoch())) {
                becomeLeader(newInfo);
            } else if (!nowLeader && wasLeader) {
                highWatermarkWaiters.failAll(new NotLeaderOrFollowerException(
                    "broker " + localBrokerId + " is no longer the leader of " + tp));
                followerLogEnd.clear();
                log.info("{}: no longer leader; leader is now {} at epoch {}", tp, newInfo.leader(), newInfo.leaderEpoch());
            }
            followerLogEnd.keySet().retainAll(newInfo.isr());
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
        highWatermarkWaiters.reset(wal.highWatermark());
        log.info("{}: leader at epoch {} with ISR {} (log end {}, high watermark {})", tp, newInfo.leaderEpoch(),
            newInfo.isr(), wal.logEndOffset(), wal.highWatermark());
    }

    /** NONE, or why a request carrying {@code requestEpoch} (-1 = none) must be refused by this leader. */
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
        roleLock.readLock().lock();
        try {
            if (!leader) {
                throw new NotLeaderOrFollowerException("broker " + localBrokerId + " is not the leader of " + tp
                    + " (leader: " + leaderId() + ")");
            }
            int isrSize = isr().size();
            if (requiredAcks == -1 && isrSize < minInsyncReplicas) {
                throw new NotEnoughReplicasException("the ISR of " + tp + " has " + isrSize
                    + " replicas, fewer than min.insync.replicas=" + minInsyncReplicas);
            }
            AppendResult result = wal.appendAsLeader(records, leaderEpoch());
            fireChanged();
            return result;
        } finally {
            roleLock.readLock().unlock();
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

    /** Leader: a follower fetched from {@code fetchOffset}, so its log ends there. */
    public void recordFollowerLogEnd(int replicaId, long fetchOffset) {
        if (isr().contains(replicaId)) {
            followerLogEnd.put(replicaId, fetchOffset);
            maybeAdvanceHighWatermark();
        }
    }

    private void onLogEndMoved() {
        maybeAdvanceHighWatermark();
        fireChanged();
    }

    /** Leader: HW = min(durable local log end, log end of every other ISR member). */
    void maybeAdvanceHighWatermark() {
        if (!leader) {
            return;
        }
        long candidate = wal.durableEndOffset();
        for (int replica : isr()) {
            if (replica != localBrokerId) {
                Long end = followerLogEnd.get(replica);
                if (end == null) {
                    return; // not heard from this ISR member yet at this epoch
                }
                candidate = Math.min(candidate, end);
            }
        }
        boolean moved = false;
        synchronized (this) {
            if (candidate > wal.highWatermark()) {
                wal.updateHighWatermark(candidate);
                moved = true;
            }
        }
        if (moved) {
            highWatermarkWaiters.advanceTo(candidate);
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

    void close(Throwable reason) {
        highWatermarkWaiters.failAll(reason);
        leader = false;
        fireChanged();
    }

    @Override
    public String toString() {
        return "Partition{" + tp + ", leader=" + leaderId() + ", epoch=" + leaderEpoch() + ", isr=" + isr()
            + ", hw=" + highWatermark() + ", leo=" + wal.logEndOffset() + "}";
    }
}
