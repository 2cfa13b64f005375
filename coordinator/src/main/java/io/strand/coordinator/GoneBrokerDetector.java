package io.strand.coordinator;

import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.Endpoint;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a broker whose process is gone while ZooKeeper still holds its session, and removes its
 * registration so that the controller moves its leaderships at once instead of after the session
 * timeout. A process that is gone is certain when its registered listener refuses connections
 * ({@code ECONNREFUSED}: nothing listens on the port any more). A broker that is paused, slow or
 * unreachable still has its listening socket (the kernel completes connections into its backlog)
 * or does not answer at all (a timeout): neither counts, and such a broker is left to its session.
 *
 * <p>The controller probes every other registered broker; every other broker probes the
 * controller (whose death leaves {@code /controller} held too). After {@code strikes} consecutive
 * refusals, the registration, and {@code /controller} if the same session holds it, are deleted in
 * one {@code multi} at the versions read, and only while the same session still holds them: a
 * restarted process's new registration is never touched. The gone process cannot come back under
 * the removed registration; a new process registers anew.
 *
 * <p>Threading: probes run on one scheduled thread ({@code broker-liveness}), never on Curator's.
 */
public final class GoneBrokerDetector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GoneBrokerDetector.class);

    private final CuratorFramework zk;
    private final MetadataCache cache;
    private final int localBrokerId;
    private final long intervalMs;
    private final int strikes;
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(ThreadUtils.createThreadFactory("broker-liveness", true));
    /** Consecutive refusals per broker id, for the session that held its registration. */
    private final Map<Integer, Strikes> refused = new HashMap<>();

    private final AtomicLong removed = new AtomicLong();

    private record Strikes(long session, int count) {}

    /**
     * @param intervalMs time between probes of one broker
     * @param strikes consecutive refusals that make a broker gone
     */
    public GoneBrokerDetector(
            CuratorFramework zk, MetadataCache cache, int localBrokerId, long intervalMs, int strikes) {
        this.zk = zk;
        this.cache = cache;
        this.localBrokerId = localBrokerId;
        this.intervalMs = intervalMs;
        this.strikes = strikes;
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::probeSafely, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** Registrations removed because their process was gone, since start. */
    public long removedRegistrations() {
        return removed.get();
    }

    private void probeSafely() {
        try {
            probe();
        } catch (RuntimeException e) {
            log.warn("Broker liveness probe failed: {}", e.toString());
        }
    }

    private void probe() {
        if (!zk.getZookeeperClient().isConnected()) {
            refused.clear(); // our view of the registrations may be stale
            return;
        }
        int controller = cache.controllerId();
        Set<Integer> targets = controller == localBrokerId
                ? cache.liveBrokers().keySet()
                : controller >= 0 ? Set.of(controller) : Set.of();
        refused.keySet().retainAll(targets);
        for (int id : targets) {
            if (id == localBrokerId) {
                continue;
            }
            BrokerRegistration b = cache.broker(id).orElse(null);
            if (b == null || b.getEndpointsCount() == 0) {
                refused.remove(id);
                continue;
            }
            Endpoint e = b.getEndpoints(0);
            if (!refusesConnections(e.getHost(), e.getPort())) {
                refused.remove(id);
                continue;
            }
            strike(id, e);
        }
    }

    private void strike(int id, Endpoint e) {
        String path = Znodes.broker(id);
        Stat stat;
        try {
            stat = zk.checkExists().forPath(path);
        } catch (Exception ex) {
            throw new MetadataStoreException("could not read " + path + ": " + ex, ex);
        }
        if (stat == null) {
            refused.remove(id);
            return;
        }
        Strikes before = refused.get(id);
        int count = before != null && before.session() == stat.getEphemeralOwner() ? before.count() + 1 : 1;
        refused.put(id, new Strikes(stat.getEphemeralOwner(), count));
        if (count < strikes) {
            return;
        }
        refused.remove(id);
        removeRegistration(id, e, path, stat);
    }

    private void removeRegistration(int id, Endpoint e, String path, Stat registration) {
        long session = registration.getEphemeralOwner();
        try {
            Stat controller = zk.checkExists().forPath(Znodes.CONTROLLER);
            boolean alsoController = controller != null && controller.getEphemeralOwner() == session;
            if (alsoController) {
                zk.transaction()
                        .forOperations(
                                zk.transactionOp()
                                        .delete()
                                        .withVersion(registration.getVersion())
                                        .forPath(path),
                                zk.transactionOp()
                                        .delete()
                                        .withVersion(controller.getVersion())
                                        .forPath(Znodes.CONTROLLER));
            } else {
                zk.delete().withVersion(registration.getVersion()).forPath(path);
            }
            removed.incrementAndGet();
            log.warn(
                    "Broker {}'s process is gone: {}:{} refused {} connections in a row ({} ms apart) while its"
                            + " session 0x{} still held {}{}; removed its registration so that its leaderships move now",
                    id,
                    e.getHost(),
                    e.getPort(),
                    strikes,
                    intervalMs,
                    Long.toHexString(session),
                    path,
                    alsoController ? " and " + Znodes.CONTROLLER : "");
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException raced) {
            log.info("Broker {}'s registration changed while it was being removed; leaving it", id);
        } catch (Exception ex) {
            log.warn("Could not remove broker {}'s registration {}: {}", id, path, ex.toString());
        }
    }

    /** Whether nothing listens at host:port any more: refused, not merely slow or unreachable. */
    private boolean refusesConnections(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) Math.max(100, intervalMs));
            return false;
        } catch (ConnectException refused) {
            return refused.getMessage() != null && refused.getMessage().contains("refused");
        } catch (IOException other) {
            return false; // a timeout or an unreachable host proves nothing
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
