package io.strand.server.txn;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicSpec;
import io.strand.server.coordinator.ShardedCoordinator;
import io.strand.server.network.BrokerConnector;
import io.strand.server.replica.Partition;
import io.strand.server.topics.InternalTopic;
import io.strand.server.topics.TopicService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.common.utils.internals.ProducerIdAndEpoch;

/**
 * The broker's transaction coordinator (Kafka's classic transaction protocol, transaction version 1).
 * The coordinator of transactional id T is the leader of partition
 * {@code abs(T.hashCode()) % transaction.state.log.num.partitions} of {@code __transaction_state}
 * (Kafka's mapping). For every such partition this broker leads it keeps a {@link TxnShard}, loaded
 * from the partition's log when leadership arrives (transactions found half-way through a commit or
 * abort are completed) and dropped when it leaves; requests for an id whose partition this broker
 * does not lead get NOT_COORDINATOR, and COORDINATOR_LOAD_IN_PROGRESS while its shard loads.
 *
 * <p>This class routes requests to the shard's executor and runs {@link TxnOperations} there; it
 * creates {@code __transaction_state} on first use (FindCoordinator) through the one topic-creation
 * path, answers DescribeTransactions and ListTransactions, and runs the periodic abort of timed-out
 * transactions and removal of expired transactional ids. Markers go out through a {@link MarkerSender}.
 *
 * <p>Thread-safe: public methods may be called from any request thread and return futures.
 */
public final class TransactionCoordinator extends ShardedCoordinator<TxnShard> implements AutoCloseable {
    public static final String STATE_TOPIC = Topic.TRANSACTION_STATE_TOPIC_NAME;

    private final TxnConfig config;
    private final MetadataCache cache;
    private final ScheduledExecutorService timer;
    private final Supplier<CompletableFuture<Long>> producerIds;
    private final ToIntFunction<String> groupPartitionFor;
    private final LongSupplier clock;
    private final MarkerSender markers;
    private final TxnOperations ops;
    private final InternalTopic stateTopic;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();

    /**
     * @param producerIds a new producer id, allocated off the caller's thread (claiming a block is a
     *     ZooKeeper round trip)
     * @param groupPartitionFor the group coordinator's group -> {@code __consumer_offsets} partition
     * @param brokers how markers reach the partition leaders (the inter-broker listener)
     */
    public TransactionCoordinator(
            TxnConfig config,
            MetadataCache cache,
            TopicService topics,
            ScheduledExecutorService timer,
            int localBrokerId,
            Supplier<CompletableFuture<Long>> producerIds,
            ToIntFunction<String> groupPartitionFor,
            MetricRegistry metrics,
            BrokerConnector brokers) {
        this(
                config,
                cache,
                topics,
                timer,
                localBrokerId,
                producerIds,
                groupPartitionFor,
                metrics,
                new LeaderConnections(cache, localBrokerId, brokers, 30_000),
                System::currentTimeMillis);
    }

    TransactionCoordinator(
            TxnConfig config,
            MetadataCache cache,
            TopicService topics,
            ScheduledExecutorService timer,
            int localBrokerId,
            Supplier<CompletableFuture<Long>> producerIds,
            ToIntFunction<String> groupPartitionFor,
            MetricRegistry metrics,
            MarkerSender.Transport transport,
            LongSupplier clock) {
        super(STATE_TOPIC, "transaction coordinator", "coordinator epoch", cache, localBrokerId, "txn-coordinator-%d");
        this.config = config;
        this.cache = cache;
        this.stateTopic = new InternalTopic(STATE_TOPIC, cache, topics, this::stateTopicSpec);
        this.timer = timer;
        this.producerIds = producerIds;
        this.groupPartitionFor = groupPartitionFor;
        this.clock = clock;
        this.markers = new MarkerSender(localBrokerId, transport);
        this.ops = new TxnOperations(config, cache, markers, metrics, clock);
        metrics.register("txn.open-transactions", (Gauge<Long>)
                () -> count(m -> m.state == TxnState.ONGOING || m.state.isPrepare()));
        metrics.register("txn.transactional-ids", (Gauge<Long>) () -> count(m -> true));
        metrics.register("txn.markers-queued", (Gauge<Integer>) markers::queued);
        tasks.add(timer.scheduleWithFixedDelay(
                () -> onEveryActiveShard(ops::abortTimedOut),
                config.abortTimedOutIntervalMs(),
                config.abortTimedOutIntervalMs(),
                TimeUnit.MILLISECONDS));
        tasks.add(timer.scheduleWithFixedDelay(
                () -> onEveryActiveShard(ops::expire),
                config.removeExpiredIntervalMs(),
                config.removeExpiredIntervalMs(),
                TimeUnit.MILLISECONDS));
    }

