package io.strand.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --command-config}: the Kafka client properties of a file reach the Admin client of the
 * commands that talk to brokers (a protocol the listener does not speak gets no answer), and a file
 * that cannot be read is a usage error.
 */
@ExtendWith(StrandClusterExtension.class)
class CommandConfigTest {
    @BrokerCluster
    private static StrandTestCluster cluster;

    @TempDir
    Path dir;

    @Test
    void shouldHandTheFilesPropertiesToTheAdminClient() throws Exception {
        Path plaintext = Files.writeString(dir.resolve("plain.properties"), "security.protocol=PLAINTEXT\n");
        CliHarness.Result listed = cli("topics", "list", "--command-config", plaintext.toString());
        assertEquals(0, listed.code(), listed::toString);

        Path tls = Files.writeString(dir.resolve("tls.properties"), "security.protocol=SSL\n");
        CliHarness.Result refused = cli("topics", "list", "--command-config", tls.toString(), "--timeout-ms", "3000");
        assertEquals(1, refused.code(), refused::toString);
        assertTrue(refused.err().startsWith("error: "), refused::toString);
    }

    @Test
    void shouldRefuseAFileItCannotRead() {
        CliHarness.Result r =
                cli("topics", "list", "--command-config", dir.resolve("absent").toString());
        CliHarness.assertOneLineError(r, 2, "--command-config");
    }

    private static CliHarness.Result cli(String... args) {
        return CliHarness.run(CliHarness.with(args, "--bootstrap-server", cluster.bootstrapServer(1)));
    }
}
