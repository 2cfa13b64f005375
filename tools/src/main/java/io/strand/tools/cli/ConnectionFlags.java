package io.strand.tools.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import org.apache.curator.framework.CuratorFramework;

/**
 * How a command that can work either through a broker or on the znodes directly reaches the
 * cluster: the {@link BrokerFlags} plus {@code --zookeeper} (no default: a broker is the default
 * way) with the credentials of a secured ZooKeeper ({@link ZkSecurityFlags}). Compose with {@code @ParametersDelegate}; call {@link #useZooKeeper()} first.
 */
public final class ConnectionFlags {
    @ParametersDelegate
    final BrokerFlags broker = new BrokerFlags();

    @Parameter(
            names = "--zookeeper",
            description = "Work on the znodes directly instead of through a broker, e.g. 127.0.0.1:2181/strand")
    String zookeeper;

    @ParametersDelegate
    final ZkSecurityFlags zookeeperSecurity = new ZkSecurityFlags();

    /**
     * True if the command should use ZooKeeper. Checks --timeout-ms first, then rejects giving both
     * --bootstrap-server and --zookeeper.
     */
    public boolean useZooKeeper() {
        broker.timeoutMs();
        if (zookeeper != null && broker.given()) {
            throw new UsageException("give either --bootstrap-server or --zookeeper, not both");
        }
        return zookeeper != null;
    }

    /** The broker side, for {@link KafkaAdmin#open(BrokerFlags)}. */
    public BrokerFlags broker() {
        return broker;
    }

    /** The --zookeeper connect string, null if not given. */
    public String zookeeper() {
        return zookeeper;
    }

    /** How to authenticate to and connect with --zookeeper. */
    public io.strand.coordinator.security.ZooKeeperClientOptions zooKeeperOptions() {
        return zookeeperSecurity.options();
    }

    public int timeoutMs() {
        return broker.timeoutMs();
    }

    /** Connects to --zookeeper; its chroot must exist. The caller closes the client. */
    public CuratorFramework connectZooKeeper() {
        return ZooKeeperClient.connect(zookeeper, timeoutMs(), true, zooKeeperOptions());
    }
}