    /** Kafka's transactional id -> {@code __transaction_state} partition mapping. */
    public int partitionFor(String transactionalId) {
        return Utils.abs(transactionalId.hashCode()) % config.stateLogPartitions();
    }

    public TxnConfig config() {
        return config;
    }

    private long count(java.util.function.Predicate<TxnMetadata> p) {
        return shards.values().stream()
                .filter(s -> s.status() == TxnShard.Status.ACTIVE)
                .flatMap(s -> s.txns.values().stream())
                .filter(p)
                .count();
    }

    // ======================================================================== leadership (replica-state thread)

    @Override
    protected TxnShard newShard(Partition partition, int leaderEpoch) {
        return new TxnShard(partition, leaderEpoch, pool, timer);
    }

    /** Transactions found half-way through a commit or abort are completed. */
    @Override
    protected void loaded(TxnShard shard) {
        ops.completeLoaded(shard);
    }

    // =================================================================================================== routing

    /** Runs {@code op} on the shard of {@code transactionalId} once active; else NOT_COORDINATOR / LOAD_IN_PROGRESS. */
    private <T> CompletableFuture<T> onShard(
            String transactionalId, Function<Errors, T> onError, Function<TxnShard, CompletableFuture<T>> op) {
        return onShard(partitionFor(transactionalId), onError, op);
    }

    private void onEveryActiveShard(java.util.function.Consumer<TxnShard> op) {
        for (TxnShard s : shards.values()) {
            s.execute(() -> {
                if (s.isActive()) {
                    op.accept(s);
                }
            });
        }
    }

    // ============================================================================================== coordinators

    /** InitProducerId's answer. */
    public record InitResult(Errors error, long producerId, short producerEpoch) {
        static InitResult error(Errors e) {
            return new InitResult(e, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH);
        }
    }

    /** EndTxn's answer: the transaction's producer id and epoch (EndTxn v5), or -1 with an error. */
    public record EndResult(Errors error, long producerId, short producerEpoch) {
        static EndResult error(Errors e) {
            return new EndResult(e, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH);
        }
    }

    /**
     * The broker leading the id's {@code __transaction_state} partition, creating the topic first if it
     * does not exist; COORDINATOR_NOT_AVAILABLE while it has no live leader.
     */
    public CompletableFuture<InternalTopic.Leader> findCoordinator(String transactionalId) {
        if (transactionalId == null || transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(
                    new InternalTopic.Leader(Errors.INVALID_REQUEST, -1, "empty transactional id"));
        }
        return stateTopic.leaderOf(partitionFor(transactionalId));
    }

    /** Completes once {@code __transaction_state} is in the metadata cache; creates it (once) if needed. */
    CompletableFuture<Void> ensureStateTopic() {
        return stateTopic.ensure();
    }

