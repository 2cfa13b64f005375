package io.strand.tools.zk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.security.DigestCredentials;
import io.strand.coordinator.security.ZooKeeperClientOptions;
import io.strand.server.testing.StrandTestCluster;
import io.strand.tools.CliHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/strand} against a ZooKeeper secured by brokers with {@code zookeeper.set.acl=true}:
 * without credentials the commands read what anyone may read, but neither the secrets nor anything
 * they would write; with the brokers' credentials ({@code --zk-credentials-file}, or the broker's
 * own properties file as {@code --zk-config-file}) they read the secrets and create topics whose
 * znodes get the same ACLs; no password ever shows in their output.
 */
class SecuredZooKeeperCliTest {
    private static final String PASSWORD = "zk-Broker-Password-7";
    private static final DigestCredentials BROKER = new DigestCredentials("broker", PASSWORD);

    @TempDir
    static Path dir;

    private static StrandTestCluster cluster;
    private static Path credentials;
    private static Path serverProperties;

    @BeforeAll
    static void startSecuredCluster() throws Exception {
        credentials = Files.writeString(dir.resolve("zookeeper.digest"), BROKER.fileText());
        cluster = StrandTestCluster.start(
                1, Map.of("zookeeper.set.acl", "true", "zookeeper.digest.credentials.file", credentials.toString()));
        serverProperties = Files.writeString(
                dir.resolve("server.properties"),
                cluster.brokerProperties(1).entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining("\n")));
        try (CuratorFramework zk = ZooKeeperConnection.connect(
                cluster.zookeeperConnect(), 10_000, 10_000, ZooKeeperClientOptions.digest(BROKER, true))) {
            // a real SCRAM credential, as the brokers store it: salted keys, never the password
            new io.strand.coordinator.admin.ScramCredentialStore(new io.strand.coordinator.MetadataStore(zk))
                    .createIfAbsent(
                            "admin",
                            org.apache.kafka.common.security.scram.internals.ScramMechanism.SCRAM_SHA_512,
                            "admin-secret",
                            4096);
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    @Test
    void shouldReadWhatAnyoneMayWithoutCredentials() {
        CliHarness.Result ls = cli("zk", "ls", "/brokers/ids");
        assertEquals(0, ls.code(), ls::toString);
        assertTrue(ls.out().contains("Children: 1"), ls::toString);

        CliHarness.Result secret = cli("zk", "get", "/config/users/admin");
        assertRefused(secret);
    }

    @Test
    void shouldReadTheSecretsWithTheBrokersCredentials() {
        for (String[] flags : new String[][] {
            {"--zk-credentials-file", credentials.toString()}, {"--zk-config-file", serverProperties.toString()}
        }) {
            CliHarness.Result secret = cli(CliHarness.with(new String[] {"zk", "get", "/config/users/admin"}, flags));
            assertEquals(0, secret.code(), secret::toString);
            assertTrue(secret.out().contains("4096"), secret::toString); // decoded: the iterations
            assertFalse(secret.out().contains("admin-secret"), secret::toString);
            assertFalse(secret.out().contains(PASSWORD) || secret.err().contains(PASSWORD), secret::toString);
        }
    }

    @Test
    void shouldCreateTopicsOnlyWithCredentialsAndWithTheBrokersAcls() throws Exception {
        CliHarness.Result refused = cli("topics", "create", "--topic", "from-tool-anonymous");
        assertRefused(refused);

        CliHarness.Result created =
                cli("topics", "create", "--topic", "from-tool", "--zk-config-file", serverProperties.toString());
        assertEquals(0, created.code(), created::toString);
        assertFalse(created.out().contains(PASSWORD) || created.err().contains(PASSWORD), created::toString);

        CliHarness.Result listed = cli("topics", "list");
        assertEquals(0, listed.code(), listed::toString);
        assertTrue(listed.out().contains("from-tool"), listed::toString);
        assertFalse(listed.out().contains("from-tool-anonymous"), listed::toString);

        try (CuratorFramework zk = ZooKeeperConnection.connect(
                cluster.zookeeperConnect(), 10_000, 10_000, ZooKeeperClientOptions.digest(BROKER, true))) {
            Set<ACL> expected = Set.of(
                    new ACL(Perms.ALL, new Id("digest", BROKER.aclId())),
                    new ACL(Perms.READ, new Id("world", "anyone")));
            assertEquals(expected, Set.copyOf(zk.getACL().forPath("/topics/from-tool")));
            assertEquals(expected, Set.copyOf(zk.getACL().forPath("/topics/from-tool/partitions/0/state")));
        }
    }

    @Test
    void shouldRefuseACredentialsFileItCannotReadAsAUsageError() {
        CliHarness.Result r = cli(
                "zk", "ls", "/", "--zk-credentials-file", dir.resolve("absent").toString());
        CliHarness.assertOneLineError(r, 2, "--zk-credentials-file");
    }

    /** Exit 1 and one line naming ZooKeeper's NoAuth. */
    private static void assertRefused(CliHarness.Result r) {
        assertEquals(1, r.code(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        assertTrue(r.err().startsWith("error: ") && r.err().contains("NoAuth"), r::toString);
    }

    private static CliHarness.Result cli(String... args) {
        return CliHarness.run(CliHarness.with(args, "--zookeeper", cluster.zookeeperConnect()));
    }
}
