package io.strand.coordinator.controller;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.VersionConflictException;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.ControllerEpoch;
import io.strand.coordinator.proto.ControllerRegistration;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt to become controller: in a single {@code multi}, create the ephemeral
 * {@code /controller} and bump {@code /controller_epoch} with compare-and-set. Winning yields the new
 * epoch and the version of {@code /controller_epoch} that every later controller write checks.
 *
 * <p>Stateless; call from the controller's event thread.
 */
final class ControllerElection {
    private static final Logger log = LoggerFactory.getLogger(ControllerElection.class);

    /** A won election: the epoch and the znode version of /controller_epoch that fences it. */
    record Won(int epoch, int epochZkVersion) {}

    private final MetadataStore store;
    private final int brokerId;

    ControllerElection(MetadataStore store, int brokerId) {
        this.store = store;
        this.brokerId = brokerId;
    }

    /** Tries once; empty if another broker is controller (or won the race). */
    Optional<Won> tryElect() {
        if (store.exists(Znodes.CONTROLLER)) {
            return Optional.empty();
        }
        Optional<Versioned<ControllerEpoch>> current = store.read(Znodes.CONTROLLER_EPOCH, ControllerEpoch.parser());
        int epoch = current.map(v -> v.value().getEpoch()).orElse(0) + 1;
        ControllerEpoch next = ControllerEpoch.newBuilder().setEpoch(epoch).build();
        CuratorOp epochOp = current.isPresent()
                ? store.setOp(Znodes.CONTROLLER_EPOCH, next, current.get().version())
                : store.createOp(Znodes.CONTROLLER_EPOCH, next);
        CuratorOp controllerOp = store.createEphemeralOp(
                Znodes.CONTROLLER,
                ControllerRegistration.newBuilder()
                        .setBrokerId(brokerId)
                        .setEpoch(epoch)
                        .setElectedAtMs(System.currentTimeMillis())
                        .build());
        try {
            store.multi(List.of(controllerOp, epochOp));
        } catch (VersionConflictException lost) {
            log.debug("Broker {} lost the controller election for epoch {}: {}", brokerId, epoch, lost.getMessage());
            return Optional.empty();
        }
        int epochVersion = current.map(v -> v.version() + 1).orElse(0);
        log.info(
                "Broker {} is the controller at epoch {} (/controller_epoch version {})",
                brokerId,
                epoch,
                epochVersion);
        return Optional.of(new Won(epoch, epochVersion));
    }

    /** True if /controller is this broker's, held by the given ZooKeeper session, at {@code epoch}. */
    boolean stillHeld(int epoch, long sessionId) {
        try {
            Stat stat = new Stat();
            byte[] data = store.curator().getData().storingStatIn(stat).forPath(Znodes.CONTROLLER);
            ControllerRegistration c = MetadataStore.decode(Znodes.CONTROLLER, data, ControllerRegistration.parser());
            return stat.getEphemeralOwner() == sessionId && c.getBrokerId() == brokerId && c.getEpoch() == epoch;
        } catch (KeeperException.NoNodeException e) {
            return false;
        } catch (Exception e) {
            log.warn("Could not check /controller: {}", e.toString());
            return false;
        }
    }

    static long sessionId(CuratorFramework zk) {
        try {
            return zk.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return -1;
        }
    }
}
