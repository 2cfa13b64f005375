package io.strand.coordinator;

import io.strand.coordinator.proto.ControllerEpoch;
import io.strand.coordinator.proto.PartitionState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.api.transaction.CuratorOp;

/**
 * The znodes of the partitions a topic gains, at its creation or by CreatePartitions: each
 * partition's znode and its first state (the first replica leads at epoch 0, every replica in sync),
 * stamped with the current controller epoch.
 */
public final class NewPartitions {
    private NewPartitions() {}

    /** The ops creating the partitions {@code replicas} (partition -> replicas) of {@code topic}, for one multi. */
    public static List<CuratorOp> createOps(MetadataStore store, String topic, Map<Integer, List<Integer>> replicas) {
        int controllerEpoch = store.read(Znodes.CONTROLLER_EPOCH, ControllerEpoch.parser())
                .map(v -> v.value().getEpoch())
                .orElse(0);
        List<CuratorOp> ops = new ArrayList<>();
        replicas.forEach((p, r) -> {
            ops.add(store.createOp(Znodes.partition(topic, p), new byte[0]));
            ops.add(store.createOp(
                    Znodes.partitionState(topic, p),
                    PartitionState.newBuilder()
                            .setLeader(r.get(0))
                            .setLeaderEpoch(0)
                            .addAllIsr(r)
                            .setControllerEpoch(controllerEpoch)
                            .setPartitionEpoch(0)
                            .build()));
        });
        return ops;
    }
}
