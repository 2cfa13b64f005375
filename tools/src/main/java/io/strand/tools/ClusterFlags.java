package io.strand.tools;

import com.beust.jcommander.Parameter;

/** How a topics command reaches the cluster: a broker (Kafka Admin API) or ZooKeeper directly. */
final class ClusterFlags {
    static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

    @Parameter(
            names = "--bootstrap-server",
            description = "Broker(s) to talk to with Kafka's Admin client, HOST:PORT[,HOST:PORT...]",
            defaultValueDescription = DEFAULT_BOOTSTRAP)
    String bootstrapServer;

    @Parameter(
            names = "--zookeeper",
            description = "Work on the znodes directly instead of through a broker, e.g. 127.0.0.1:2181/strand")
    String zookeeper;

    @Parameter(names = "--timeout-ms", description = "How long to wait for the cluster before giving up")
    int timeoutMs = 15_000;

    /** True if the command should use ZooKeeper; rejects giving both connections. */
    boolean useZooKeeper() {
        if (zookeeper != null && bootstrapServer != null) {
            throw new UsageException("give either --bootstrap-server or --zookeeper, not both");
        }
        return zookeeper != null;
    }

    String bootstrapServer() {
        return checkBootstrap(bootstrapServer);
    }

    /** {@code servers} (null = the default) after checking every entry is HOST:PORT. */
    static String checkBootstrap(String given) {
        String servers = given == null ? DEFAULT_BOOTSTRAP : given.trim();
        for (String s : servers.split(",")) {
            String hostPort = s.trim();
            int colon = hostPort.lastIndexOf(':');
            boolean ok = colon > 0 && colon < hostPort.length() - 1;
            if (ok) {
                try {
                    int port = Integer.parseInt(hostPort.substring(colon + 1));
                    ok = port > 0 && port < 65536;
                } catch (NumberFormatException e) {
                    ok = false;
                }
            }
            if (!ok) {
                throw new UsageException("--bootstrap-server " + servers + ": '" + hostPort + "' is not HOST:PORT");
            }
        }
        return servers;
    }

    /** Connects to the cluster the flags name; the caller closes the backend. */
    TopicBackend openTopics() {
        checkTimeout();
        return useZooKeeper()
                ? ZkTopicBackend.open(zookeeper, timeoutMs)
                : AdminTopicBackend.open(bootstrapServer(), timeoutMs);
    }

    void checkTimeout() {
        if (timeoutMs <= 0) {
            throw new UsageException("--timeout-ms must be positive, was " + timeoutMs);
        }
    }
}
