package io.strand.coordinator;

import io.strand.coordinator.proto.BrokerConfigOverrides;
import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.ClusterId;
import io.strand.coordinator.proto.ControllerRegistration;
import io.strand.coordinator.proto.PartitionState;
import io.strand.coordinator.proto.TopicAssignment;
import io.strand.coordinator.proto.TopicConfig;
import io.strand.coordinator.proto.TopicReassignment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every broker's view of the cluster metadata, fed by {@link CuratorCache}s over the subtrees it reads
 * and, for {@code /topics} (nearly every znode of a large cluster), a {@link TopicTreeCache} that reads
 * in batches. Reads are lock-free from any thread and return what ZooKeeper held a moment ago; changes
 * are applied in ZooKeeper's order on Curator's single event thread, then passed to
 * {@link MetadataListener}s.
 * A topic becomes visible once its topic znode is seen; {@link TopicView#complete()} says when all of
 * its partition states have arrived too.
 */
public final class MetadataCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetadataCache.class);

    /** The subtrees besides {@code /topics} that the cache reads, each kept by a {@link CuratorCache}. */
    private static final List<String> SUBTREES = List.of(
            Znodes.BROKER_IDS,
            Znodes.CONTROLLER,
            Znodes.CONFIG_TOPICS,
            Znodes.CONFIG_BROKERS,
            Znodes.ADMIN_DELETE_TOPICS,
            Znodes.ADMIN_REASSIGNMENTS,
            Znodes.CLUSTER_ID);

    private final List<CuratorCache> caches = new ArrayList<>();
    private final TopicTreeCache topicTree;
    private final ConcurrentHashMap<Integer, BrokerRegistration> brokers = new ConcurrentHashMap<>();
    /** This broker while its session is lost (-1: none): see {@link #hideOwnRegistration}. */
    private volatile int hiddenBroker = -1;

    private final ConcurrentHashMap<String, TopicView> topics = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Uuid, TopicView> topicsById = new ConcurrentHashMap<>();
    /** States and configs that arrived before their topic znode (not possible with one multi, but cheap to handle). */
    private final ConcurrentHashMap<String, Map<Integer, ChildData>> orphanStates = new ConcurrentHashMap<>();

    private final ConcurrentHashMap<String, Map<String, String>> configs = new ConcurrentHashMap<>();
    private final java.util.Set<String> deletionsRequested = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, TopicReassignment> reassignments = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Map<String, String>> brokerConfigs = new ConcurrentHashMap<>();
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private final List<TopicWaiter> topicWaiters = new CopyOnWriteArrayList<>();
    /** One count per subtree cache and one for the topic tree; the cache is loaded at zero. */
    private final CountDownLatch initialized = new CountDownLatch(SUBTREES.size() + 1);

    private volatile int controllerId = -1;
    private volatile int controllerEpoch = 0;
    private volatile String clusterId = "";

    private record TopicWaiter(String topic, Predicate<TopicView> condition, CompletableFuture<TopicView> future) {}

    private record ConditionWaiter(java.util.function.BooleanSupplier condition, CompletableFuture<Void> future) {}

    private final List<ConditionWaiter> conditionWaiters = new CopyOnWriteArrayList<>();

    public MetadataCache(CuratorFramework zk) {
        for (String subtree : SUBTREES) {
            CuratorCache cache = CuratorCache.build(zk, subtree);
            cache.listenable()
                    .addListener(CuratorCacheListener.builder()
                            .forCreates(this::upsert)
                            .forChanges((before, after) -> upsert(after))
                            .forDeletes(this::delete)
                            .forInitialized(this::partLoaded)
                            .build());
            caches.add(cache);
        }
        this.topicTree = new TopicTreeCache(zk, new TopicTreeCache.Sink() {
            @Override
            public void upsert(ChildData node) {
                MetadataCache.this.upsert(node);
            }

            @Override
            public void delete(ChildData node) {
                MetadataCache.this.delete(node);
            }

            @Override
            public void loaded(Map<String, Set<Integer>> partitions) {
                topicsLoaded(partitions);
            }
        });
    }

    /** One part of the cache finished its first load (on Curator's event thread); the last one tells the listeners. */
    private void partLoaded() {
        initialized.countDown();
        if (initialized.getCount() == 0) {
            notifyListeners(MetadataListener::onCacheLoaded);
        }
    }

    /**
     * A full read of {@code /topics} finished (at start, or after a reconnect): topics and partition
     * states that are no longer there were deleted while this cache could not hear of it.
     */
    private void topicsLoaded(Map<String, Set<Integer>> partitions) {
        for (String name : List.copyOf(topics.keySet())) {
            Set<Integer> present = partitions.get(name);
            if (present == null) {
                delete(new ChildData(Znodes.topic(name), null, null));
                continue;
            }
            TopicView view = topics.get(name);
            for (Integer p : List.copyOf(view.partitions.keySet())) {
                if (!present.contains(p)) {
                    delete(new ChildData(Znodes.partitionState(name, p), null, null));
                }
            }
        }
        if (initialized.getCount() > 0 && !topicsInitialized) {
            topicsInitialized = true;
            partLoaded();
        }
    }

    /** The first full read of /topics finished (Curator's event thread only). */
    private boolean topicsInitialized;

    public void addListener(MetadataListener listener) {
        listeners.add(listener);
    }

    /** Starts the cache and waits until it holds everything that was in ZooKeeper when it started. */
    public void start(long timeoutMs) {
        caches.forEach(CuratorCache::start);
        topicTree.start();
        try {
            if (!initialized.await(timeoutMs, TimeUnit.MILLISECONDS)) {
                throw new MetadataStoreException(
                        "metadata cache did not load from ZooKeeper within " + timeoutMs + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetadataStoreException("interrupted while loading the metadata cache", e);
        }
    }

    // ---- reads ----

    public String clusterId() {
        return clusterId;
    }

    public int controllerId() {
        return controllerId;
    }

    public int controllerEpoch() {
        return controllerEpoch;
    }

    public Map<Integer, BrokerRegistration> liveBrokers() {
        int hidden = hiddenBroker;
        if (hidden < 0 || !brokers.containsKey(hidden)) {
            return Map.copyOf(brokers);
        }
        Map<Integer, BrokerRegistration> live = new java.util.HashMap<>(brokers);
        live.remove(hidden);
        return Map.copyOf(live);
    }

    public Optional<BrokerRegistration> broker(int brokerId) {
        return brokerId == hiddenBroker ? Optional.empty() : Optional.ofNullable(brokers.get(brokerId));
    }

    /**
     * This broker's ZooKeeper session is lost: its registration is gone with it, though no event will
     * say so while it is cut off. Until {@link #showOwnRegistration()} (connected again), the broker
     * is not live in this cache: Metadata answered here does not name it, nor it as anybody's leader.
     */
    public void hideOwnRegistration(int brokerId) {
        hiddenBroker = brokerId;
    }

    public void showOwnRegistration() {
        hiddenBroker = -1;
    }

    public boolean isLive(int brokerId) {
        return brokerId != hiddenBroker && brokers.containsKey(brokerId);
    }

    /** Topics with a pending {@code /admin/delete_topics/<t>} marker. */
    public java.util.Set<String> deletionsRequested() {
        return java.util.Set.copyOf(deletionsRequested);
    }

    /** Whether any topic has a pending reassignment. */
    public boolean hasReassignments() {
        return !reassignments.isEmpty();
    }

    /** The pending reassignment of {@code topic} ({@code /admin/reassignments/<t>}), if any. */
    public Optional<TopicReassignment> reassignment(String topic) {
        return Optional.ofNullable(reassignments.get(topic));
    }

    /** Every pending reassignment by topic, as a snapshot. */
    public Map<String, TopicReassignment> reassignments() {
        return Map.copyOf(reassignments);
    }

    /** Dynamic overrides of broker {@code entity} (a broker id or {@code <default>}); empty if none. */
    public Map<String, String> brokerConfig(String entity) {
        return brokerConfigs.getOrDefault(entity, Map.of());
    }

    public Optional<TopicView> topic(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    public Optional<TopicView> topic(Uuid topicId) {
        return Optional.ofNullable(topicsById.get(topicId));
    }

    public Collection<TopicView> topics() {
        return List.copyOf(topics.values());
    }

    public Optional<PartitionInfo> partition(TopicPartition tp) {
        TopicView t = topics.get(tp.topic());
        return t == null ? Optional.empty() : t.partition(tp.partition());
    }

    /**
     * Completes with the topic once the cache holds it and {@code condition} holds (checked now and on
     * every change of that topic). The caller bounds the wait, e.g. with {@code orTimeout}.
     */
    public CompletableFuture<TopicView> awaitTopic(String name, Predicate<TopicView> condition) {
        CompletableFuture<TopicView> f = new CompletableFuture<>();
        TopicWaiter waiter = new TopicWaiter(name, condition, f);
        topicWaiters.add(waiter);
        f.whenComplete((v, e) -> topicWaiters.remove(waiter));
        TopicView now = topics.get(name);
        if (now != null && condition.test(now)) {
            f.complete(now);
        }
        return f;
    }

    /**
     * Completes once {@code condition} (a question about this cache) holds, checked now and after
     * every change the cache applies. The caller bounds the wait, e.g. with {@code orTimeout}.
     */
    public CompletableFuture<Void> awaitCondition(java.util.function.BooleanSupplier condition) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        ConditionWaiter waiter = new ConditionWaiter(condition, f);
        conditionWaiters.add(waiter);
        f.whenComplete((v, e) -> conditionWaiters.remove(waiter));
        if (condition.getAsBoolean()) {
            f.complete(null);
        }
        return f;
    }

    private void checkConditions() {
        for (ConditionWaiter w : conditionWaiters) {
            try {
                if (w.condition().getAsBoolean()) {
                    w.future().complete(null);
                }
            } catch (RuntimeException e) {
                w.future().completeExceptionally(e);
            }
        }
    }

    // ---- updates, on Curator's event thread ----

    private void upsert(ChildData node) {
        try {
            String[] parts = node.getPath().substring(1).split("/");
            switch (parts[0]) {
                case "brokers" -> {
                    if (parts.length == 3 && parts[1].equals("ids")) {
                        BrokerRegistration b =
                                MetadataStore.decode(node.getPath(), node.getData(), BrokerRegistration.parser());
                        brokers.put(b.getBrokerId(), b);
                        notifyListeners(l -> l.onBrokerRegistered(b));
                    }
                }
                case "topics" -> {
                    if (parts.length == 2) {
                        upsertTopic(parts[1], node);
                    } else if (parts.length == 5 && parts[2].equals("partitions") && parts[4].equals("state")) {
                        upsertPartitionState(parts[1], Integer.parseInt(parts[3]), node);
                    }
                }
                case "config" -> {
                    if (parts.length == 3 && parts[1].equals("brokers")) {
                        Map<String, String> overrides = MetadataStore.decode(
                                        node.getPath(), node.getData(), BrokerConfigOverrides.parser())
                                .getOverridesMap();
                        brokerConfigs.put(parts[2], overrides);
                        notifyListeners(l -> l.onBrokerConfigChanged(parts[2], overrides));
                    }
                    if (parts.length == 3 && parts[1].equals("topics")) {
                        Map<String, String> overrides = MetadataStore.decode(
                                        node.getPath(), node.getData(), TopicConfig.parser())
                                .getOverridesMap();
                        configs.put(parts[2], overrides);
                        TopicView t = topics.get(parts[2]);
                        if (t != null) {
                            t.setConfigs(overrides);
                            notifyListeners(l -> l.onTopicConfigChanged(parts[2], overrides));
                            topicChanged(t);
                        }
                    }
                }
                case "controller" -> {
                    if (parts.length == 1) {
                        ControllerRegistration c =
                                MetadataStore.decode(node.getPath(), node.getData(), ControllerRegistration.parser());
                        controllerId = c.getBrokerId();
                        controllerEpoch = c.getEpoch();
                        notifyListeners(l -> l.onControllerChanged(c.getBrokerId()));
                    }
                }
                case "admin" -> {
                    if (parts.length == 3 && parts[1].equals("delete_topics")) {
                        deletionsRequested.add(parts[2]);
                        notifyListeners(l -> l.onTopicDeletionRequested(parts[2]));
                    } else if (parts.length == 3 && parts[1].equals("reassignments")) {
                        TopicReassignment r =
                                MetadataStore.decode(node.getPath(), node.getData(), TopicReassignment.parser());
                        reassignments.put(parts[2], r);
                        notifyListeners(l -> l.onReassignmentChanged(parts[2], Optional.of(r)));
                    }
                }
                case "cluster" -> {
                    if (parts.length == 2 && parts[1].equals("id")) {
                        clusterId = MetadataStore.decode(node.getPath(), node.getData(), ClusterId.parser())
                                .getId();
                    }
                }
                default -> {}
            }
        } catch (RuntimeException e) {
            log.error("Ignoring znode {} that could not be applied to the metadata cache", node.getPath(), e);
        }
        checkConditions();
    }

    private void upsertTopic(String name, ChildData node) {
        TopicAssignment assignment = MetadataStore.decode(node.getPath(), node.getData(), TopicAssignment.parser());
        TopicView existing = topics.get(name);
        TopicView view;
        if (existing != null && existing.topicId().equals(TopicAssignments.topicId(assignment))) {
            existing.setAssignment(assignment);
            view = existing;
        } else {
            if (existing != null) {
                removeTopic(name);
            }
            view = new TopicView(name, assignment);
            view.setConfigs(configs.getOrDefault(name, Map.of()));
            topics.put(name, view);
            topicsById.put(view.topicId(), view);
            Map<Integer, ChildData> early = orphanStates.remove(name);
            if (early != null) {
                early.forEach((p, data) -> upsertPartitionState(name, p, data));
            }
        }
        // replica lists may have changed: re-announce every partition with its new replicas
        for (PartitionInfo p : new ArrayList<>(view.partitions.values())) {
            List<Integer> replicas =
                    view.replicas().getOrDefault(p.topicPartition().partition(), List.of());
            if (!replicas.equals(p.replicas())) {
                PartitionInfo updated = new PartitionInfo(p.topicPartition(), replicas, p.state(), p.stateVersion());
                view.partitions.put(p.topicPartition().partition(), updated);
                notifyListeners(l -> l.onPartitionChanged(updated));
            }
        }
        topicChanged(view);
    }

    private void upsertPartitionState(String topic, int partition, ChildData node) {
        TopicView view = topics.get(topic);
        if (view == null) {
            orphanStates.computeIfAbsent(topic, t -> new ConcurrentHashMap<>()).put(partition, node);
            return;
        }
        PartitionState state = MetadataStore.decode(node.getPath(), node.getData(), PartitionState.parser());
        PartitionInfo info = new PartitionInfo(
                view.topicPartition(partition),
                view.replicas().getOrDefault(partition, List.of()),
                state,
                node.getStat().getVersion());
        view.partitions.put(partition, info);
        notifyListeners(l -> l.onPartitionChanged(info));
        topicChanged(view);
    }

    private void delete(ChildData node) {
        try {
            applyDelete(node);
        } finally {
            checkConditions();
        }
    }

    private void applyDelete(ChildData node) {
        String[] parts = node.getPath().substring(1).split("/");
        switch (parts[0]) {
            case "brokers" -> {
                if (parts.length == 3 && parts[1].equals("ids")) {
                    int id = Integer.parseInt(parts[2]);
                    brokers.remove(id);
                    notifyListeners(l -> l.onBrokerUnregistered(id));
                }
            }
            case "topics" -> {
                if (parts.length == 2) {
                    removeTopic(parts[1]);
                } else if (parts.length == 5 && parts[4].equals("state")) {
                    TopicView view = topics.get(parts[1]);
                    if (view != null) {
                        view.partitions.remove(Integer.parseInt(parts[3]));
                    }
                }
            }
            case "config" -> {
                if (parts.length == 3 && parts[1].equals("topics")) {
                    configs.remove(parts[2]);
                } else if (parts.length == 3 && parts[1].equals("brokers")) {
                    brokerConfigs.remove(parts[2]);
                    notifyListeners(l -> l.onBrokerConfigChanged(parts[2], Map.of()));
                }
            }
            case "admin" -> {
                if (parts.length == 3 && parts[1].equals("delete_topics")) {
                    deletionsRequested.remove(parts[2]);
                } else if (parts.length == 3 && parts[1].equals("reassignments")) {
                    reassignments.remove(parts[2]);
                    notifyListeners(l -> l.onReassignmentChanged(parts[2], Optional.empty()));
                }
            }
            case "controller" -> {
                if (parts.length == 1) {
                    controllerId = -1;
                    notifyListeners(l -> l.onControllerChanged(-1));
                }
            }
            default -> {}
        }
    }

    private void removeTopic(String name) {
        TopicView gone = topics.remove(name);
        orphanStates.remove(name);
        if (gone != null) {
            topicsById.remove(gone.topicId());
            notifyListeners(l -> l.onTopicDeleted(name, gone.topicId()));
        }
    }

    /** Tells every listener; one that throws does not keep the change from the others. */
    private void notifyListeners(java.util.function.Consumer<MetadataListener> call) {
        for (MetadataListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                log.error("Metadata listener {} failed", l.getClass().getSimpleName(), e);
            }
        }
    }

    private void topicChanged(TopicView view) {
        for (TopicWaiter w : topicWaiters) {
            if (w.topic().equals(view.name()) && w.condition().test(view)) {
                w.future().complete(view);
            }
        }
    }

    @Override
    public void close() {
        topicTree.close();
        caches.forEach(CuratorCache::close);
        topicWaiters.forEach(w -> w.future().cancel(false));
        conditionWaiters.forEach(w -> w.future().cancel(false));
    }
}
