package io.strand.tools.bench;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.controller.Controller;
import io.strand.coordinator.proto.BrokerRegistration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;

/**
 * The ZooKeeper side of one broker, as the metadata benchmarks simulate it: its own session holding
 * its ephemeral registration, and (while its "process" runs) its {@link MetadataCache} and
 * {@link Controller}, started as a broker starts them. Closing the session is the broker's loss.
 *
 * <p>Not thread-safe: driven by the benchmark's thread.
 */
final class SimulatedBroker implements AutoCloseable {
    static final int SESSION_TIMEOUT_MS = 30_000;

    final int id;
    final CuratorFramework session;
    private MetadataCache cache;
    private Controller controller;

    private SimulatedBroker(int id, CuratorFramework session) {
        this.id = id;
        this.session = session;
    }

    /** Opens a session and registers broker {@code id} under /brokers/ids. */
    static SimulatedBroker register(String connect, int id) {
        CuratorFramework zk = ZooKeeperConnection.connect(connect, SESSION_TIMEOUT_MS, SESSION_TIMEOUT_MS);
        MetadataStore store = new MetadataStore(zk);
        store.ensureParents();
        if (!store.createIfAbsent(
                Znodes.broker(id),
                BrokerRegistration.newBuilder().setBrokerId(id).build(),
                CreateMode.EPHEMERAL)) {
            zk.close();
            throw new IllegalStateException("broker " + id + " is still registered");
        }
        return new SimulatedBroker(id, zk);
    }

    /** Starts the metadata cache (waiting until loaded) and the controller, as a broker does at start. */
    void startProcess() {
        cache = new MetadataCache(session);
        controller = new Controller(session, cache, id, new Controller.Settings(false, false, 10, 3_600_000));
        cache.addListener(controller);
        cache.start(300_000);
        controller.start();
    }

    /** Stops the cache and controller; the session (and registration, and /controller if held) stay. */
    void stopProcess() {
        if (controller != null) {
            controller.close();
            cache.close();
            controller = null;
            cache = null;
        }
    }

    boolean running() {
        return cache != null;
    }

    MetadataCache cache() {
        return cache;
    }

    Controller controller() {
        return controller;
    }

    /** The broker is lost: its process stops and its session ends (its registration vanishes at once). */
    @Override
    public void close() {
        stopProcess();
        session.close();
    }
}
