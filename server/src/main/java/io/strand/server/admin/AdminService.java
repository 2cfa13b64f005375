package io.strand.server.admin;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.ReplicaAssigner;
import io.strand.coordinator.admin.BrokerConfigWriter;
import io.strand.coordinator.admin.PartitionAdder;
import io.strand.coordinator.admin.ReassignmentRequester;
import io.strand.coordinator.admin.TopicConfigWriter;
import io.strand.coordinator.admin.TopicDeleter;
import io.strand.coordinator.controller.Controller;
import io.strand.server.BrokerConfig;
import io.strand.wal.LogManager;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the admin API handlers share: the coordinator's admin operations (each a CAS or multi on
 * ZooKeeper), run on the broker's blocking pool so that request threads never wait on ZooKeeper,
 * and bounded waits until this broker's metadata cache reflects a change.
 *
 * <p>Thread-safe.
 */
public final class AdminService {
    private final BrokerConfig config;
    private final MetadataCache cache;
    private final Controller controller;
    private final LogManager logs;
    private final Executor blockingPool;
    private final PartitionAdder partitionAdder;
    private final TopicDeleter topicDeleter;
    private final TopicConfigWriter topicConfigs;
    private final BrokerConfigWriter brokerConfigs;
    private final ReassignmentRequester reassignments;
    private final ConfigDescriber describer;

    public AdminService(
            BrokerConfig config,
            MetadataStore store,
            MetadataCache cache,
            Controller controller,
            LogManager logs,
            Executor blockingPool) {
        this.config = config;
        this.cache = cache;
        this.controller = controller;
        this.logs = logs;
        this.blockingPool = blockingPool;
        this.partitionAdder = new PartitionAdder(store, new ReplicaAssigner(new SecureRandom()));
        this.topicDeleter = new TopicDeleter(store);
        this.topicConfigs = new TopicConfigWriter(store);
        this.brokerConfigs = new BrokerConfigWriter(store);
        this.reassignments = new ReassignmentRequester(store);
        this.describer = new ConfigDescriber(config, cache);
    }

    /** Runs {@code op} (which blocks on ZooKeeper) on the blocking pool. */
    public <T> CompletableFuture<T> call(Supplier<T> op) {
        return CompletableFuture.supplyAsync(op, blockingPool);
    }

    /**
     * Completes when this broker's cache satisfies {@code condition}, or after {@code timeoutMs}
     * regardless (never exceptionally): the answer then reflects what is known.
     *
     * @return true if the condition held in time
     */
    public CompletableFuture<Boolean> awaitCache(BooleanSupplier condition, long timeoutMs) {
        return cache.awaitCondition(condition)
                .orTimeout(Math.max(1, timeoutMs), TimeUnit.MILLISECONDS)
                .handle((v, e) -> e == null);
    }

    public BrokerConfig config() {
        return config;
    }

    public MetadataCache cache() {
        return cache;
    }

    public Controller controller() {
        return controller;
    }

    public LogManager logs() {
        return logs;
    }

    public PartitionAdder partitionAdder() {
        return partitionAdder;
    }

    public TopicDeleter topicDeleter() {
        return topicDeleter;
    }

    public TopicConfigWriter topicConfigs() {
        return topicConfigs;
    }

    public BrokerConfigWriter brokerConfigs() {
        return brokerConfigs;
    }

    public ReassignmentRequester reassignments() {
        return reassignments;
    }

    public ConfigDescriber describer() {
        return describer;
    }
}
