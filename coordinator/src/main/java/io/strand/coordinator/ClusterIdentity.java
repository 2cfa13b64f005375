package io.strand.coordinator;

import io.strand.coordinator.proto.ClusterId;
import org.apache.kafka.common.Uuid;
import org.apache.zookeeper.CreateMode;

/** The cluster id: created once by the first broker (create-if-absent), read by every later one. */
public final class ClusterIdentity {
    private ClusterIdentity() {}

    public static String getOrCreate(MetadataStore store) {
        store.createIfAbsent(
                Znodes.CLUSTER_ID,
                ClusterId.newBuilder().setId(Uuid.randomUuid().toString()).build(),
                CreateMode.PERSISTENT);
        return store.read(Znodes.CLUSTER_ID, ClusterId.parser())
                .orElseThrow(
                        () -> new MetadataStoreException(Znodes.CLUSTER_ID + " vanished right after it was created"))
                .value()
                .getId();
    }
}
