package io.strand.tools.cli;

import com.beust.jcommander.Parameter;
import io.strand.coordinator.security.DigestCredentials;
import io.strand.coordinator.security.ZooKeeperClientOptions;
import io.strand.coordinator.security.ZooKeeperSecuritySettingsDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;

/**
 * How a command authenticates to a secured ZooKeeper: {@code --zk-config-file} (Kafka's {@code
 * --zk-tls-config-file} is accepted for it), a properties file with the broker's ZooKeeper client
 * settings — a broker's server.properties will do; only {@code zookeeper.set.acl}, {@code
 * zookeeper.digest.credentials.file}, {@code zookeeper.clientCnxnSocket} and {@code zookeeper.ssl.*}
 * are read — and {@code --zk-credentials-file}, a file of one line {@code user:password} (digest
 * credentials, over the config file's). As Kafka's tools do, a command that authenticates creates
 * znodes with ACLs. Passwords stay in the files: never on the command line, never printed.
 * Composed into {@link ZkFlags} and {@link ConnectionFlags}.
 */
public final class ZkSecurityFlags {
    @Parameter(
            names = {"--zk-config-file", "--zk-tls-config-file"},
            description = "Properties file with the ZooKeeper client settings (zookeeper.digest.credentials.file,"
                    + " zookeeper.set.acl, zookeeper.ssl.*), e.g. a broker's server.properties")
    String configFile;

    @Parameter(
            names = "--zk-credentials-file",
            description = "File with one line user:password: ZooKeeper digest credentials (as the brokers')")
    String credentialsFile;

    /**
     * The ZooKeeper client options the flags give; {@link ZooKeeperClientOptions#NONE} when none.
     *
     * @throws UsageException if a file cannot be read or holds a setting that cannot work
     */
    public ZooKeeperClientOptions options() {
        ZooKeeperClientOptions options = ZooKeeperClientOptions.NONE;
        if (configFile != null) {
            Map<String, String> settings = properties(configFile);
            try {
                options = ZooKeeperSecuritySettingsDefinition.fromProperties(settings);
            } catch (ConfigException e) {
                throw new UsageException("--zk-config-file " + configFile + ": " + e.getMessage(), e);
            }
        }
        DigestCredentials digest = options.digest();
        if (credentialsFile != null) {
            try {
                digest = DigestCredentials.read(Path.of(credentialsFile));
            } catch (IOException e) {
                throw new UsageException(
                        "--zk-credentials-file " + credentialsFile + ": cannot read it (" + Failures.describe(e) + ")",
                        e);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--zk-credentials-file: " + e.getMessage(), e);
            }
        }
        boolean authenticates = digest != null || options.authenticates();
        // as Kafka's tools: a client that authenticates creates znodes with ACLs
        return new ZooKeeperClientOptions(
                options.setAcl() || authenticates, digest, options.clientProperties(), options.jaasClient());
    }

    private static Map<String, String> properties(String file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("--zk-config-file " + file + ": cannot read it (" + Failures.describe(e) + ")", e);
        }
        Map<String, String> m = new HashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }
}
