package io.strand.coordinator.controller;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.MetadataListener;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.TopicView;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.PartitionState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller role, run by every broker and active in one. While active it keeps partition
 * leadership in step with the live brokers, runs preferred-leader elections (on request and, with
 * {@code auto.leader.rebalance.enable}, when a broker leads too few of its preferred partitions),
 * deletes topics marked under {@code /admin/delete_topics}, and carries out partition reassignments
 * requested under {@code /admin/reassignments} ({@link Reassigner}).
 *
 * <p>It stops acting at once when its ZooKeeper session is lost or when a write finds
 * {@code /controller_epoch} moved (another controller won), and competes again when
 * {@code /controller} is free.
 *
 * <p>Thread-safe: public methods and listener callbacks only enqueue onto the single
 * "controller-event" thread.
 */
public final class Controller implements MetadataListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Controller.class);

    /** Broker settings the controller follows. */
    public record Settings(
            boolean uncleanLeaderElection,
            boolean autoLeaderRebalance,
            int imbalancePercentPerBroker,
            long imbalanceCheckIntervalMs) {}

    /** The outcome of a preferred-leader election for one partition. */
    public record ElectionResult(boolean elected, boolean alreadyPreferred, String error) {
        public static final ElectionResult ELECTED = new ElectionResult(true, false, null);
        public static final ElectionResult ALREADY = new ElectionResult(false, true, null);

        public static ElectionResult failed(String why) {
            return new ElectionResult(false, false, why);
        }
    }

    /** This broker's term as controller. */
    private record Term(int epoch, int epochZkVersion, long sessionId) {}

    private final CuratorFramework zk;
    private final MetadataStore store;
    private final MetadataCache cache;
    private final int brokerId;
    private final Settings settings;
    private final ControllerElection election;
    private final PartitionStateWriter writer;
    private final Reassigner reassigner;
    /** Topics whose reassignment is queued on the event thread (so that a burst of events queues one pass). */
    private final Set<String> reassignmentsQueued = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** All controller work, in order; after close, late events are dropped. */
    private final java.util.concurrent.ScheduledThreadPoolExecutor events =
            new java.util.concurrent.ScheduledThreadPoolExecutor(
                    1,
                    ThreadUtils.createThreadFactory("controller-event", true),
                    new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());

    private final ConnectionStateListener connectionListener = this::onConnectionState;
    private volatile Term term;
    private volatile BrokerChangeStats lastBrokerChange = new BrokerChangeStats(0, 0, 0, 0, 0, 0);

    /**
     * The last reaction to brokers coming or going: partition states written, how many of them with a
     * leader, how many new leaders among them, the milliseconds until the last state and until the last
     * new leader was written, and when ({@link System#nanoTime()}) the reaction started.
     */
    public record BrokerChangeStats(
            int statesWritten,
            int withLeader,
            int leadersElected,
            long millis,
            long leadersMillis,
            long startedNanos) {}

    /**
     * Hears of each controller round that wrote new leaders (a reaction to brokers coming or going, a
     * preferred-leader election), for Kafka's ControllerStats: how many leaders it elected, how many
     * of them uncleanly (not from the ISR), and how long the round took. Called on the controller's
     * event thread; must not block.
     */
    public interface ElectionListener {
        void onLeadersElected(int elected, int unclean, long nanos);
    }

    private final List<ElectionListener> electionListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private volatile boolean closed;
    /**
     * Set by {@link #start()}, which the broker calls once registered. A broker runs for controller only once started
     * and its own registration is in the cache: one that ran before would see itself dead and move every leadership
     * off it, shrinking every ISR to one replica (after a restart of the whole cluster, the partitions then wait for
     * that replica alone).
     */
    private volatile boolean started;
    /** The unavailable replicas last logged (event thread only). */
    private UnavailableReplicas lastUnavailable = UnavailableReplicas.NONE;

    public Controller(CuratorFramework zk, MetadataCache cache, int brokerId, Settings settings) {
        this.zk = zk;
        this.store = new MetadataStore(zk);
        this.cache = cache;
        this.brokerId = brokerId;
        this.settings = settings;
        this.election = new ControllerElection(store, brokerId);
        this.writer = new PartitionStateWriter(store);
        this.reassigner = new Reassigner(store);
    }

    /**
     * Starts competing for the controller role, once this broker is registered. The cache must be started (and this
     * registered as its listener).
     */
    public void start() {
        started = true;
        zk.getConnectionStateListenable().addListener(connectionListener);
        events.execute(this::tryBecomeController);
        if (settings.autoLeaderRebalance()) {
            events.scheduleWithFixedDelay(
                    this::checkImbalance,
                    settings.imbalanceCheckIntervalMs(),
                    settings.imbalanceCheckIntervalMs(),
                    TimeUnit.MILLISECONDS);
        }
    }

    public void addElectionListener(ElectionListener listener) {
        electionListeners.add(listener);
    }

    private void electionsDone(int elected, int unclean, long startedNanos) {
        if (elected > 0) {
            long nanos = System.nanoTime() - startedNanos;
            electionListeners.forEach(l -> l.onLeadersElected(elected, unclean, nanos));
        }
    }

    /** Timing of the last broker-change reaction (for the failover benchmark and metrics). */
    public BrokerChangeStats lastBrokerChange() {
        return lastBrokerChange;
    }

    public boolean isActive() {
        return term != null;
    }

    /** The epoch of this broker's current term, or -1. */
    public int epoch() {
        Term t = term;
        return t == null ? -1 : t.epoch();
    }

    // ---- events from the metadata cache (Curator thread): enqueue only ----

    @Override
    public void onControllerChanged(int controllerId) {
        if (controllerId == -1) {
            events.execute(this::tryBecomeController);
        }
    }

    @Override
    public void onBrokerRegistered(BrokerRegistration broker) {
        if (broker.getBrokerId() == brokerId) {
            events.execute(this::tryBecomeController);
        }
        events.execute(this::onBrokersChanged);
    }

    @Override
    public void onBrokerUnregistered(int id) {
        events.execute(this::onBrokersChanged);
    }

    @Override
    public void onTopicDeletionRequested(String topic) {
        events.execute(() -> deleteTopic(topic));
    }

    @Override
    public void onReassignmentChanged(String topic, Optional<io.strand.coordinator.proto.TopicReassignment> request) {
        if (request.isPresent()) {
            queueReassignment(topic);
        }
    }

    /** A partition of a topic being reassigned changed (e.g. its ISR grew): its next step may be possible now. */
    @Override
    public void onPartitionChanged(PartitionInfo partition) {
        if (term != null
                && cache.reassignment(partition.topicPartition().topic()).isPresent()) {
            queueReassignment(partition.topicPartition().topic());
        }
    }

    private void onConnectionState(CuratorFramework client, ConnectionState state) {
        if (state == ConnectionState.LOST) {
            events.execute(() -> resign("ZooKeeper session lost"));
        } else if (state == ConnectionState.RECONNECTED) {
            events.execute(() -> {
                Term t = term;
                if (t != null && !election.stillHeld(t.epoch(), ControllerElection.sessionId(zk))) {
                    resign("/controller is no longer held by this session after reconnecting");
                }
                tryBecomeController();
            });
        }
    }

    // ---- on the event thread ----

    private void tryBecomeController() {
        if (closed || term != null || !started || !cache.liveBrokers().containsKey(brokerId)) {
            return;
        }
        try {
            election.tryElect().ifPresent(won -> {
                term = new Term(won.epoch(), won.epochZkVersion(), ControllerElection.sessionId(zk));
                onBecomeController();
            });
        } catch (RuntimeException e) {
            log.warn("Broker {} could not run the controller election: {}", brokerId, e.toString());
        }
    }

    private void onBecomeController() {
        onBrokersChanged();
        cache.deletionsRequested().forEach(this::deleteTopic);
        cache.reassignments().keySet().forEach(this::queueReassignment);
    }

    private void resign(String why) {
        if (term != null) {
            log.warn("Broker {} stops acting as controller (epoch {}): {}", brokerId, term.epoch(), why);
            term = null;
        }
    }

    /** Brokers came or went: re-elect leaders and shrink ISRs where needed, in batched CAS writes. */
    private void onBrokersChanged() {
        Term t = term;
        if (t == null) {
            return;
        }
        long started = System.nanoTime();
        Map<Integer, BrokerRegistration> brokers = cache.liveBrokers();
        Set<Integer> live = brokers.keySet();
        UnavailableReplicas unavailable = UnavailableReplicas.of(brokers.values());
        if (!unavailable.equals(lastUnavailable)) {
            lastUnavailable = unavailable;
            if (!unavailable.isEmpty()) {
                log.warn(
                        "Controller epoch {}: unavailable log directories: {}",
                        t.epoch(),
                        UnavailableReplicas.describe(brokers.values()));
            }
        }
        Map<TopicPartition, List<Integer>> replicasOf = new HashMap<>();
        Map<TopicPartition, PartitionState> before = new HashMap<>();
        List<PartitionStateWriter.Change> changes = new ArrayList<>();
        for (TopicView topic : cache.topics()) {
            boolean unclean = uncleanAllowed(topic);
            for (PartitionInfo p : topic.partitionsSnapshot()) {
                TopicPartition tp = p.topicPartition();
                replicasOf.put(tp, p.replicas());
                before.put(tp, p.state());
                LeaderElection.afterBrokerChange(
                                p.state(),
                                p.replicas(),
                                live,
                                unavailable.failed(tp),
                                unavailable.full(tp),
                                unclean,
                                t.epoch())
                        .ifPresent(s -> changes.add(new PartitionStateWriter.Change(tp, p.stateVersion(), s)));
            }
        }
        cache.reassignments().keySet().forEach(this::queueReassignment);
        if (changes.isEmpty()) {
            return;
        }
        // new leaders first (Kafka's order too): the partitions without one wait for them, while the
        // ISR shrinks of partitions that keep their leader change nothing a client waits for
        List<PartitionStateWriter.Change> ordered = new ArrayList<>(changes.size());
        changes.stream()
                .filter(c -> leaderMoves(before.get(c.tp()), c.newState()))
                .forEach(ordered::add);
        int leaderChanges = ordered.size();
        changes.stream()
                .filter(c -> !leaderMoves(before.get(c.tp()), c.newState()))
                .forEach(ordered::add);
        PartitionStateWriter.Decision decision = (tp, current) -> {
            TopicView topic = cache.topic(tp.topic()).orElse(null);
            List<Integer> replicas = replicasOf.getOrDefault(tp, List.of());
            Map<Integer, BrokerRegistration> now = cache.liveBrokers();
            UnavailableReplicas u = UnavailableReplicas.of(now.values());
            return LeaderElection.afterBrokerChange(
                    current,
                    replicas,
                    now.keySet(),
                    u.failed(tp),
                    u.full(tp),
                    topic != null && uncleanAllowed(topic),
                    t.epoch());
        };
        List<PartitionStateWriter.Change> written = write(t, ordered.subList(0, leaderChanges), decision);
        long leadersMs = (System.nanoTime() - started) / 1_000_000;
        if (written != null && leaderChanges < ordered.size()) {
            List<PartitionStateWriter.Change> rest = write(t, ordered.subList(leaderChanges, ordered.size()), decision);
            if (rest == null) {
                written = null;
            } else {
                written = new ArrayList<>(written);
                written.addAll(rest);
            }
        }
        if (written != null && !written.isEmpty()) {
            long ms = (System.nanoTime() - started) / 1_000_000;
            long newLeaders =
                    written.stream().filter(c -> c.newState().getLeader() >= 0).count();
            int elected = 0;
            int unclean = 0;
            for (PartitionStateWriter.Change c : written) {
                PartitionState old = before.get(c.tp());
                int leader = c.newState().getLeader();
                if (leader >= 0 && (old == null || old.getLeader() != leader)) {
                    elected++;
                    if (old != null && !old.getIsrList().contains(leader)) {
                        unclean++;
                    }
                }
            }
            lastBrokerChange = new BrokerChangeStats(written.size(), (int) newLeaders, elected, ms, leadersMs, started);
            electionsDone(elected, unclean, started);
            log.info(
                    "Controller epoch {}: live brokers {}; wrote {} partition states ({} with a leader, {} offline) in {} ms",
                    t.epoch(),
                    live,
                    written.size(),
                    newLeaders,
                    written.size() - newLeaders,
                    ms);
            written.stream()
                    .limit(20)
                    .forEach(c -> log.info(
                            "  {} -> leader {} epoch {} ISR {}",
                            c.tp(),
                            c.newState().getLeader(),
                            c.newState().getLeaderEpoch(),
                            c.newState().getIsrList()));
        }
    }

    /** True if {@code next} gives the partition another leader (or none) than {@code previous} had. */
    private static boolean leaderMoves(PartitionState previous, PartitionState next) {
        return previous == null || previous.getLeader() != next.getLeader();
    }

    private boolean uncleanAllowed(TopicView topic) {
        String v = topic.configs().get(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG);
        return v == null ? settings.uncleanLeaderElection() : Boolean.parseBoolean(v.trim());
    }

    /** Writes as this term; on a failed epoch check, resigns. Returns null if fenced. */
    private List<PartitionStateWriter.Change> write(
            Term t, List<PartitionStateWriter.Change> changes, PartitionStateWriter.Decision decision) {
        try {
            return writer.write(changes, t.epochZkVersion(), decision);
        } catch (ControllerFencedException e) {
            resign(e.getMessage());
            return null;
        }
    }

    /**
     * Moves leadership to the preferred replica of each partition ({@code null} = every partition).
     * Completes exceptionally with {@link NotControllerException} if this broker is not the controller.
     */
    public CompletableFuture<Map<TopicPartition, ElectionResult>> electPreferredLeaders(
            Set<TopicPartition> partitions) {
        CompletableFuture<Map<TopicPartition, ElectionResult>> result = new CompletableFuture<>();
        events.execute(() -> {
            try {
                result.complete(electPreferred(partitions));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private Map<TopicPartition, ElectionResult> electPreferred(Set<TopicPartition> partitions) {
        long started = System.nanoTime();
        Term t = term;
        if (t == null) {
            throw new NotControllerException("broker " + brokerId + " is not the controller");
        }
        Map<Integer, BrokerRegistration> brokers = cache.liveBrokers();
        Set<Integer> live = brokers.keySet();
        UnavailableReplicas unavailable = UnavailableReplicas.of(brokers.values());
        Map<TopicPartition, ElectionResult> results = new LinkedHashMap<>();
        Map<TopicPartition, List<Integer>> replicasOf = new HashMap<>();
        List<PartitionStateWriter.Change> changes = new ArrayList<>();
        Iterable<TopicPartition> wanted = partitions != null ? partitions : allPartitions();
        for (TopicPartition tp : wanted) {
            Optional<PartitionInfo> info = cache.partition(tp);
            if (info.isEmpty()) {
                results.put(tp, ElectionResult.failed("unknown topic or partition"));
                continue;
            }
            PartitionInfo p = info.get();
            replicasOf.put(tp, p.replicas());
            Set<Integer> canLead = unavailable.canLead(tp, live);
            Optional<PartitionState> next = LeaderElection.preferred(p.state(), p.replicas(), canLead, t.epoch());
            if (next.isPresent()) {
                changes.add(new PartitionStateWriter.Change(tp, p.stateVersion(), next.get()));
            } else if (!p.replicas().isEmpty() && p.leader() == p.replicas().get(0)) {
                results.put(tp, ElectionResult.ALREADY);
            } else {
                results.put(
                        tp,
                        ElectionResult.failed(LeaderElection.preferredIneligible(p.state(), p.replicas(), live)
                                .orElse("preferred replica cannot lead: its log directory is unavailable")));
            }
        }
        List<PartitionStateWriter.Change> written = write(
                t,
                changes,
                (tp, current) -> LeaderElection.preferred(
                        current,
                        replicasOf.get(tp),
                        UnavailableReplicas.of(cache.liveBrokers().values())
                                .canLead(tp, cache.liveBrokers().keySet()),
                        t.epoch()));
        if (written == null) {
            throw new NotControllerException("broker " + brokerId + " was fenced as controller during the election");
        }
        electionsDone(written.size(), 0, started);
        Set<TopicPartition> done = new HashSet<>();
        written.forEach(c -> done.add(c.tp()));
        for (PartitionStateWriter.Change c : changes) {
            results.put(
                    c.tp(),
                    done.contains(c.tp())
                            ? ElectionResult.ELECTED
                            : ElectionResult.failed("the partition changed during the election"));
        }
        if (!written.isEmpty()) {
            log.info(
                    "Controller epoch {}: preferred leaders elected for {}",
                    t.epoch(),
                    written.stream()
                            .map(c -> c.tp() + "->" + c.newState().getLeader())
                            .toList());
        }
        return results;
    }

    private List<TopicPartition> allPartitions() {
        List<TopicPartition> all = new ArrayList<>();
        cache.topics().forEach(t -> t.replicas().keySet().forEach(p -> all.add(t.topicPartition(p))));
        return all;
    }

    /** Kafka's auto leader rebalance: a broker leading too few of the partitions it prefers gets them back. */
    private void checkImbalance() {
        if (term == null) {
            return;
        }
        Map<Integer, List<TopicPartition>> preferredBy = new HashMap<>();
        Map<Integer, Integer> notLed = new HashMap<>();
        for (TopicView topic : cache.topics()) {
            for (PartitionInfo p : topic.partitionsSnapshot()) {
                if (p.replicas().isEmpty()) {
                    continue;
                }
                int preferred = p.replicas().get(0);
                preferredBy.computeIfAbsent(preferred, b -> new ArrayList<>()).add(p.topicPartition());
                if (p.leader() != preferred) {
                    notLed.merge(preferred, 1, Integer::sum);
                }
            }
        }
        Set<TopicPartition> toElect = new HashSet<>();
        preferredBy.forEach((broker, tps) -> {
            int off = notLed.getOrDefault(broker, 0);
            if (cache.isLive(broker) && off * 100 > settings.imbalancePercentPerBroker() * tps.size()) {
                toElect.addAll(tps);
            }
        });
        if (!toElect.isEmpty()) {
            log.info(
                    "Leader imbalance above {}%: electing preferred leaders for {} partitions",
                    settings.imbalancePercentPerBroker(), toElect.size());
            try {
                electPreferred(toElect);
            } catch (NotControllerException e) {
                log.debug("{}", e.getMessage());
            }
        }
    }

    private void queueReassignment(String topic) {
        if (reassignmentsQueued.add(topic)) {
            events.execute(() -> {
                reassignmentsQueued.remove(topic);
                advanceReassignment(topic);
            });
        }
    }

    /** Takes every reassignment step of {@code topic} possible now; the next change of the topic brings us back. */
    private void advanceReassignment(String topic) {
        Term t = term;
        if (t == null) {
            return;
        }
        try {
            if (reassigner.advance(
                    topic, t.epochZkVersion(), t.epoch(), cache.liveBrokers().keySet())) {
                queueReassignment(topic);
            }
        } catch (ControllerFencedException e) {
            resign(e.getMessage());
        } catch (RuntimeException e) {
            log.error("Controller could not advance the reassignment of topic {}; retrying in 1 s", topic, e);
            events.schedule(() -> queueReassignment(topic), 1, TimeUnit.SECONDS);
        }
    }

    /** Removes every znode of a topic marked for deletion, then the marker; resumable by any later controller. */
    private void deleteTopic(String topic) {
        Term t = term;
        if (t == null || !cache.deletionsRequested().contains(topic)) {
            return;
        }
        try {
            TopicDeleter.deleteZnodes(store, topic, t.epochZkVersion());
            log.info("Controller epoch {}: deleted topic {}", t.epoch(), topic);
        } catch (io.strand.coordinator.VersionConflictException e) {
            if (Znodes.CONTROLLER_EPOCH.equals(e.path())) {
                resign("fenced while deleting topic " + topic);
            } else {
                log.warn("Deletion of topic {} raced with another writer ({}); retrying", topic, e.getMessage());
                events.schedule(() -> deleteTopic(topic), 100, TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            log.error("Controller could not delete topic {}; retrying in 1 s", topic, e);
            events.schedule(() -> deleteTopic(topic), 1, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        closed = true;
        zk.getConnectionStateListenable().removeListener(connectionListener);
        events.shutdownNow();
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        term = null;
    }
}
