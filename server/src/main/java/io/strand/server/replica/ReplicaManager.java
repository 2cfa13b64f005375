package io.strand.server.replica;

import io.strand.coordinator.IsrUpdater;
import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.MetadataListener;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.TopicView;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.PartitionState;
import io.strand.server.BrokerConfig;
import io.strand.server.metrics.BrokerMetrics;
import io.strand.server.network.BrokerConnector;
import io.strand.wal.LogManager;
import io.strand.wal.PartitionLog;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions hosted by this broker, kept in step with the metadata cache: a partition whose
 * replica list names this broker gets a log and the role its state znode gives (leader at epoch E,
 * or follower); a partition that no longer names this broker, or whose topic is deleted, is closed.
 *
 * <p>Thread-safe. Metadata events are applied in order on one "replica-state" thread, never on the
 * Curator event thread (opening a log touches the disk). What follows an fsync — a partition's
 * high-watermark advance, acks=all completions, parked fetches woken — runs on the request pool
 * ({@code num.io.threads}) given at construction, never on the WAL's flusher threads.
 */
public final class ReplicaManager implements MetadataListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaManager.class);

    private final BrokerConfig config;
    private final LogManager logs;
    private final MetadataCache metadata;
    private final ConcurrentHashMap<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    /** Partitions handed to a fetcher (replica-state thread only). */
    private final Map<TopicPartition, Integer> fetchingAtEpoch = new java.util.HashMap<>();

    private final java.util.List<LeadershipListener> leadershipListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Role changes in ZooKeeper order; after close, late metadata events are dropped. */
    private final ExecutorService stateThread = new java.util.concurrent.ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new java.util.concurrent.LinkedBlockingQueue<>(),
            ThreadUtils.createThreadFactory("replica-state", true),
            new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());

    private final IsrUpdater isrUpdater;
    /** The broker's request pool: where partitions handle durable-end moves. */
    private final Executor requestPool;

    private final ReplicaFetcherManager fetchers;
    private final ScheduledExecutorService isrThread =
            Executors.newSingleThreadScheduledExecutor(ThreadUtils.createThreadFactory("isr-updates", true));

    /** {@code producer.id.expiration.ms}: a producer id silent this long is forgotten. */
    private final long producerIdExpirationMs;

    /** Kafka's ReplicaManager, Partition and Log metrics, and the topics' BrokerTopicMetrics lifecycle. */
    private final ReplicaMetrics metrics;

    /**
     * @param requestPool the broker's request-handler pool ({@code num.io.threads}), on which each
     *     partition advances its high watermark and wakes parked fetches after the WAL's fsyncs
     * @param brokers how the replica fetchers reach the leaders (the inter-broker listener)
     */
    public ReplicaManager(
            BrokerConfig config,
            LogManager logs,
            MetadataCache metadata,
            IsrUpdater isrUpdater,
            Executor requestPool,
            BrokerConnector brokers,
            BrokerMetrics brokerMetrics) {
        this.config = config;
        this.metrics = new ReplicaMetrics(brokerMetrics);
        this.producerIdExpirationMs = config.producerIdExpirationMs();
        this.logs = logs;
        this.metadata = metadata;
        this.isrUpdater = isrUpdater;
        this.requestPool = requestPool;
        this.fetchers = new ReplicaFetcherManager(config, metadata, brokers, metrics);
        metrics.registerGauges(this::partitions, fetchers::maxLag);
        brokerMetrics.topics().hostedTopics(this::hostsTopic);
        long period = Math.max(10, config.replication().replicaLagTimeMaxMs() / 2);
        isrThread.scheduleWithFixedDelay(this::shrinkIsrs, period, period, TimeUnit.MILLISECONDS);
        isrThread.scheduleWithFixedDelay(
                this::expireProducers,
                config.producerIdExpirationCheckIntervalMs(),
                config.producerIdExpirationCheckIntervalMs(),
                TimeUnit.MILLISECONDS);
    }

    public void addLeadershipListener(LeadershipListener listener) {
        leadershipListeners.add(listener);
    }

    public int localBrokerId() {
        return config.brokerId();
    }

    public Optional<Partition> partition(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    /**
     * The partition if this broker leads it.
     *
     * @throws NotLeaderOrFollowerException otherwise
     */
    public Partition leaderPartition(TopicPartition tp) {
        Partition p = partitions.get(tp);
        if (p == null && logs.isOffline(tp)) {
            throw new KafkaStorageException(
                    "the log of " + tp + " on broker " + config.brokerId() + " is in an offline log directory");
        }
        if (p == null || !p.isLeader()) {
            throw new NotLeaderOrFollowerException("broker " + config.brokerId() + " does not lead " + tp);
        }
        return p;
    }

    public Collection<Partition> partitions() {
        return List.copyOf(partitions.values());
    }

    /** Whether this broker hosts a partition of {@code topic}. */
    public boolean hostsTopic(String topic) {
        for (TopicPartition tp : partitions.keySet()) {
            if (tp.topic().equals(topic)) {
                return true;
            }
        }
        return false;
    }

    /** Where this broker's acks=all acknowledgements spend their time (the latency breakdown). */
    public AckLatency ackLatency() {
        return metrics.ackLatency();
    }

    /** After {@code tp} left {@link #partitions}: drop its metrics (and its topic's, with its last partition). */
    private void removedMetrics(TopicPartition tp) {
        metrics.partitionRemoved(tp, !hostsTopic(tp.topic()));
    }

    // ---- metadata events (Curator thread) -> replica-state thread ----

    @Override
    public void onPartitionChanged(PartitionInfo info) {
        stateThread.execute(() -> applyPartition(info));
    }

    /** Creates (or finds) the log of {@code tp}, a partition of {@code topic}, with the topic's configuration. */
    private PartitionLog createLog(TopicPartition tp, TopicView topic) {
        // created since a log directory went offline: cannot have data in it
        boolean isNew = topic.assignment().getCreatedAtMs() > logs.offlineSinceMs();
        return logs.getOrCreate(tp, topic.topicId(), LogConfigs.forTopic(config, topic.configs()), isNew);
    }

    @Override
    public void onTopicDeleted(String topic, Uuid topicId) {
        stateThread.execute(() -> removeTopic(topic, topicId));
    }

    @Override
    public void onTopicConfigChanged(String topic, Map<String, String> configs) {
        stateThread.execute(() -> partitions.forEach((tp, p) -> {
            if (tp.topic().equals(topic)) {
                p.log().updateConfig(LogConfigs.forTopic(config, configs));
                p.setMinInsyncReplicas(LogConfigs.minInsyncReplicas(config, configs));
            }
        }));
    }

    private void applyPartition(PartitionInfo info) {
        TopicPartition tp = info.topicPartition();
        try {
            Optional<TopicView> topic = metadata.topic(tp.topic());
            if (topic.isEmpty()) {
                return; // deleted meanwhile; onTopicDeleted follows
            }
            if (!info.replicas().contains(config.brokerId())) {
                Partition gone = partitions.remove(tp);
                fetchers.stop(tp);
                fetchingAtEpoch.remove(tp);
                removedMetrics(tp);
                if (gone != null) {
                    if (gone.isLeader()) {
                        leadershipListeners.forEach(l -> l.onLeadershipLost(tp));
                    }
                    gone.close(
                            new NotLeaderOrFollowerException("broker " + config.brokerId() + " no longer hosts " + tp));
                    log.info("{}: this broker is no longer a replica", tp);
                }
                if (logs.get(tp).isPresent() || logs.isOffline(tp)) {
                    logs.delete(tp);
                    log.info("{}: deleted the local copy of a partition this broker no longer hosts", tp);
                }
                return;
            }
            if (logs.isOffline(tp)) {
                return; // stopped with its log directory (stopPartitionsIn); it stays so until the broker restarts
            }
            Partition p = partitions.get(tp);
            if (p == null || !p.topicId().equals(topic.get().topicId())) {
                Map<String, String> overrides = topic.get().configs();
                PartitionLog wal = createLog(tp, topic.get());
                p = new Partition(
                        config.brokerId(),
                        tp,
                        topic.get().topicId(),
                        wal,
                        this::changeIsr,
                        requestPool,
                        metrics.ackLatency());
                p.setMinInsyncReplicas(LogConfigs.minInsyncReplicas(config, overrides));
                partitions.put(tp, p);
                metrics.partitionAdded(tp, partitions::get);
            }
            boolean wasLeader = p.isLeader();
            int oldEpoch = p.leaderEpoch();
            p.applyState(info);
            updateFetching(p);
            if (p.isLeader() && (!wasLeader || oldEpoch != p.leaderEpoch())) {
                Partition led = p;
                leadershipListeners.forEach(l -> l.onBecomeLeader(led, led.leaderEpoch()));
            } else if (wasLeader && !p.isLeader()) {
                leadershipListeners.forEach(l -> l.onLeadershipLost(tp));
            }
        } catch (KafkaStorageException e) {
            log.warn("{}: not hosted here: {}", tp, e.getMessage());
        } catch (RuntimeException e) {
            log.error(
                    "{}: could not apply partition state {} (leader {}, epoch {}, ISR {})",
                    tp,
                    info.stateVersion(),
                    info.leader(),
                    info.leaderEpoch(),
                    info.isr(),
                    e);
        }
    }

    /**
     * Every partition this broker leads stops acting as leader, as if its leader were unknown (same
     * state version): produce and fetch get NOT_LEADER_OR_FOLLOWER and acks=all waits fail, until
     * {@link #reapplyCurrentStates} reads what ZooKeeper says now. For a broker that lost its
     * ZooKeeper session: the controller may have moved its leaderships meanwhile.
     */
    void stepDownEverywhere(String why) {
        stateThread.execute(() -> {
            List<TopicPartition> led = new java.util.ArrayList<>();
            for (Partition p : partitions.values()) {
                PartitionInfo i = p.info();
                if (p.isLeader() && i != null) {
                    led.add(p.topicPartition());
                    applyPartition(new PartitionInfo(
                            i.topicPartition(),
                            i.replicas(),
                            i.state().toBuilder().setLeader(-1).build(),
                            i.stateVersion()));
                }
            }
            if (!led.isEmpty()) {
                log.warn(
                        "Broker {} stopped acting as leader of {} partitions ({}): {}",
                        config.brokerId(),
                        led.size(),
                        why,
                        led);
            }
        });
    }

    /**
     * Stops the partitions whose logs were in a log directory that went offline: a leader fails its
     * acks=all waits and parked fetches with KAFKA_STORAGE_ERROR, a follower stops fetching, and
     * produce and fetch get KAFKA_STORAGE_ERROR (clients refresh their metadata) until the controller
     * has moved leadership to another ISR member.
     */
    void stopPartitionsIn(java.nio.file.Path dir, Collection<TopicPartition> tps, String reason) {
        stateThread.execute(() -> {
            List<TopicPartition> stopped = new java.util.ArrayList<>();
            for (TopicPartition tp : tps) {
                Partition p = partitions.remove(tp);
                fetchers.stop(tp);
                fetchingAtEpoch.remove(tp);
                if (p == null) {
                    continue;
                }
                removedMetrics(tp);
                if (p.isLeader()) {
                    leadershipListeners.forEach(l -> l.onLeadershipLost(tp));
                }
                p.close(new KafkaStorageException(
                        "the log of " + tp + " is in the offline log directory " + dir + ": " + reason));
                stopped.add(tp);
            }
            log.error(
                    "Broker {} stopped {} replicas in the offline log directory {} ({}): {}",
                    config.brokerId(),
                    stopped.size(),
                    dir,
                    reason,
                    stopped);
        });
    }

    /** Applies the state of every hosted partition as ZooKeeper holds it now (after a session loss). */
    void reapplyCurrentStates(MetadataStore store) {
        stateThread.execute(() -> {
            int applied = 0;
            for (Partition p : partitions.values()) {
                TopicPartition tp = p.topicPartition();
                try {
                    Optional<Versioned<PartitionState>> s =
                            store.read(Znodes.partitionState(tp), PartitionState.parser());
                    if (s.isPresent()) {
                        applyPartition(new PartitionInfo(
                                tp, p.replicas(), s.get().value(), s.get().version()));
                        applied++;
                    }
                } catch (RuntimeException e) {
                    log.warn("{}: could not read its state again: {}", tp, e.toString());
                }
            }
            log.info("Broker {} read the state of {} partitions again", config.brokerId(), applied);
        });
    }

    /**
     * Once the cache has loaded: delete local logs that no topic in ZooKeeper accounts for on this
     * broker (the topic was deleted, or re-created with another id, or the partition moved away, while
     * this broker was down). Runs after the start-up partition events, on the replica-state thread.
     */
    @Override
    public void onCacheLoaded() {
        stateThread.execute(this::deleteStrayLogs);
    }

    private void deleteStrayLogs() {
        for (PartitionLog wal : List.copyOf(logs.all())) {
            TopicPartition tp = wal.topicPartition();
            Optional<TopicView> topic = metadata.topic(tp.topic());
            boolean hosted = topic.isPresent()
                    && (wal.topicId() == null
                            || Uuid.ZERO_UUID.equals(wal.topicId())
                            || topic.get().topicId().equals(wal.topicId()))
                    && topic.get()
                            .replicas()
                            .getOrDefault(tp.partition(), List.of())
                            .contains(config.brokerId());
            if (!hosted && !partitions.containsKey(tp)) {
                logs.delete(tp);
                log.info(
                        "{}: deleted a local log no topic in ZooKeeper accounts for on this broker (topic id {})",
                        tp,
                        wal.topicId());
            }
        }
    }

    private void removeTopic(String topic, Uuid topicId) {
        partitions.forEach((tp, p) -> {
            if (tp.topic().equals(topic) && p.topicId().equals(topicId)) {
                partitions.remove(tp);
                fetchers.stop(tp);
                fetchingAtEpoch.remove(tp);
                removedMetrics(tp);
                if (p.isLeader()) {
                    leadershipListeners.forEach(l -> l.onLeadershipLost(tp));
                }
                p.close(new NotLeaderOrFollowerException("topic " + topic + " was deleted"));
                logs.delete(tp);
                log.info("{}: deleted with its topic", tp);
            }
        });
    }

    /** A follower fetches from its leader at the current epoch; a leader, or a partition without a live leader, does not fetch. */
    private void updateFetching(Partition p) {
        TopicPartition tp = p.topicPartition();
        int leader = p.leaderId();
        if (p.isLeader() || leader < 0 || !metadata.isLive(leader)) {
            if (fetchingAtEpoch.remove(tp) != null) {
                fetchers.stop(tp);
            }
            return;
        }
        Integer epoch = fetchingAtEpoch.get(tp);
        if (epoch == null || epoch != p.leaderEpoch()) {
            fetchers.follow(p, leader, p.leaderEpoch());
            fetchingAtEpoch.put(tp, p.leaderEpoch());
        }
    }

    /** Runs the leader's ISR compare-and-set off the request and state threads, then applies the new state. */
    private void changeIsr(
            Partition p, int leaderEpoch, java.util.function.UnaryOperator<List<Integer>> change, String why) {
        isrThread.execute(() -> {
            TopicPartition tp = p.topicPartition();
            try {
                List<Integer> before = p.isr();
                if (onlyRegistered(change).apply(before).equals(before)) {
                    log.debug("{}: ISR change ({}) not made: it adds only brokers that are not registered", tp, why);
                    return;
                }
                IsrUpdater.Result r = isrUpdater.update(tp, config.brokerId(), leaderEpoch, onlyRegistered(change));
                if (r.fenced()) {
                    log.info("{}: ISR change ({}) not made: no longer leader at epoch {}", tp, why, leaderEpoch);
                } else if (r.state() != null) {
                    log.info(
                            "{}: ISR {} -> {} at leader epoch {} ({})",
                            tp,
                            before,
                            r.state().getIsrList(),
                            leaderEpoch,
                            why);
                    metrics.isrChanged(before, r.state().getIsrList());
                    PartitionInfo applied = new PartitionInfo(tp, p.replicas(), r.state(), r.version());
                    stateThread.execute(() -> {
                        if (partitions.get(tp) == p) {
                            p.applyState(applied);
                        }
                    });
                }
            } catch (RuntimeException e) {
                log.warn("{}: ISR change ({}) failed: {}", tp, why, e.toString());
            } finally {
                p.isrChangeDone();
            }
        });
    }

    /**
     * {@code change} without the brokers it would add that are not registered (as KIP-841): a broker
     * stopping cleanly may fetch once more after the controller took it out of the ISR, and must not
     * come back in and hold acks=all produces until replica.lag.time.max.ms drops it again.
     */
    private java.util.function.UnaryOperator<List<Integer>> onlyRegistered(
            java.util.function.UnaryOperator<List<Integer>> change) {
        return current -> change.apply(current).stream()
                .filter(r -> current.contains(r) || metadata.isLive(r))
                .toList();
    }

    private void expireProducers() {
        long now = System.currentTimeMillis();
        for (Partition p : partitions.values()) {
            p.expireProducers(now, producerIdExpirationMs);
        }
    }

    private void shrinkIsrs() {
        long now = System.currentTimeMillis();
        for (Partition p : partitions.values()) {
            try {
                p.maybeShrinkIsr(now, config.replication().replicaLagTimeMaxMs());
            } catch (RuntimeException e) {
                log.warn("{}: ISR check failed: {}", p.topicPartition(), e.toString());
            }
        }
    }

    @Override
    public void onBrokerRegistered(io.strand.coordinator.proto.BrokerRegistration broker) {
        // a leader that (re)appears: start fetching what we follow from it
        stateThread.execute(() -> partitions.values().forEach(p -> {
            if (!p.isLeader() && p.leaderId() == broker.getBrokerId()) {
                fetchingAtEpoch.remove(p.topicPartition());
                updateFetching(p);
            }
        }));
    }

    @Override
    public void close() {
        isrThread.shutdownNow();
        // role changes first (a queued one may start a fetcher), then the fetchers
        stateThread.shutdown();
        try {
            stateThread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fetchers.shutdown();
        partitions.values().forEach(p -> p.close(new NotLeaderOrFollowerException("broker shutting down")));
    }
}
