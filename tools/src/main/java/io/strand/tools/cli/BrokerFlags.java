package io.strand.tools.cli;

import com.beust.jcommander.Parameter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * How a command that works through a broker (Kafka's Admin API) reaches the cluster: {@code
 * --bootstrap-server}, {@code --timeout-ms} and, for a secured cluster, {@code --command-config} (a
 * Kafka client properties file: {@code security.protocol}, {@code sasl.*}, {@code ssl.*}, as Kafka's
 * tools take it). Compose with {@code @ParametersDelegate}; open the
 * connection with {@link KafkaAdmin#open(BrokerFlags)}. {@link ConnectionFlags} adds {@code
 * --zookeeper} for commands that can also work on the znodes.
 */
public final class BrokerFlags {
    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

    @Parameter(
            names = "--bootstrap-server",
            description = "Broker(s) to talk to with Kafka's Admin client, HOST:PORT[,HOST:PORT...]",
            defaultValueDescription = DEFAULT_BOOTSTRAP)
    String bootstrapServer;

    @Parameter(names = "--timeout-ms", description = "How long to wait for the cluster before giving up")
    int timeoutMs = 15_000;

    @Parameter(
            names = "--command-config",
            description = "Kafka client properties for the command's clients (security.protocol, sasl.*, ssl.*),"
                    + " e.g. the client-admin.properties of bin/strand-cluster start --secure")
    String commandConfig;

    /**
     * The properties of --command-config (empty when not given).
     *
     * @throws UsageException if the file cannot be read
     */
    public Properties clientProperties() {
        Properties p = new Properties();
        if (commandConfig != null) {
            try (InputStream in = Files.newInputStream(Path.of(commandConfig))) {
                p.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw new UsageException(
                        "--command-config " + commandConfig + ": cannot read it (" + Failures.describe(e) + ")", e);
            }
        }
        return p;
    }

    /** --timeout-ms, or a usage error if it is not positive. */
    public int timeoutMs() {
        return UsageException.requirePositive("--timeout-ms", timeoutMs);
    }

    /** True if --bootstrap-server was given (rather than defaulted). */
    boolean given() {
        return bootstrapServer != null;
    }

    /** --bootstrap-server (or the default) after checking every entry is HOST:PORT. */
    public String servers() {
        String servers = bootstrapServer == null ? DEFAULT_BOOTSTRAP : bootstrapServer.trim();
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
}