    /** {@code __transaction_state} as Kafka creates it, its replication factor capped to the live brokers. */
    private TopicSpec stateTopicSpec(int liveBrokers) {
        int rf = Math.min(config.stateLogReplicationFactor(), liveBrokers);
        if (rf < config.stateLogMinIsr()) {
            log.warn(
                    "Creating {} with replication factor {} (live brokers) below transaction.state.log.min.isr={}: "
                            + "transaction state writes fail (COORDINATOR_NOT_AVAILABLE) until the ISR can be that large",
                    STATE_TOPIC,
                    rf,
                    config.stateLogMinIsr());
        }
        return new TopicSpec(
                STATE_TOPIC,
                config.stateLogPartitions(),
                rf,
                Map.of(),
                Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                        Integer.toString(config.stateLogMinIsr()),
                        TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG,
                        "false",
                        TopicConfig.RETENTION_MS_CONFIG,
                        "-1",
                        TopicConfig.SEGMENT_BYTES_CONFIG,
                        Integer.toString(100 * 1024 * 1024)));
    }

    // ================================================================================================ the APIs

    /** InitProducerId with a transactional id (the idempotent form without one never comes here). */
    public CompletableFuture<InitResult> initProducerId(
            String transactionalId, int timeoutMs, Optional<ProducerIdAndEpoch> expected) {
        if (transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(InitResult.error(Errors.INVALID_REQUEST));
        }
        if (timeoutMs <= 0 || timeoutMs > config.maxTimeoutMs()) {
            return CompletableFuture.completedFuture(InitResult.error(Errors.INVALID_TRANSACTION_TIMEOUT));
        }
        return initProducerId(transactionalId, timeoutMs, expected, -1);
    }

    private CompletableFuture<InitResult> initProducerId(
            String transactionalId, int timeoutMs, Optional<ProducerIdAndEpoch> expected, long newProducerId) {
        return onShard(
                        transactionalId,
                        InitResult::error,
                        s -> ops.initProducerId(s, transactionalId, timeoutMs, expected, newProducerId))
                .thenCompose(r -> {
                    if (r != TxnOperations.NEEDS_PRODUCER_ID) {
                        return CompletableFuture.completedFuture(r);
                    }
                    return producerIds
                            .get()
                            .thenCompose(id -> initProducerId(transactionalId, timeoutMs, expected, id))
                            .exceptionally(e -> InitResult.error(Errors.forException(
                                    e instanceof java.util.concurrent.CompletionException ? e.getCause() : e)));
                });
    }

    public CompletableFuture<Errors> addPartitions(
            String transactionalId, long producerId, short epoch, Set<TopicPartition> partitions) {
        if (transactionalId == null || transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(Errors.INVALID_REQUEST);
        }
        return onShard(
                transactionalId, e -> e, s -> ops.addPartitions(s, transactionalId, producerId, epoch, partitions));
    }

    /** AddPartitionsToTxn's verification form (v4+, verifyOnly). */
    public CompletableFuture<Map<TopicPartition, Errors>> verifyPartitions(
            String transactionalId,
            long producerId,
            short epoch,
            Set<TopicPartition> partitions,
            Errors notInTransaction) {
        Function<Errors, Map<TopicPartition, Errors>> all = e -> {
            Map<TopicPartition, Errors> m = new java.util.HashMap<>();
            partitions.forEach(tp -> m.put(tp, e));
            return m;
        };
        if (transactionalId == null || transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(all.apply(Errors.INVALID_REQUEST));
        }
        return onShard(
                transactionalId,
                all,
                s -> CompletableFuture.completedFuture(
                        ops.verifyPartitions(s, transactionalId, producerId, epoch, partitions, notInTransaction)));
    }

    /** AddOffsetsToTxn: the group's {@code __consumer_offsets} partition joins the transaction. */
    public CompletableFuture<Errors> addOffsets(String transactionalId, long producerId, short epoch, String groupId) {
        TopicPartition offsets =
                new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, groupPartitionFor.applyAsInt(groupId));
        return addPartitions(transactionalId, producerId, epoch, Set.of(offsets));
    }

    public CompletableFuture<EndResult> endTxn(String transactionalId, long producerId, short epoch, boolean commit) {
        if (transactionalId == null || transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(EndResult.error(Errors.INVALID_REQUEST));
        }
        return onShard(
                transactionalId,
                EndResult::error,
                s -> ops.endTransaction(s, transactionalId, producerId, epoch, commit, true));
    }

    /** DescribeTransactions for one id. */
    public CompletableFuture<DescribeTransactionsResponseData.TransactionState> describe(String transactionalId) {
        Function<Errors, DescribeTransactionsResponseData.TransactionState> error =
                e -> new DescribeTransactionsResponseData.TransactionState()
                        .setTransactionalId(transactionalId)
                        .setErrorCode(e.code());
        if (transactionalId == null || transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(error.apply(Errors.INVALID_REQUEST));
        }
        return onShard(transactionalId, error, s -> {
            TxnMetadata m = s.txns.get(transactionalId);
            if (m == null || m.state == TxnState.DEAD) {
                return CompletableFuture.completedFuture(error.apply(Errors.TRANSACTIONAL_ID_NOT_FOUND));
            }
            return CompletableFuture.completedFuture(TxnListing.describe(m));
        });
    }

    /** ListTransactions over every shard: COORDINATOR_LOAD_IN_PROGRESS while one loads. */
    public CompletableFuture<ListTransactionsResponseData> list(TxnListing.Filter filter) {
        boolean loading = false;
        for (int p = 0; p < config.stateLogPartitions(); p++) {
            TxnShard s = shards.get(p);
            if ((s == null && leadsInMetadata(p)) || (s != null && s.status() == TxnShard.Status.LOADING)) {
                loading = true;
            }
        }
        if (loading) {
            return CompletableFuture.completedFuture(
                    new ListTransactionsResponseData().setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code()));
        }
        long now = clock.getAsLong();
        List<CompletableFuture<List<ListTransactionsResponseData.TransactionState>>> parts = new ArrayList<>();
        for (TxnShard s : shards.values()) {
            parts.add(s.submit(() -> CompletableFuture.completedFuture(
                    s.status() == TxnShard.Status.ACTIVE ? TxnListing.list(s.txns.values(), filter, now) : List.of())));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            ListTransactionsResponseData out = new ListTransactionsResponseData().setErrorCode(Errors.NONE.code());
            out.setUnknownStateFilters(filter.unknownStates());
            parts.forEach(f -> out.transactionStates().addAll(f.join()));
            out.transactionStates().sort((a, b) -> a.transactionalId().compareTo(b.transactionalId()));
            return out;
        });
    }

    @Override
    public void close() {
        tasks.forEach(t -> t.cancel(false));
        unloadAll();
        markers.close();
        stopPool();
    }
}
