package io.strand.tools.cli;

import io.strand.coordinator.MetadataStoreException;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.security.ZooKeeperClientOptions;
import org.apache.curator.framework.CuratorFramework;

/**
 * The one way the tools connect to ZooKeeper: a started Curator client for a connect string with
 * Strand's chroot, or a one-line failure. Stateless; the client it returns is the caller's to close.
 */
public final class ZooKeeperClient {
    /** The session timeout the tools ask for; a command lasts far less, except {@code watch}. */
    public static final int SESSION_TIMEOUT_MS = 30_000;

    private ZooKeeperClient() {}

    /**
     * A started Curator client for {@code connect}, or a one-line failure.
     *
     * <p>Curator creates the chroot (its namespace) on first use, even for a read. So that a
     * mistyped chroot neither leaves a znode behind nor reads as an empty cluster, a chroot that
     * does not exist fails here when {@code requireChroot}, before the namespace is used.
     *
     * @throws UsageException if {@code connect} is not a connect string
     * @throws CliException if ZooKeeper cannot be reached in {@code timeoutMs}, or the chroot is missing
     */
    public static CuratorFramework connect(String connect, int timeoutMs, boolean requireChroot) {
        return connect(connect, timeoutMs, requireChroot, ZooKeeperClientOptions.NONE);
    }

    /** As {@link #connect(String, int, boolean)}, authenticating and connecting as {@code options} say. */
    public static CuratorFramework connect(
            String connect, int timeoutMs, boolean requireChroot, ZooKeeperClientOptions options) {
        ZooKeeperConnection.ConnectString cs;
        try {
            cs = ZooKeeperConnection.ConnectString.parse(connect);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--zookeeper " + connect + ": " + e.getMessage());
        }
        CuratorFramework zk;
        try {
            zk = ZooKeeperConnection.connect(connect, SESSION_TIMEOUT_MS, timeoutMs, options);
        } catch (MetadataStoreException e) {
            throw new CliException("cluster unreachable: " + Failures.oneLine(e.getMessage()), e);
        }
        if (requireChroot && !cs.chroot().isEmpty()) {
            boolean exists;
            try {
                exists = zk.usingNamespace(null).checkExists().forPath("/" + cs.chroot()) != null;
            } catch (Exception e) {
                zk.close();
                throw new CliException(
                        "ZooKeeper: could not check the chroot /" + cs.chroot() + " at " + cs.hosts() + ": "
                                + Failures.describe(e),
                        e);
            }
            if (!exists) {
                zk.close();
                throw new CliException("no Strand cluster under " + connect + ": the chroot /" + cs.chroot()
                        + " does not exist at " + cs.hosts() + " (is --zookeeper right? no broker has used it yet)");
            }
        }
        return zk;
    }
}
