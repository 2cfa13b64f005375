package io.strand.tools;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.ZooKeeperConnection;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The znodes of a test cluster, for tests that check what a command wrote: a {@link MetadataStore}
 * on the cluster's ZooKeeper, connected on first use and closed after the test class. Register as
 * a static {@code @RegisterExtension} field beside the cluster.
 */
public final class ClusterMetadata implements AfterAllCallback {
    private final Supplier<String> zookeeperConnect;
    private CuratorFramework zk;
    private MetadataStore store;

    /** @param zookeeperConnect the cluster's connect string, asked for on first use */
    public ClusterMetadata(Supplier<String> zookeeperConnect) {
        this.zookeeperConnect = zookeeperConnect;
    }

    public synchronized MetadataStore store() {
        if (store == null) {
            zk = ZooKeeperConnection.connect(zookeeperConnect.get(), 30_000, 10_000);
            store = new MetadataStore(zk);
        }
        return store;
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (zk != null) {
            zk.close();
            zk = null;
            store = null;
        }
    }
}
