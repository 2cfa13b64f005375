package io.strand.tools;

import com.beust.jcommander.Parameter;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;

/** How a command that works only through a broker (Kafka's Admin API) reaches the cluster. */
final class BrokerFlags {
    @Parameter(
            names = "--bootstrap-server",
            description = "Broker(s) to talk to with Kafka's Admin client, HOST:PORT[,HOST:PORT...]",
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

    /** Kafka's Admin client for the brokers named; the caller closes it. */
    Admin openAdmin() {
        ClusterFlags checked = new ClusterFlags();
        checked.bootstrapServer = bootstrapServer;
        checked.timeoutMs = timeoutMs;
        checked.checkTimeout();
        String servers = checked.bootstrapServer();
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "strand-cli");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        try {
            return Admin.create(props);
        } catch (KafkaException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new CliException("cluster unreachable at " + servers + ": " + Failures.describe(cause), e);
        }
    }
}
