package io.strand.server.txn;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.TopicView;
import io.strand.server.txn.TransactionCoordinator.EndResult;
import io.strand.server.txn.TransactionCoordinator.InitResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.internals.ProducerIdAndEpoch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the transaction coordinator does to one transactional id, after Kafka's TransactionCoordinator
 * (transaction version 1): InitProducerId, AddPartitionsToTxn (and its verification form), EndTxn,
 * the markers that complete a commit or abort, the abort of timed-out transactions and the removal
 * of expired transactional ids. Every method runs on the shard's executor and changes a
 * {@link TxnMetadata} only through a written {@link TxnTransit} ({@link TxnShard#write}).
 */
final class TxnOperations {
    private static final Logger log = LoggerFactory.getLogger(TxnOperations.class);

    private final TxnConfig config;
    private final MetadataCache cache;
    private final MarkerSender markers;
    private final LongSupplier clock;
    final Counter commits;
    final Counter aborts;
    final Counter timedOutAborts;
    final Counter fencedProducers;
    final Timer markerWriteTime;

    TxnOperations(
            TxnConfig config, MetadataCache cache, MarkerSender markers, MetricRegistry metrics, LongSupplier clock) {
        this.config = config;
        this.cache = cache;
        this.markers = markers;
        this.clock = clock;
        this.commits = metrics.counter("txn.commits");
        this.aborts = metrics.counter("txn.aborts");
        this.timedOutAborts = metrics.counter("txn.timed-out-aborts");
        this.fencedProducers = metrics.counter("txn.producers-fenced");
        this.markerWriteTime = metrics.timer("txn.marker-write-time");
    }

    /** Asks the caller to allocate a producer id and call {@link #initProducerId} again with it. */
    static final InitResult NEEDS_PRODUCER_ID = new InitResult(Errors.NONE, -2, (short) -2);

    // ============================================================================================ InitProducerId

    /**
     * InitProducerId with a transactional id. {@code newProducerId} is a freshly allocated id, or -1:
     * when one is needed (a new transactional id, an exhausted epoch) and none was given, answers
     * {@link #NEEDS_PRODUCER_ID}.
     */
    CompletableFuture<InitResult> initProducerId(
            TxnShard shard, String id, int timeoutMs, Optional<ProducerIdAndEpoch> expected, long newProducerId) {
        TxnMetadata m = shard.txns.get(id);
        if (m == null) {
            if (newProducerId < 0) {
                return CompletableFuture.completedFuture(NEEDS_PRODUCER_ID);
            }
            m = TxnMetadata.fresh(id, newProducerId, timeoutMs, clock.getAsLong());
            shard.txns.put(id, m);
            newProducerId = -1; // used
        }
        if (m.pendingTransitionInProgress()) {
            return done(InitResult.error(Errors.CONCURRENT_TRANSACTIONS));
        }
        TxnMetadata txn = m;
        if (expected.isPresent() && !validExpectedProducer(txn, expected.get())) {
            log.info(
                    "Transactional id {}: InitProducerId from producer id {} epoch {} is fenced (current producer id {} epoch {})",
                    id,
                    expected.get().producerId,
                    expected.get().epoch,
                    txn.producerId,
                    txn.producerEpoch);
            return done(InitResult.error(Errors.PRODUCER_FENCED));
        }
        long now = clock.getAsLong();
        TxnTransit transit;
        switch (txn.state) {
            case PREPARE_COMMIT, PREPARE_ABORT -> {
                return done(InitResult.error(Errors.CONCURRENT_TRANSACTIONS));
            }
            case EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT -> {
                if (txn.isProducerEpochExhausted()
                        && expected.map(e -> e.epoch == txn.producerEpoch).orElse(true)) {
                    if (newProducerId < 0) {
                        return done(NEEDS_PRODUCER_ID);
                    }
                    log.info(
                            "Transactional id {}: producer id {} has used up its epochs; moving to producer id {}",
                            id,
                            txn.producerId,
                            newProducerId);
                    transit = txn.prepareProducerIdRotation(newProducerId, timeoutMs, now, expected.isPresent());
                } else {
                    TxnMetadata.Decision d =
                            txn.prepareIncrementProducerEpoch(timeoutMs, expected.map(e -> e.epoch), now);
                    if (d.error() != Errors.NONE) {
                        return done(InitResult.error(d.error()));
                    }
                    transit = d.transit();
                }
            }
            case ONGOING -> {
                // abort the ongoing transaction at a bumped epoch (fencing its producer); the client retries
                // once the abort completed and gets the epoch after that
                TxnTransit fence = txn.prepareFenceProducerEpoch();
                fencedProducers.inc();
                log.info(
                        "Transactional id {}: a new producer instance initialises while a transaction of producer id {}"
                                + " epoch {} is ongoing; aborting it and fencing that producer with epoch {}",
                        id,
                        txn.producerId,
                        txn.producerEpoch,
                        fence.producerEpoch());
                return endTransaction(shard, id, fence.producerId(), fence.producerEpoch(), false, false)
                        .thenApply(r -> InitResult.error(
                                r.error() == Errors.NONE ? Errors.CONCURRENT_TRANSACTIONS : r.error()));
            }
            default -> throw new IllegalStateException(txn + " is in a state InitProducerId never meets");
        }
        return shard.write(txn, transit, false).thenApply(e -> {
            if (e != Errors.NONE) {
                return InitResult.error(e);
            }
            log.info(
                    "Transactional id {}: initialised producer id {} epoch {} (timeout {} ms) on {}",
                    id,
                    txn.producerId,
                    txn.producerEpoch,
                    txn.timeoutMs,
                    shard.tp);
            return new InitResult(Errors.NONE, txn.producerId, txn.producerEpoch);
        });
    }

    /** KIP-360: a producer that names its id and epoch is fenced unless it is the current (or just-rotated) one. */
    private static boolean validExpectedProducer(TxnMetadata m, ProducerIdAndEpoch expected) {
        return m.producerEpoch == RecordBatch.NO_PRODUCER_EPOCH
                || expected.producerId == m.producerId
                || (expected.producerId == m.previousProducerId && TxnMetadata.isEpochExhausted(expected.epoch));
    }

    // ========================================================================================= AddPartitionsToTxn

    CompletableFuture<Errors> addPartitions(
            TxnShard shard, String id, long producerId, short epoch, Set<TopicPartition> partitions) {
        TxnMetadata m = shard.txns.get(id);
        Errors refused = checkProducer(m, producerId, epoch);
        if (refused != Errors.NONE) {
            return CompletableFuture.completedFuture(refused);
        }
        if (m.pendingTransitionInProgress() || m.state.isPrepare()) {
            return CompletableFuture.completedFuture(Errors.CONCURRENT_TRANSACTIONS);
        }
        if (m.state == TxnState.ONGOING && m.partitions.containsAll(partitions)) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }
        return shard.write(m, m.prepareAddPartitions(partitions, clock.getAsLong()), false);
    }

    /**
     * AddPartitionsToTxn v4+ with verifyOnly (KIP-890): whether each partition is already in the ongoing
     * transaction: NONE, else {@code notInTransaction} (TRANSACTION_ABORTABLE from v5, INVALID_TXN_STATE before).
     */
    Map<TopicPartition, Errors> verifyPartitions(
            TxnShard shard,
            String id,
            long producerId,
            short epoch,
            Set<TopicPartition> partitions,
            Errors notInTransaction) {
        TxnMetadata m = shard.txns.get(id);
        Errors refused = checkProducer(m, producerId, epoch);
        if (refused == Errors.NONE && m.state.isPrepare()) {
            refused = Errors.CONCURRENT_TRANSACTIONS;
        }
        Map<TopicPartition, Errors> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            out.put(tp, refused != Errors.NONE ? refused : m.partitions.contains(tp) ? Errors.NONE : notInTransaction);
        }
        return out;
    }

    private static Errors checkProducer(TxnMetadata m, long producerId, short epoch) {
        if (m == null || m.producerId != producerId) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (m.producerEpoch != epoch) {
            return Errors.PRODUCER_FENCED;
        }
        return Errors.NONE;
    }

    // ==================================================================================================== EndTxn

    /**
     * Commits or aborts (Kafka's endTransaction): PrepareCommit/PrepareAbort is written, the caller is
     * answered, then markers go to the partitions' leaders and CompleteCommit/CompleteAbort is written.
     * {@code fromClient} is false for the coordinator's own aborts (a fence, a timeout), whose epoch is
     * the bumped one.
     */
    CompletableFuture<EndResult> endTransaction(
            TxnShard shard, String id, long producerId, short epoch, boolean commit, boolean fromClient) {
        TxnMetadata m = shard.txns.get(id);
        if (m == null || m.producerId != producerId) {
            return done(EndResult.error(Errors.INVALID_PRODUCER_ID_MAPPING));
        }
        boolean validEpoch = (!fromClient || epoch == m.producerEpoch) && epoch >= m.producerEpoch;
        if (!validEpoch) {
            return done(EndResult.error(Errors.PRODUCER_FENCED));
        }
        if (m.pendingTransitionInProgress() && m.pendingState != TxnState.PREPARE_EPOCH_FENCE) {
            return done(EndResult.error(Errors.CONCURRENT_TRANSACTIONS));
        }
        EndResult retried = new EndResult(Errors.NONE, m.producerId, m.producerEpoch);
        TxnTransit transit;
        boolean epochFence = false;
        switch (m.state) {
            case ONGOING -> {
                if (!commit && m.pendingState == TxnState.PREPARE_EPOCH_FENCE) {
                    epochFence = true;
                    transit = m.prepareFencedAbort(epoch, clock.getAsLong());
                } else {
                    transit = m.prepareAbortOrCommit(
                            commit ? TxnState.PREPARE_COMMIT : TxnState.PREPARE_ABORT, clock.getAsLong());
                }
            }
            case COMPLETE_COMMIT -> {
                return done(commit ? retried : invalidTransition(m, commit));
            }
            case COMPLETE_ABORT -> {
                return done(!commit ? retried : invalidTransition(m, commit));
            }
            case PREPARE_COMMIT -> {
                return done(commit ? EndResult.error(Errors.CONCURRENT_TRANSACTIONS) : invalidTransition(m, commit));
            }
            case PREPARE_ABORT -> {
                return done(!commit ? EndResult.error(Errors.CONCURRENT_TRANSACTIONS) : invalidTransition(m, commit));
            }
            case EMPTY -> {
                return done(invalidTransition(m, commit));
            }
            default -> throw new IllegalStateException(m + " is in a state EndTxn never meets");
        }
        boolean fence = epochFence;
        return shard.write(m, transit, false).thenApply(e -> {
            if (e != Errors.NONE) {
                if (fence && shard.txns.get(id) == m) {
                    // the bumped epoch may not be written: do not bump it again on the next attempt
                    m.hasFailedEpochFence = true;
                    log.warn(
                            "Transactional id {}: could not write the fencing abort at epoch {} ({})",
                            id,
                            transit.producerEpoch(),
                            e);
                }
                return EndResult.error(e);
            }
            TxnTransit complete = m.prepareComplete(clock.getAsLong());
            sendMarkers(shard, m, complete, commit);
            return new EndResult(Errors.NONE, m.producerId, m.producerEpoch);
        });
    }

    private static EndResult invalidTransition(TxnMetadata m, boolean commit) {
        log.debug("{}: EndTxn({}) is not a transition from {}", m, commit ? "commit" : "abort", m.state);
        return EndResult.error(Errors.INVALID_TXN_STATE);
    }

    // =================================================================================================== markers

    /** A commit or abort whose markers are being written: what they carry, and what is written when they are. */
    private static final class PendingMarkers {
        final TxnShard shard;
        final TxnMetadata txn;
        final long producerId;
        final short producerEpoch;
        final boolean commit;
        final TxnTransit complete;
        final int partitionCount;
        final long startedNanos = System.nanoTime();
        boolean completing;

        PendingMarkers(TxnShard shard, TxnMetadata txn, TxnTransit complete, boolean commit) {
            this.shard = shard;
            this.txn = txn;
            this.producerId = txn.producerId;
            this.producerEpoch = txn.producerEpoch;
            this.commit = commit;
            this.complete = complete;
            this.partitionCount = txn.partitions.size();
        }

        /** Still the transaction these markers complete, on the coordinator that decided it. */
        boolean current() {
            return shard.isActive()
                    && shard.txns.get(txn.transactionalId) == txn
                    && txn.producerId == producerId
                    && txn.producerEpoch == producerEpoch
                    && txn.state == (commit ? TxnState.PREPARE_COMMIT : TxnState.PREPARE_ABORT)
                    && txn.pendingState == complete.state();
        }
    }

    /** Sends the markers of {@code m}'s prepared commit or abort; {@code complete} is already pending. */
    void sendMarkers(TxnShard shard, TxnMetadata m, TxnTransit complete, boolean commit) {
        PendingMarkers p = new PendingMarkers(shard, m, complete, commit);
        route(p, Set.copyOf(m.partitions));
    }

    /** Queues markers for {@code partitions} by their current leader; unknown leaders are tried again later. */
    private void route(PendingMarkers p, Set<TopicPartition> partitions) {
        if (!p.current()) {
            return;
        }
        Map<Integer, Set<TopicPartition>> byLeader = new HashMap<>();
        Set<TopicPartition> later = new HashSet<>();
        for (TopicPartition tp : partitions) {
            if (!p.txn.partitions.contains(tp)) {
                continue;
            }
            Optional<TopicView> topic = cache.topic(tp.topic());
            if (topic.isEmpty() || tp.partition() >= topic.get().partitionCount()) {
                log.info(
                        "Transactional id {}: {} no longer exists (topic deleted); no marker is written there",
                        p.txn.transactionalId,
                        tp);
                p.txn.partitions.remove(tp);
                continue;
            }
            Optional<PartitionInfo> info = cache.partition(tp);
            int leader = info.map(PartitionInfo::leader).orElse(-1);
            if (leader < 0 || !cache.isLive(leader)) {
                later.add(tp);
            } else {
                byLeader.computeIfAbsent(leader, l -> new HashSet<>()).add(tp);
            }
        }
        byLeader.forEach((leader, parts) -> markers.send(
                leader,
                new MarkerSender.Marker(
                        p.producerId,
                        p.producerEpoch,
                        p.shard.coordinatorEpoch,
                        p.commit,
                        parts,
                        errors -> p.shard.execute(() -> onMarkerAnswer(p, leader, errors)))));
        if (!later.isEmpty()) {
            p.shard.schedule(config.markerRetryBackoffMs(), () -> route(p, later));
        }
        maybeComplete(p);
    }

    /** A leader answered (or could not be reached): Kafka's TransactionMarkerRequestCompletionHandler. */
    private void onMarkerAnswer(PendingMarkers p, int leader, Map<TopicPartition, Errors> errors) {
        if (!p.current()) {
            log.debug("Transactional id {}: markers answered after the transaction moved on", p.txn.transactionalId);
            return;
        }
        Set<TopicPartition> retry = new HashSet<>();
        for (Map.Entry<TopicPartition, Errors> e : errors.entrySet()) {
            TopicPartition tp = e.getKey();
            switch (e.getValue()) {
                case NONE -> p.txn.partitions.remove(tp);
                case UNKNOWN_TOPIC_OR_PARTITION,
                        NOT_LEADER_OR_FOLLOWER,
                        NOT_ENOUGH_REPLICAS,
                        NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                        REQUEST_TIMED_OUT,
                        KAFKA_STORAGE_ERROR,
                        BROKER_NOT_AVAILABLE -> retry.add(tp);
                case INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED -> {
                    log.warn(
                            "Transactional id {}: broker {} refused the marker for {} with {}: a newer producer epoch"
                                    + " or coordinator has taken over; no more markers are sent for producer id {} epoch {}",
                            p.txn.transactionalId,
                            leader,
                            tp,
                            e.getValue(),
                            p.producerId,
                            p.producerEpoch);
                    return;
                }
                case UNSUPPORTED_FOR_MESSAGE_FORMAT, UNSUPPORTED_VERSION -> {
                    log.info(
                            "Transactional id {}: broker {} cannot write a marker for {} ({}); the partition is dropped",
                            p.txn.transactionalId,
                            leader,
                            tp,
                            e.getValue());
                    p.txn.partitions.remove(tp);
                }
                default -> {
                    log.error(
                            "Transactional id {}: unexpected error {} writing the marker for {} on broker {}; retrying",
                            p.txn.transactionalId,
                            e.getValue(),
                            tp,
                            leader);
                    retry.add(tp);
                }
            }
        }
        if (!retry.isEmpty()) {
            log.debug("Transactional id {}: retrying markers for {}", p.txn.transactionalId, retry);
            p.shard.schedule(config.markerRetryBackoffMs(), () -> route(p, retry));
        }
        maybeComplete(p);
    }

    private void maybeComplete(PendingMarkers p) {
        if (p.completing || !p.txn.partitions.isEmpty()) {
            return;
        }
        p.completing = true;
        writeCompletion(p);
    }

    /** Every partition has its marker: CompleteCommit / CompleteAbort is written (retried while unavailable). */
    private void writeCompletion(PendingMarkers p) {
        if (!p.current()) {
            return;
        }
        p.shard.write(p.txn, p.complete, true).thenAccept(e -> {
            if (e == Errors.NONE) {
                long nanos = System.nanoTime() - p.startedNanos;
                markerWriteTime.update(nanos, TimeUnit.NANOSECONDS);
                (p.commit ? commits : aborts).inc();
                log.info(
                        "Transactional id {}: {} for producer id {} epoch {}; markers on {} partitions written in {} ms",
                        p.txn.transactionalId,
                        p.commit ? "committed" : "aborted",
                        p.producerId,
                        p.producerEpoch,
                        p.partitionCount,
                        TimeUnit.NANOSECONDS.toMillis(nanos));
            } else if (e == Errors.COORDINATOR_NOT_AVAILABLE) {
                p.shard.schedule(config.markerRetryBackoffMs(), () -> writeCompletion(p));
            } else {
                log.info(
                        "Transactional id {}: not writing {} ({}); the next coordinator completes it",
                        p.txn.transactionalId,
                        p.complete.state().kafkaName(),
                        e);
            }
        });
    }

    /** After a load: every transaction the previous coordinator left in PrepareCommit/PrepareAbort is completed. */
    void completeLoaded(TxnShard shard) {
        for (TxnMetadata m : new ArrayList<>(shard.txns.values())) {
            if (m.state.isPrepare() && m.pendingState == null) {
                boolean commit = m.state == TxnState.PREPARE_COMMIT;
                log.info(
                        "Transactional id {}: loaded in {}; sending its markers again to {} partitions",
                        m.transactionalId,
                        m.state.kafkaName(),
                        m.partitions.size());
                sendMarkers(shard, m, m.prepareComplete(clock.getAsLong()), commit);
            }
        }
    }

    // ============================================================================== timeouts and expiry

    /** Aborts the transactions open longer than their timeout, fencing their producer (epoch + 1). */
    void abortTimedOut(TxnShard shard) {
        long now = clock.getAsLong();
        for (TxnMetadata m : new ArrayList<>(shard.txns.values())) {
            if (m.pendingState != null || m.state != TxnState.ONGOING || m.txnStartTimestamp + m.timeoutMs >= now) {
                continue;
            }
            TxnTransit fence = m.prepareFenceProducerEpoch();
            log.info(
                    "Transactional id {}: transaction of producer id {} epoch {} open for {} ms, longer than its timeout"
                            + " of {} ms; aborting it and fencing the producer with epoch {}",
                    m.transactionalId,
                    m.producerId,
                    m.producerEpoch,
                    now - m.txnStartTimestamp,
                    m.timeoutMs,
                    fence.producerEpoch());
            endTransaction(shard, m.transactionalId, fence.producerId(), fence.producerEpoch(), false, false)
                    .thenAccept(r -> {
                        if (r.error() == Errors.NONE) {
                            timedOutAborts.inc();
                        } else {
                            log.info(
                                    "Transactional id {}: the abort of the timed-out transaction did not start ({})",
                                    m.transactionalId,
                                    r.error());
                        }
                    });
        }
    }

    /** Removes transactional ids idle longer than transactional.id.expiration.ms (tombstones). */
    void expire(TxnShard shard) {
        long now = clock.getAsLong();
        List<TxnMetadata> expired = new ArrayList<>();
        List<SimpleRecord> tombstones = new ArrayList<>();
        for (TxnMetadata m : shard.txns.values()) {
            if (m.pendingState == null
                    && m.state.expirationAllowed()
                    && m.lastUpdateTimestamp <= now - config.transactionalIdExpirationMs()) {
                m.prepareDead();
                expired.add(m);
                tombstones.add(TxnRecords.tombstone(now, m.transactionalId));
            }
        }
        if (expired.isEmpty()) {
            return;
        }
        shard.append(tombstones, 30_000).whenComplete((v, e) -> {
            for (TxnMetadata m : expired) {
                if (e == null && shard.txns.get(m.transactionalId) == m && m.pendingState == TxnState.DEAD) {
                    shard.txns.remove(m.transactionalId);
                    log.info(
                            "Transactional id {} (producer id {}, epoch {}) expired: unused for more than {} ms",
                            m.transactionalId,
                            m.producerId,
                            m.producerEpoch,
                            config.transactionalIdExpirationMs());
                } else {
                    m.pendingState = null;
                }
            }
            if (e != null) {
                log.warn("{}: could not write tombstones for expired transactional ids: {}", shard.tp, e.toString());
            }
        });
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
