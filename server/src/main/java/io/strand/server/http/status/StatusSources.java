package io.strand.server.http.status;

import com.codahale.metrics.MetricRegistry;
import io.strand.coordinator.MetadataCache;
import io.strand.server.BrokerConfig;
import io.strand.server.group.GroupCoordinator;
import io.strand.server.replica.ReplicaManager;
import io.strand.wal.LogManager;
import org.apache.curator.framework.CuratorFramework;

/**
 * The running parts of one broker that the status page reads (it changes none of them).
 *
 * @param recordsHidden true when records must not be shown (the broker checks ACLs, which this
 *     unauthenticated page cannot): the peek answers 403
 */
public record StatusSources(
        BrokerConfig config,
        MetadataCache cache,
        ReplicaManager replicas,
        LogManager logs,
        GroupCoordinator groups,
        MetricRegistry registry,
        CuratorFramework zookeeper,
        boolean recordsHidden) {
    public int brokerId() {
        return config.brokerId();
    }
}
