package io.strand.tools.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import org.apache.curator.framework.CuratorFramework;

/**
 * How the commands that only read znodes ({@code zk ls|get}, {@code watch}) reach ZooKeeper:
 * {@code --zookeeper} (default {@value #DEFAULT_ZOOKEEPER}), {@code --timeout-ms} and the credentials
 * of a secured ZooKeeper ({@link ZkSecurityFlags}). Compose with {@code @ParametersDelegate}.
 */
public final class ZkFlags {
    public static final String DEFAULT_ZOOKEEPER = "127.0.0.1:2181/strand";

    @Parameter(names = "--zookeeper", description = "ZooKeeper connect string with Strand's chroot")
    String zookeeper = DEFAULT_ZOOKEEPER;

    @Parameter(names = "--timeout-ms", description = "How long to wait for ZooKeeper before giving up")
    int timeoutMs = 15_000;

    @ParametersDelegate
    final ZkSecurityFlags security = new ZkSecurityFlags();

    public String zookeeper() {
        return zookeeper;
    }

    /** --timeout-ms, or a usage error if it is not positive. */
    public int timeoutMs() {
        return UsageException.requirePositive("--timeout-ms", timeoutMs);
    }

    /**
     * Connects; the caller closes the client.
     *
     * @param requireChroot fail if the chroot does not exist (false: wait for it, as {@code watch} does)
     */
    public CuratorFramework connect(boolean requireChroot) {
        return ZooKeeperClient.connect(zookeeper, timeoutMs(), requireChroot, security.options());
    }
}
