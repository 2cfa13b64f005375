package io.strand.coordinator.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.MetadataStoreException;
import io.strand.coordinator.ZooKeeperConnection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With {@code zookeeper.set.acl=true} and digest credentials, what a broker creates under the chroot
 * is writable only by that identity and readable by anyone, except the secrets under {@code
 * /config/users} that nobody else may read; a client without the credentials (or with a wrong
 * password) can read but not create, change or delete, and the start-up check names who may write.
 */
class ZnodeAclsTest {
    private static final DigestCredentials BROKER = new DigestCredentials("broker", "s3cret-Pa55");
    private static final ZooKeeperClientOptions SECURE = ZooKeeperClientOptions.digest(BROKER, true);

    private TestingServer server;
    private CuratorFramework broker;

    @BeforeEach
    void startSecuredCluster() throws Exception {
        server = new TestingServer(true);
        broker = ZooKeeperConnection.connect(server.getConnectString() + "/strand", 30_000, 10_000, SECURE);
        ChrootWriteAccess.require(broker, "strand", SECURE);
        new MetadataStore(broker).ensureParents();
        broker.create().creatingParentsIfNeeded().forPath("/config/users/alice", bytes("salted"));
        broker.create().withMode(CreateMode.EPHEMERAL).forPath("/brokers/ids/1", bytes("registration"));
        broker.transaction().forOperations(broker.transactionOp().create().forPath("/topics/t", bytes("assignment")));
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
        server.close();
    }

    @Test
    void shouldGiveTheCreatorEverythingAndAnyoneReadExceptOnSecrets() throws Exception {
        Set<ACL> readable = Set.of(
                new ACL(Perms.ALL, new Id("digest", BROKER.aclId())), new ACL(Perms.READ, new Id("world", "anyone")));
        Set<ACL> secret = Set.of(new ACL(Perms.ALL, new Id("digest", BROKER.aclId())));
        assertEquals(readable, Set.copyOf(broker.usingNamespace(null).getACL().forPath("/strand")), "the chroot");
        for (String path : List.of("/brokers", "/brokers/ids", "/brokers/ids/1", "/topics/t", "/config", "/cluster")) {
            assertEquals(readable, Set.copyOf(broker.getACL().forPath(path)), path);
        }
        for (String path : List.of("/config/users", "/config/users/alice", "/config/brokers")) {
            assertEquals(secret, Set.copyOf(broker.getACL().forPath(path)), path);
        }
    }

    @Test
    void shouldLetAClientWithoutCredentialsReadButNotWrite() throws Exception {
        try (CuratorFramework anonymous =
                ZooKeeperConnection.connect(server.getConnectString() + "/strand", 30_000, 10_000)) {
            assertEquals(List.of("1"), anonymous.getChildren().forPath("/brokers/ids"));
            assertEquals("assignment", new String(anonymous.getData().forPath("/topics/t"), StandardCharsets.UTF_8));

            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.create().forPath("/intruder"));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.create().forPath("/topics/evil"));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.setData().forPath("/topics/t", bytes("hijacked")));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.delete().forPath("/brokers/ids/1"));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous
                            .setACL()
                            .withACL(List.of(new ACL(Perms.ALL, new Id("world", "anyone"))))
                            .forPath("/topics/t"));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.getData().forPath("/config/users/alice"));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.getChildren().forPath("/config/users"));

            MetadataStoreException refused = assertThrows(
                    MetadataStoreException.class,
                    () -> ChrootWriteAccess.require(anonymous, "strand", ZooKeeperClientOptions.NONE));
            assertTrue(refused.getMessage().contains("digest user 'broker'"), refused.getMessage());
            assertTrue(refused.getMessage().contains("unauthenticated"), refused.getMessage());
        }
        assertEquals("assignment", new String(broker.getData().forPath("/topics/t"), StandardCharsets.UTF_8));
    }

    @Test
    void shouldRefuseAWrongPasswordAtTheStartupCheckWithoutShowingIt() throws Exception {
        ZooKeeperClientOptions wrong = ZooKeeperClientOptions.digest(new DigestCredentials("broker", "guess"), true);
        try (CuratorFramework impostor =
                ZooKeeperConnection.connect(server.getConnectString() + "/strand", 30_000, 10_000, wrong)) {
            MetadataStoreException refused = assertThrows(
                    MetadataStoreException.class, () -> ChrootWriteAccess.require(impostor, "strand", wrong));
            String m = refused.getMessage();
            assertTrue(m.contains("NoAuth") && m.contains("zookeeper.digest.credentials.file"), m);
            assertTrue(!m.contains("guess") && !m.contains("s3cret") && !m.contains(BROKER.aclId()), m);
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> impostor.create().forPath("/topics/evil"));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> impostor.getData().forPath("/config/users/alice"));
        }
    }

    @Test
    void shouldLetAnotherClientWithTheSameCredentialsWriteAndReadSecrets() throws Exception {
        try (CuratorFramework tool =
                ZooKeeperConnection.connect(server.getConnectString() + "/strand", 30_000, 10_000, SECURE)) {
            ChrootWriteAccess.require(tool, "strand", SECURE);
            assertEquals("salted", new String(tool.getData().forPath("/config/users/alice"), StandardCharsets.UTF_8));
            tool.setData().forPath("/topics/t", bytes("changed"));
            tool.create().forPath("/config/users/bob", bytes("salted too"));
            assertEquals(
                    Set.of(new ACL(Perms.ALL, new Id("digest", BROKER.aclId()))),
                    Set.copyOf(tool.getACL().forPath("/config/users/bob")));
            // a transaction (how SCRAM credentials are written, with their notification): the same rule
            tool.transaction()
                    .forOperations(tool.transactionOp().create().forPath("/config/users/carol", bytes("salted")));
            assertEquals(
                    Set.of(new ACL(Perms.ALL, new Id("digest", BROKER.aclId()))),
                    Set.copyOf(tool.getACL().forPath("/config/users/carol")));
        }
    }

    @Test
    void shouldApplyTheRulesBelowTheChrootOnly() {
        ZnodeAcls acls = new ZnodeAcls("strand/");
        assertEquals("", acls.relative("/strand"));
        assertEquals("/config/users/x", acls.relative("/strand/config/users/x"));
        assertEquals("/config/users", acls.relative("/config/users"), "a transaction's path, below the namespace");
        assertEquals("", acls.relative("/"));
        assertEquals(1, acls.getAclForPath("/strand/config/users").size());
        assertEquals(1, acls.getAclForPath("/strand/config/users/x").size());
        assertEquals(2, acls.getAclForPath("/strand/config/usersx").size(), "not below /config/users");
        assertEquals(2, acls.getAclForPath("/strand/config/topics/t").size());
        assertEquals(
                1, new ZnodeAcls("").getAclForPath("/delegation_token/tokens/t").size());
        assertEquals(
                Set.of("digest"),
                acls.getAclForPath("/strand/config/users").stream()
                        .map(a -> a.getId().getScheme())
                        .map(s -> s.equals("auth") ? "digest" : s)
                        .collect(Collectors.toSet()));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
