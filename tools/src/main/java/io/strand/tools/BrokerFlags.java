package io.strand.tools;

import com.beust.jcommander.Parameter;

/** How a command that needs a broker (Kafka's Admin API) reaches the cluster. */
final class BrokerFlags {
    @Parameter(names = "--bootstrap-server", description = "Broker(s) to talk to with Kafka's Admin client, HOST:PORT[,HOST:PORT...]",
        defaultValueDescription = ClusterFlags.DEFAULT_BOOTSTRAP)
    String bootstrapServer;

    @Parameter(names = "--timeout-ms", description = "How long to wait for the cluster before giving up")
    int timeoutMs = 15_000;

    /** Connects; the caller closes it. */
    KafkaAdmin open() {
        if (timeoutMs <= 0) {
            throw new UsageException("--timeout-ms must be positive, was " + timeoutMs);
        }
        return KafkaAdmin.open(ClusterFlags.checkBootstrap(bootstrapServer), timeoutMs);
    }
}
