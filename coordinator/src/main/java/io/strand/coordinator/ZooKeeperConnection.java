package io.strand.coordinator;

import io.strand.coordinator.security.ZnodeAcls;
import io.strand.coordinator.security.ZooKeeperClientOptions;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * Builds the Curator client for a {@code zookeeper.connect} string. A chroot in the string
 * ({@code host:2181,host:2182/strand}) becomes Curator's namespace, so every Strand path is
 * relative to it and the chroot znode is created on first use.
 *
 * <p>Every Strand ZooKeeper client is built here, with the {@link ZooKeeperClientOptions} of its
 * process: digest credentials added to the session, {@link ZnodeAcls} on everything it creates when
 * {@code zookeeper.set.acl} is true, and ZooKeeper client properties (TLS) for the connection.
 * Stateless.
 */
public final class ZooKeeperConnection {
    private ZooKeeperConnection() {}

    /** host list and chroot (without leading slash; empty for none) of a connect string. */
    public record ConnectString(String hosts, String chroot) {
        public static ConnectString parse(String connect) {
            if (connect == null || connect.isBlank()) {
                throw new IllegalArgumentException("zookeeper.connect is empty");
            }
            int slash = connect.indexOf('/');
            if (slash < 0) {
                return new ConnectString(connect.trim(), "");
            }
            String hosts = connect.substring(0, slash).trim();
            String chroot = connect.substring(slash + 1).trim();
            while (chroot.endsWith("/")) {
                chroot = chroot.substring(0, chroot.length() - 1);
            }
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("zookeeper.connect has no host before the chroot: " + connect);
            }
            return new ConnectString(hosts, chroot);
        }
    }

    /** A plain client ({@link ZooKeeperClientOptions#NONE}); see {@link #connect(String, int, int, ZooKeeperClientOptions)}. */
    public static CuratorFramework connect(String connect, int sessionTimeoutMs, int connectionTimeoutMs) {
        return connect(connect, sessionTimeoutMs, connectionTimeoutMs, ZooKeeperClientOptions.NONE);
    }

    /** Starts a client with {@code options} and waits up to {@code connectionTimeoutMs} for its first connection. */
    public static CuratorFramework connect(
            String connect, int sessionTimeoutMs, int connectionTimeoutMs, ZooKeeperClientOptions options) {
        ConnectString cs = ConnectString.parse(connect);
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(cs.hosts())
                .namespace(cs.chroot().isEmpty() ? null : cs.chroot())
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(connectionTimeoutMs)
                .retryPolicy(new ExponentialBackoffRetry(100, 10, 2_000));
        options.digestCredentials().ifPresent(d -> builder.authorization("digest", d.authBytes()));
        if (options.setAcl()) {
            builder.aclProvider(new ZnodeAcls(cs.chroot()));
        }
        ZKClientConfig clientConfig = options.zkClientConfig();
        if (clientConfig != null) {
            builder.zkClientConfig(clientConfig);
        }
        CuratorFramework zk = builder.build();
        zk.start();
        try {
            if (!zk.blockUntilConnected(connectionTimeoutMs, TimeUnit.MILLISECONDS)) {
                zk.close();
                throw new MetadataStoreException("could not connect to ZooKeeper at " + cs.hosts() + " within "
                        + connectionTimeoutMs + " ms (zookeeper.connect=" + connect
                        + (options.tls() ? ", over TLS" : "") + ")");
            }
        } catch (InterruptedException e) {
            zk.close();
            Thread.currentThread().interrupt();
            throw new MetadataStoreException("interrupted while connecting to ZooKeeper", e);
        }
        return zk;
    }
}
