package io.strand.tools.bench;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * A real ZooKeeper server in this process (standalone, transaction log fsynced as in production), its
 * data in a temporary directory deleted on close. For the metadata benchmarks.
 *
 * <p>Not thread-safe: start and close from one thread.
 */
final class EmbeddedZooKeeper implements AutoCloseable {
    private final File dir;
    private final ServerCnxnFactory factory;

    EmbeddedZooKeeper(Path parent) throws Exception {
        dir = (parent == null ? Files.createTempDirectory("strand-bench-zk") : Files.createTempDirectory(parent, "zk"))
                .toFile();
        ZooKeeperServer zks = new ZooKeeperServer(dir, dir, 2000);
        factory = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0), 200);
        factory.startup(zks);
    }

    /** The connect string of this server with {@code chroot} appended. */
    String connect(String chroot) {
        return "127.0.0.1:" + factory.getLocalPort() + chroot;
    }

    @Override
    public void close() {
        factory.shutdown();
        deleteRecursively(dir);
    }

    private static void deleteRecursively(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteRecursively(c);
            }
        }
        f.delete();
    }
}
