package io.strand.coordinator;

import io.strand.coordinator.proto.BrokerRegistration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this broker's ephemeral {@code /brokers/ids/<id>} registered for as long as it runs: at start,
 * and again whenever a new ZooKeeper session replaces one that expired.
 *
 * <p>A registration left by an earlier process of the same broker id whose session the broker could
 * not end ({@link PreviousSession}) is waited out; one held by another live session past {@code
 * takeoverWaitMs} fails the start, so two live brokers never share an id.
 *
 * <p>Thread-safe. Re-registration runs on its own single thread, never on Curator's event thread.
 */
public final class BrokerRegistrar implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerRegistrar.class);

    private final CuratorFramework zk;
    /** What this broker registers; its unavailable log directories change while it runs. */
    private volatile BrokerRegistration registration;

    private final long takeoverWaitMs;
    private final Runnable onRegistered;
    private final ExecutorService reRegistration =
            Executors.newSingleThreadExecutor(ThreadUtils.createThreadFactory("broker-registration", true));
    private final ConnectionStateListener listener = this::onConnectionState;
    private volatile boolean closed;

    /** @param onRegistered runs after each registration (at start and under each new session) */
    public BrokerRegistrar(
            CuratorFramework zk, BrokerRegistration registration, long takeoverWaitMs, Runnable onRegistered) {
        this.zk = zk;
        this.registration = registration;
        this.takeoverWaitMs = takeoverWaitMs;
        this.onRegistered = onRegistered;
    }

    public String path() {
        return Znodes.broker(registration.getBrokerId());
    }

    /**
     * Publishes this broker's unavailable log directories in its registration (a CAS on the version read, so
     * nothing else's write is overwritten), and in every later re-registration. Asynchronous, in order.
     */
    public void updateUnavailableLogDirs(java.util.List<io.strand.coordinator.proto.UnavailableLogDir> dirs) {
        synchronized (this) {
            registration = registration.toBuilder()
                    .clearUnavailableLogDirs()
                    .addAllUnavailableLogDirs(dirs)
                    .build();
        }
        try {
            reRegistration.execute(this::rewriteIfOurs);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // stopping: the registration goes with the broker
        }
    }

    public BrokerRegistration registration() {
        return registration;
    }

    /** Rewrites the registration if this session holds it; otherwise the next registration writes it. */
    private void rewriteIfOurs() {
        String path = path();
        for (int attempt = 0; attempt < 10 && !closed; attempt++) {
            try {
                Stat stat = zk.checkExists().forPath(path);
                if (stat == null || stat.getEphemeralOwner() != sessionId()) {
                    return;
                }
                BrokerRegistration now = registration;
                zk.setData().withVersion(stat.getVersion()).forPath(path, now.toByteArray());
                log.info(
                        "Broker {} registration updated: unavailable log directories {}",
                        now.getBrokerId(),
                        now.getUnavailableLogDirsList().stream()
                                .map(d -> d.getPath() + " " + d.getStatus() + " (" + d.getPartitionsCount()
                                        + " partitions)")
                                .toList());
                return;
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException raced) {
                // re-read and decide again
            } catch (Exception e) {
                log.warn("Could not update {} (it is rewritten at the next registration): {}", path, e.toString());
                return;
            }
        }
    }

    /** Registers, waiting out a stale registration of a previous process; then keeps it registered. */
    public void register() {
        registerNow(System.currentTimeMillis() + takeoverWaitMs);
        zk.getConnectionStateListenable().addListener(listener);
    }

    /**
     * Registers again if the registration is removed while this process runs and its session lives
     * (another broker took this process for dead: {@link GoneBrokerDetector}); the controller has
     * moved its leaderships meanwhile, and it comes back as a broker that just started.
     */
    private void watchRegistration() {
        try {
            zk.checkExists()
                    .usingWatcher((org.apache.zookeeper.Watcher) e -> {
                        if (e.getType() == org.apache.zookeeper.Watcher.Event.EventType.NodeDeleted && !closed) {
                            log.warn("{} was removed while this broker runs: registering again", path());
                            reRegistration.execute(this::reRegister);
                        }
                    })
                    .forPath(path());
        } catch (Exception e) {
            log.warn("Could not watch {}: {}", path(), e.toString());
        }
    }

    private void reRegister() {
        try {
            registerNow(System.currentTimeMillis() + takeoverWaitMs);
        } catch (RuntimeException e) {
            log.error("Could not re-register {}", path(), e);
        }
    }

    private void onConnectionState(CuratorFramework client, ConnectionState state) {
        if (state == ConnectionState.LOST) {
            log.warn("ZooKeeper session lost: registration {} is gone until the session is re-established", path());
        } else if (state == ConnectionState.RECONNECTED && !closed) {
            reRegistration.execute(this::reRegister);
        }
    }

    private void registerNow(long deadlineMs) {
        String path = path();
        while (!closed) {
            long mySession = sessionId();
            try {
                java.util.concurrent.CountDownLatch changed = new java.util.concurrent.CountDownLatch(1);
                Stat stat = zk.checkExists()
                        .usingWatcher((org.apache.zookeeper.Watcher) e -> changed.countDown())
                        .forPath(path);
                if (stat != null && stat.getEphemeralOwner() == mySession) {
                    rewriteIfOurs(); // what changed while disconnected
                    onRegistered.run();
                    watchRegistration();
                    return; // still ours
                }
                if (stat == null) {
                    zk.create().withMode(CreateMode.EPHEMERAL).forPath(path, registration.toByteArray());
                    log.info(
                            "Registered broker {} at {} with endpoints {}",
                            registration.getBrokerId(),
                            path,
                            registration.getEndpointsList());
                    onRegistered.run();
                    watchRegistration();
                    return;
                }
                if (System.currentTimeMillis() > deadlineMs) {
                    throw new MetadataStoreException("broker id " + registration.getBrokerId()
                            + " is registered at " + path + " by another live ZooKeeper session (0x"
                            + Long.toHexString(stat.getEphemeralOwner())
                            + "); is another broker running with broker.id="
                            + registration.getBrokerId() + "?");
                }
                log.info(
                        "Waiting for the previous registration at {} (session 0x{}) to expire",
                        path,
                        Long.toHexString(stat.getEphemeralOwner()));
                changed.await(Math.max(1, deadlineMs - System.currentTimeMillis()) + 1, TimeUnit.MILLISECONDS);
            } catch (KeeperException.NodeExistsException raced) {
                // re-check who owns it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MetadataStoreException("interrupted while registering " + path, e);
            } catch (MetadataStoreException e) {
                throw e;
            } catch (Exception e) {
                throw new MetadataStoreException("could not register " + path + ": " + e, e);
            }
        }
    }

    private long sessionId() {
        try {
            return zk.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            throw new MetadataStoreException("no ZooKeeper session", e);
        }
    }

    /** Stops re-registering and removes the registration if this session still owns it. */
    @Override
    public void close() {
        closed = true;
        zk.getConnectionStateListenable().removeListener(listener);
        reRegistration.shutdownNow();
        try {
            Stat stat = zk.checkExists().forPath(path());
            if (stat != null && stat.getEphemeralOwner() == sessionId()) {
                zk.delete().withVersion(stat.getVersion()).forPath(path());
            }
        } catch (Exception e) {
            log.debug("Could not remove {} on close (the session end removes it): {}", path(), e.toString());
        }
    }
}
