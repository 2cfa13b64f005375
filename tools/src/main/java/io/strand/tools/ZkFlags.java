package io.strand.tools;

import com.beust.jcommander.Parameter;

/** The ZooKeeper connection of the zk and watch commands. */
final class ZkFlags {
    static final String DEFAULT_ZOOKEEPER = "127.0.0.1:2181/strand";

    @Parameter(names = "--zookeeper", description = "ZooKeeper connect string with Strand's chroot")
    String zookeeper = DEFAULT_ZOOKEEPER;

    @Parameter(names = "--timeout-ms", description = "How long to wait for ZooKeeper before giving up")
    int timeoutMs = 15_000;

    void checkTimeout() {
        if (timeoutMs <= 0) {
            throw new UsageException("--timeout-ms must be positive, was " + timeoutMs);
        }
    }
}
