package io.strand.server;

import io.strand.coordinator.BrokerRegistrar;
import io.strand.coordinator.ClusterIdentity;
import io.strand.coordinator.GoneBrokerDetector;
import io.strand.coordinator.IsrUpdater;
import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.PreviousSession;
import io.strand.coordinator.ProducerIdManager;
import io.strand.coordinator.ReplicaAssigner;
import io.strand.coordinator.TopicCreator;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.admin.ClientQuotaStore;
import io.strand.coordinator.controller.Controller;
import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.Endpoint;
import io.strand.coordinator.security.ChrootWriteAccess;
import io.strand.coordinator.security.ZooKeeperClientOptions;
import io.strand.server.admin.AdminService;
import io.strand.server.cleaner.CleanerStatusPublisher;
import io.strand.server.group.GroupConfig;
import io.strand.server.group.GroupCoordinator;
import io.strand.server.http.BrokerHttpServer;
import io.strand.server.http.HttpListenerAddress;
import io.strand.server.http.PrometheusMetrics;
import io.strand.server.http.status.StatusPage;
import io.strand.server.http.status.StatusSources;
import io.strand.server.metrics.BrokerMetrics;
import io.strand.server.metrics.ConsumerLagMetrics;
import io.strand.server.metrics.KafkaObjectNames;
import io.strand.server.metrics.ZooKeeperMetrics;
import io.strand.server.network.ApiHandlers;
import io.strand.server.network.HandlerDecorator;
import io.strand.server.network.SocketServer;
import io.strand.server.network.UnansweredRequests;
import io.strand.server.quota.ClientQuotaAdmin;
import io.strand.server.quota.ClientQuotas;
import io.strand.server.quota.QuotaConfig;
import io.strand.server.replica.LogConfigs;
import io.strand.server.replica.LogDirReporter;
import io.strand.server.replica.ReplicaManager;
import io.strand.server.replica.ReplicationThrottle;
import io.strand.server.replica.SessionFence;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.security.SaslAuthentication;
import io.strand.server.security.ScramCredentialAdmin;
import io.strand.server.security.SecurityHandlers;
import io.strand.server.security.tls.BrokerTls;
import io.strand.server.share.CoordinatorPersister;
import io.strand.server.share.ShareConfig;
import io.strand.server.share.ShareCoordinator;
import io.strand.server.share.ShareGroupOffsets;
import io.strand.server.share.SharePartitionManager;
import io.strand.server.topics.TopicService;
import io.strand.server.txn.TransactionCoordinator;
import io.strand.server.txn.TxnConfig;
import io.strand.wal.LogManager;
import io.strand.wal.LogManagerConfig;
import io.strand.wal.cleaner.CleanerConfig;
import io.strand.wal.cleaner.LogCleaner;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.apache.kafka.server.authorizer.Authorizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker's lifecycle. {@link #start()} opens the logs, connects to ZooKeeper, loads the
 * metadata cache, binds the listeners and registers {@code /brokers/ids/<id>};
 * {@link #close()} undoes it in reverse order and leaves the logs cleanly closed.
 *
 * <p>Not thread-safe: start and close from one thread.
 */
public final class Broker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    private final BrokerConfig config;
    private final List<AutoCloseable> closeInReverse = new ArrayList<>();
    private final Map<String, InetSocketAddress> boundAddresses = new LinkedHashMap<>();
    private final HandlerDecorator handlerDecorator;
    private BrokerMetrics metrics;
    private BrokerHttpServer http;
    private LogManager logs;
    private LogCleaner cleaner;
    private CuratorFramework zk;
    private MetadataCache cache;
    private ReplicaManager replicaManager;
    private Controller controller;
    private SessionFence sessionFence;
    private LogDirReporter logDirReporter;
    /** TLS listeners, and how this broker reaches the others (the inter-broker listener). */
    private BrokerTls tls;
    /** Completes when the broker stopped itself (every log directory offline), with the reason. */
    private final java.util.concurrent.CompletableFuture<String> stoppedItself =
            new java.util.concurrent.CompletableFuture<>();
    /** Null when strand.liveness.probe.interval.ms=0. */
    private GoneBrokerDetector goneBrokers;
    /** Whether this process ended the session of a killed predecessor at start. */
    private boolean endedPreviousSession;

    private String clusterId;
    /** Share groups: the partition-leader side and the offsets the admin APIs change. */
    private SharePartitionManager shares;

    private ShareGroupOffsets shareOffsets;
    /** Null when authorizer.class.name is empty. */
    private Authorizer authorizer;
    /** SASL listeners' authentication and the SCRAM users (issue 16). */
    private SaslAuthentication sasl;
    /** Consumer groups and committed offsets (the status page reads its groups). */
    private GroupCoordinator groups;
    /** Client quotas, loaded from ZooKeeper and followed (issue 17). */
    private ClientQuotas quotas;

    public Broker(BrokerConfig config) {
        this(config, HandlerDecorator.NONE);
    }

    /** A broker whose API handlers are wrapped by {@code handlerDecorator} (tests inject faults this way). */
    public Broker(BrokerConfig config, HandlerDecorator handlerDecorator) {
        this.config = config;
        this.handlerDecorator = handlerDecorator;
    }

    public Broker start() throws Exception {
        log.info("Starting broker {} with {}", config.brokerId(), config.effectiveValues());
        try {
            // closed last: what the connections left unanswered is released once nothing can read it any more
            UnansweredRequests unanswered = closing(new UnansweredRequests());
            metrics = closing(new BrokerMetrics(config.brokerId(), config.metricsJmxEnable()));
            tls = closing(BrokerTls.create(config, metrics.registry())); // a bad ssl.* setting stops here

            logs = closing(new LogManager(
                    config.storage().logDirs(),
                    LogConfigs.forTopic(config, Map.of()),
                    LogManagerConfig.defaults()
                            .withRetentionCheckIntervalMs(config.storage().logRetentionCheckIntervalMs())
                            .withFlushCheckIntervalMs(config.storage().logFlushSchedulerIntervalMs())
                            .withCheckpointIntervalMs(config.storage().logFlushOffsetCheckpointIntervalMs())
                            .withFileDeleteDelayMs(config.storage().logSegmentDeleteDelayMs())
                            .withFreeSpaceFloor(
                                    config.storage().logDirFreeBytesMin(),
                                    config.storage().logDirFreePercentMin())
                            .withRecoveryThreads(config.storage().numRecoveryThreadsPerDataDir()
                                    * config.storage().logDirs().size())
                            .withJournal(config.storage().journal())));
            logs.startup();
            cleaner = closing(new LogCleaner(logs, cleanerConfig(config), Time.SYSTEM));
            cleaner.startup();

            ZooKeeperClientOptions zkOptions = config.zookeeperClientOptions();
            zk = closing(ZooKeeperConnection.connect(
                    config.zookeeperConnect(),
                    config.zookeeperSessionTimeoutMs(),
                    config.zookeeperConnectionTimeoutMs(),
                    zkOptions));
            ZooKeeperMetrics.attach(zk, metrics.registry());
            ChrootWriteAccess.require(
                    zk,
                    ZooKeeperConnection.ConnectString.parse(config.zookeeperConnect())
                            .chroot(),
                    zkOptions);
            MetadataStore store = new MetadataStore(zk);
            store.ensureParents();
            clusterId = ClusterIdentity.getOrCreate(store);
            authorizer = SecurityHandlers.openAuthorizer(config, store)
                    .map(this::closing)
                    .orElse(null);
            sasl = closing(SaslAuthentication.start(
                    config, store, config.zookeeperConnectionTimeoutMs(), metrics.registry(), tls.connector()));
            quotas = closing(ClientQuotas.start(
                    QuotaConfig.from(config),
                    store,
                    metrics.registry(),
                    metrics.jmxNames().map(KafkaObjectNames::plainNames).orElse(false),
                    config.zookeeperConnectionTimeoutMs()));
            PreviousSession previousSession =
                    new PreviousSession(config.storage().logDirs());
            endPreviousProcessSession(previousSession, zkOptions);
            closing(previousSession::forget); // after the registrar: a clean stop leaves nothing to end

            cache = closing(new MetadataCache(zk));
            // the replica manager hands durable-end moves to the request pool, which still closes before it
            ExecutorService requestPool = Executors.newFixedThreadPool(
                    config.numIoThreads(), ThreadUtils.createThreadFactory("strand-request-handler-%d", true));
            replicaManager = closing(new ReplicaManager(
                    config, logs, cache, new IsrUpdater(store), requestPool, sasl.connector(), metrics));
            cache.addListener(replicaManager);
            logDirReporter = closing(
                    new LogDirReporter(config.brokerId(), logs, replicaManager, this::stopBecauseEveryLogDirIsOffline));
            logs.addLogDirListener(logDirReporter);
            logDirReporter.onLogDirsChanged(); // directories found offline at start
            sessionFence = new SessionFence(replicaManager, cache, store);
            zk.getConnectionStateListenable().addListener(sessionFence);
            controller = closing(new Controller(
                    zk,
                    cache,
                    config.brokerId(),
                    new Controller.Settings(
                            config.replication().uncleanLeaderElectionEnable(),
                            config.replication().autoLeaderRebalanceEnable(),
                            config.replication().leaderImbalancePerBrokerPercentage(),
                            config.replication().leaderImbalanceCheckIntervalSeconds() * 1000L)));
            cache.addListener(controller);
            cache.start(config.zookeeperConnectionTimeoutMs());

            closingPool(requestPool);
            ExecutorService blockingPool = closingPool(
                    Executors.newFixedThreadPool(4, ThreadUtils.createThreadFactory("strand-zk-ops-%d", true)));
            ScheduledThreadPoolExecutor timer =
                    new ScheduledThreadPoolExecutor(1, ThreadUtils.createThreadFactory("strand-delayed-ops-%d", true));
            timer.setRemoveOnCancelPolicy(true);
            closingPool(timer);

            TopicService topics = new TopicService(
                    new TopicCreator(store, config.brokerId(), new ReplicaAssigner(new SecureRandom())),
                    cache,
                    config,
                    blockingPool);
            ProducerIdManager producerIds =
                    new ProducerIdManager(store, config.brokerId(), ProducerIdManager.DEFAULT_BLOCK_SIZE);
            AdminService admin = new AdminService(config, store, cache, controller, logs, blockingPool);
            ReplicationThrottle throttle = new ReplicationThrottle(
                    config.brokerId(), config.replication().leaderReplicationThrottledRate(), cache);
            ApiHandlers handlers = handlers(
                    topics,
                    timer,
                    producerIds,
                    blockingPool,
                    admin,
                    throttle,
                    new ClientQuotaAdmin(new ClientQuotaStore(store), blockingPool));

            SocketServer sockets = closing(new SocketServer(config.numNetworkThreads(), unanswered));
            for (ListenerConfig.Listener l : config.listeners()) {
                boundAddresses.put(
                        l.name(),
                        sockets.bind(
                                l,
                                tls.channelSecurity(l),
                                handlers,
                                requestPool,
                                metrics,
                                config.socketRequestMaxBytes(),
                                config.queuedMaxRequests(),
                                sasl.authenticators(l),
                                quotas));
            }

            startHttp(); // before registering: the registration names its address
            BrokerRegistrar registrar = closing(new BrokerRegistrar(
                    zk,
                    registration(),
                    config.zookeeperSessionTimeoutMs() * 2L + 5_000,
                    () -> previousSession.save(zk)));
            registrar.register();
            logDirReporter.publishTo(registrar::updateUnavailableLogDirs);
            closing(new CleanerStatusPublisher(zk, config, cleaner)).start();
            controller.start();
            if (config.livenessProbeIntervalMs() > 0) {
                goneBrokers = closing(
                        new GoneBrokerDetector(zk, cache, config.brokerId(), config.livenessProbeIntervalMs(), 2));
                goneBrokers.start();
            }
            BrokerGauges.register(
                    metrics,
                    replicaManager,
                    cleaner,
                    controller,
                    cache,
                    goneBrokers,
                    sessionFence,
                    endedPreviousSession,
                    logs,
                    logDirReporter);
            KafkaGauges.register(metrics.registry(), controller, cache, logs, logDirReporter::offlineReplicas);
            long lagIntervalMs = config.getLong(HttpSettingsDefinition.METRICS_CONSUMER_LAG_INTERVAL_MS);
            if (lagIntervalMs > 0) {
                closing(new ConsumerLagMetrics(
                                metrics.registry(), groups, replicaManager, cache, sasl.connector(), config.brokerId()))
                        .start(lagIntervalMs);
            }
            log.info("Broker {} started in cluster {}, listening on {}", config.brokerId(), clusterId, boundAddresses);
            return this;
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** The HTTP listener ({@code metrics.http.listener}), when set, with the status page on it. */
    private void startHttp() throws java.io.IOException {
        Optional<InetSocketAddress> httpAddress = HttpListenerAddress.from(config);
        if (httpAddress.isPresent()) {
            http = closing(BrokerHttpServer.start(httpAddress.get()));
            http.route("/metrics", new PrometheusMetrics(metrics.registry()));
            closing(StatusPage.register(
                    http,
                    new StatusSources(
                            config, cache, replicaManager, logs, groups, metrics.registry(), zk, authorizer != null)));
        }
    }

    /** The HTTP listener's address as other brokers reach it ("" when off): a wildcard bind names the advertised host. */
    private String httpEndpoint() {
        if (http == null) {
            return "";
        }
        InetSocketAddress a = http.address();
        String host = a.getAddress() != null && a.getAddress().isAnyLocalAddress()
                ? config.advertisedListeners().get(0).host()
                : a.getHostString();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * A {@code kill -9} leaves the dead process's session, and with it this broker's registration,
     * in ZooKeeper until the session times out. This process holds the log directories' locks, so
     * that process has ended: end its session now, then wait until the controller has moved its
     * leaderships to new leader epochs, and register without waiting for the expiry.
     */
    private void endPreviousProcessSession(PreviousSession previous, ZooKeeperClientOptions zkOptions) {
        int timeoutMs = config.zookeeperSessionTimeoutMs();
        String hosts = ZooKeeperConnection.ConnectString.parse(config.zookeeperConnect())
                .hosts();
        endedPreviousSession =
                previous.endIfStillOpen(zk, hosts, Znodes.broker(config.brokerId()), timeoutMs, zkOptions);
        if (endedPreviousSession) {
            PreviousSession.awaitLeadershipsMoved(zk, config.brokerId(), timeoutMs);
        }
    }

    private ApiHandlers handlers(
            TopicService topics,
            ScheduledExecutorService timer,
            ProducerIdManager producerIds,
            ExecutorService blockingPool,
            AdminService admin,
            ReplicationThrottle throttle,
            ClientQuotaAdmin quotaAdmin) {
        RequestAuthorization authorization = RequestAuthorization.of(authorizer);
        // consumer groups and committed offsets in __consumer_offsets
        groups = closing(
                new GroupCoordinator(GroupConfig.from(config), cache, topics, timer, config.brokerId(), authorization));
        replicaManager.addLeadershipListener(groups);
        groups.adoptCurrentLeadership(replicaManager.partitions());
        // transactions: the coordinator on __transaction_state (the partitions' markers are the leaders' job)
        TransactionCoordinator transactions = closing(new TransactionCoordinator(
                TxnConfig.from(config),
                cache,
                topics,
                timer,
                config.brokerId(),
                () -> CompletableFuture.supplyAsync(producerIds::nextProducerId, blockingPool),
                groups::partitionFor,
                metrics.registry(),
                sasl.connector()));
        replicaManager.addLeadershipListener(transactions);
        transactions.adoptCurrentLeadership(replicaManager.partitions());
        // share groups (KIP-932): the partition leaders' share state, persisted by the share coordinator
        ShareCoordinator shareCoordinator =
                closing(new ShareCoordinator(ShareConfig.from(config), cache, topics, config.brokerId()));
        replicaManager.addLeadershipListener(shareCoordinator);
        shareCoordinator.adoptCurrentLeadership(replicaManager.partitions());
        CoordinatorPersister persister =
                closing(new CoordinatorPersister(shareCoordinator, cache, sasl.connector(), timer));
        shares = closing(new SharePartitionManager(ShareConfig.from(config), persister, timer, metrics.registry()));
        replicaManager.addLeadershipListener(shares);
        shareOffsets = new ShareGroupOffsets(persister, persister::latestOffset, shares, replicaManager, cache);
        shareOffsets.groupEmptyCheck(groups.serverAssigned()::checkShareGroupEmpty);
        shareOffsets.groupTopics(groups.serverAssigned()::shareGroupTopics);
        BrokerApis apis = new BrokerApis(
                config,
                cache,
                topics,
                replicaManager,
                logs,
                metrics,
                timer,
                blockingPool,
                throttle,
                admin,
                producerIds,
                groups,
                transactions,
                shareCoordinator,
                shares,
                shareOffsets,
                new ScramCredentialAdmin(sasl.credentialStore(), blockingPool),
                authorization,
                quotaAdmin);
        AtomicReference<ApiHandlers> self = new AtomicReference<>();
        self.set(new ApiHandlers(apis.handlers(self::get)).decorate(handlerDecorator));
        return self.get();
    }

    /**
     * Every log directory is offline: this broker can host nothing, so it stops cleanly (its registration goes, and
     * the controller moves whatever it still led); {@link #stoppedItself()} completes, and {@code bin/strand-broker}
     * exits with status 1.
     */
    private void stopBecauseEveryLogDirIsOffline() {
        Thread stopper = new Thread(
                () -> {
                    close();
                    stoppedItself.complete("every log directory is offline: "
                            + config.storage().logDirs());
                },
                "broker-stop");
        stopper.setDaemon(false);
        stopper.start();
    }

    /** Completes (with the reason) once the broker has stopped itself; never while it serves. */
    public java.util.concurrent.CompletableFuture<String> stoppedItself() {
        return stoppedItself;
    }

    /** The broker's log cleaner settings ({@code log.cleaner.*}). */
    private static CleanerConfig cleanerConfig(BrokerConfig c) {
        return new CleanerConfig(
                c.cleaner().logCleanerEnable(),
                c.cleaner().logCleanerThreads(),
                c.cleaner().logCleanerDedupeBufferSize(),
                c.cleaner().logCleanerIoBufferSize(),
                c.cleaner().logCleanerIoMaxBytesPerSecond(),
                c.cleaner().logCleanerBackoffMs());
    }

    public LogCleaner logCleaner() {
        return cleaner;
    }

    /** This broker's log directories (tests inject failures through it). */
    public LogManager logManager() {
        return logs;
    }

    private BrokerRegistration registration() {
        BrokerRegistration.Builder b = BrokerRegistration.newBuilder()
                .addAllUnavailableLogDirs(logDirReporter.unavailable())
                .setBrokerId(config.brokerId())
                .setRack(config.rack())
                .setIncarnationId(Uuid.randomUuid().toString())
                .setRegisteredAtMs(System.currentTimeMillis())
                .setHttpEndpoint(httpEndpoint());
        for (ListenerConfig.Listener l : config.advertisedListeners()) {
            InetSocketAddress bound = boundAddresses.get(l.name());
            int port = l.port() == 0 && bound != null ? bound.getPort() : l.port();
            b.addEndpoints(Endpoint.newBuilder()
                    .setListenerName(l.name())
                    .setHost(l.host())
                    .setPort(port)
                    .setSecurityProtocol(l.securityProtocol().name));
        }
        return b.build();
    }

    public BrokerConfig config() {
        return config;
    }

    public int brokerId() {
        return config.brokerId();
    }

    public String clusterId() {
        return clusterId;
    }

    /** This broker's ZooKeeper client (tests use it to expire the session on purpose). */
    public CuratorFramework zookeeperClient() {
        return zk;
    }

    public MetadataCache metadataCache() {
        return cache;
    }

    public Controller controller() {
        return controller;
    }

    public ReplicaManager replicaManager() {
        return replicaManager;
    }

    public BrokerMetrics metrics() {
        return metrics;
    }

    /** This broker's client quotas (loaded from ZooKeeper at start, then followed). */
    public ClientQuotas quotas() {
        return quotas;
    }

    /** SASL listeners' authentication and the SCRAM users. */
    public SaslAuthentication sasl() {
        return sasl;
    }

    /** The share partitions this broker leads (the group coordinator releases a leaving member's records here). */
    public SharePartitionManager sharePartitions() {
        return shares;
    }

    /** Share-group offsets; the group coordinator plugs in whether a share group has members. */
    public ShareGroupOffsets shareGroupOffsets() {
        return shareOffsets;
    }

    /** The authorizer every request is checked against; empty when {@code authorizer.class.name} is empty. */
    public Optional<Authorizer> authorizer() {
        return Optional.ofNullable(authorizer);
    }

    /** The address the first listener is bound to. */
    /** The HTTP listener's bound address, when {@code metrics.http.listener} is set. */
    public Optional<InetSocketAddress> httpAddress() {
        return Optional.ofNullable(http).map(BrokerHttpServer::address);
    }

    public InetSocketAddress boundAddress() {
        return boundAddresses.values().iterator().next();
    }

    /** The address listener {@code listenerName} is bound to. */
    public InetSocketAddress boundAddress(String listenerName) {
        InetSocketAddress a = boundAddresses.get(listenerName);
        if (a == null) {
            throw new IllegalArgumentException(
                    "no listener " + listenerName + " (listeners: " + boundAddresses.keySet() + ")");
        }
        return a;
    }

    private <T extends AutoCloseable> T closing(T resource) {
        closeInReverse.add(resource);
        return resource;
    }

    private <T extends ExecutorService> T closingPool(T pool) {
        closeInReverse.add(() -> {
            pool.shutdownNow();
            pool.awaitTermination(5, TimeUnit.SECONDS);
        });
        return pool;
    }

    @Override
    public void close() {
        for (int i = closeInReverse.size() - 1; i >= 0; i--) {
            try {
                closeInReverse.get(i).close();
            } catch (Exception e) {
                log.warn("Error while stopping broker {}: {}", config.brokerId(), e.toString(), e);
            }
        }
        closeInReverse.clear();
        log.info("Broker {} stopped", config.brokerId());
    }
}
