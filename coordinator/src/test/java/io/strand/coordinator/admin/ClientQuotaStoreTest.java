package io.strand.coordinator.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.ConfigChangeWatcher;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.proto.UserConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;

/**
 * Client quotas in a real ZooKeeper at Kafka's paths: users, client ids, users' client ids and the
 * {@code <default>} entities; a user znode shared with SCRAM credentials that neither store
 * overwrites for the other; the empty parents of a user's client-id quotas created and removed with
 * them; and the change notifications, nested ones included, as a {@link ConfigChangeWatcher} hears them.
 */
class ClientQuotaStoreTest {
    private static ClientQuotaEntity entity(String... typeAndName) {
        Map<String, String> e = new HashMap<>();
        for (int i = 0; i < typeAndName.length; i += 2) {
            e.put(typeAndName[i], typeAndName[i + 1]);
        }
        return new ClientQuotaEntity(e);
    }

    private static Map<String, Double> set(String key, double value) {
        return Map.of(key, value);
    }

    private static Map<String, Double> remove(String key) {
        Map<String, Double> m = new HashMap<>();
        m.put(key, null);
        return m;
    }

    @Test
    void shouldSkipAUserZnodeThatDoesNotDecodeAndLoadTheOthers() throws Exception {
        try (TestingServer server = new TestingServer(true);
                CuratorFramework zk =
                        ZooKeeperConnection.connect(server.getConnectString() + "/strand", 30_000, 10_000)) {
            MetadataStore store = new MetadataStore(zk);
            ClientQuotaStore quotas = new ClientQuotaStore(store);
            ScramCredentialStore users = new ScramCredentialStore(store);
            ClientQuotaEntity alice = entity(ClientQuotaEntity.USER, "alice");
            assertTrue(quotas.alter(alice, set("producer_byte_rate", 1024.0)));
            users.upsertPassword("alice", ScramMechanism.SCRAM_SHA_256, "pw", 4096);
            // written by hand in Kafka's JSON, not Strand's protobuf: it must not stop a broker's start
            zk.create()
                    .forPath(
                            Znodes.userConfig("mallory"),
                            "{\"version\":1,\"config\":{\"producer_byte_rate\":\"1\"}}"
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(Map.of(alice, Map.of("producer_byte_rate", 1024.0)), quotas.describeAll());
            assertEquals(java.util.Set.of("alice"), users.describeAll().keySet());
        }
    }

    @Test
    void shouldStoreQuotasAtKafkasPathsBesideScramCredentials() throws Exception {
        try (TestingServer server = new TestingServer(true);
                CuratorFramework zk =
                        ZooKeeperConnection.connect(server.getConnectString() + "/strand", 30_000, 10_000)) {
            MetadataStore store = new MetadataStore(zk);
            ClientQuotaStore quotas = new ClientQuotaStore(store);
            ScramCredentialStore users = new ScramCredentialStore(store);

            ClientQuotaEntity alice = entity(ClientQuotaEntity.USER, "alice");
            ClientQuotaEntity defaultUser = entity(ClientQuotaEntity.USER, null);
            ClientQuotaEntity aliceApp = entity(ClientQuotaEntity.USER, "alice", ClientQuotaEntity.CLIENT_ID, "app/1");
            ClientQuotaEntity defaultClient = entity(ClientQuotaEntity.CLIENT_ID, null);
            ClientQuotaEntity literalDefault = entity(ClientQuotaEntity.CLIENT_ID, "<default>");

            users.upsertPassword("alice", ScramMechanism.SCRAM_SHA_256, "pw", 4096);
            assertTrue(quotas.alter(alice, set("producer_byte_rate", 1024.0)));
            assertFalse(quotas.alter(alice, set("producer_byte_rate", 1024.0)), "no change, no write");
            assertTrue(quotas.alter(defaultUser, set("consumer_byte_rate", 2048.0)));
            assertTrue(quotas.alter(aliceApp, set("request_percentage", 12.5)));
            assertTrue(quotas.alter(defaultClient, set("producer_byte_rate", 10.0)));
            assertTrue(quotas.alter(literalDefault, set("producer_byte_rate", 20.0)));

            assertTrue(store.exists("/config/users/<default>"));
            assertTrue(store.exists("/config/users/alice/clients/app%2F1"), "Kafka's sanitized name");
            assertTrue(store.exists("/config/clients/<default>"));
            assertTrue(store.exists("/config/clients/%3Cdefault%3E"), "a client named <default> is not the default");
            assertEquals(
                    Map.of(
                            alice, Map.of("producer_byte_rate", 1024.0),
                            defaultUser, Map.of("consumer_byte_rate", 2048.0),
                            aliceApp, Map.of("request_percentage", 12.5),
                            defaultClient, Map.of("producer_byte_rate", 10.0),
                            literalDefault, Map.of("producer_byte_rate", 20.0)),
                    quotas.describeAll());

            // the user znode holds both, and neither store overwrites the other's part
            UserConfig both = store.read(Znodes.userConfig("alice"), UserConfig.parser())
                    .orElseThrow()
                    .value();
            assertEquals(Map.of("producer_byte_rate", 1024.0), both.getQuotasMap());
            assertEquals(
                    List.of("SCRAM-SHA-256"),
                    List.copyOf(both.getScramCredentialsMap().keySet()));
            users.upsertPassword("alice", ScramMechanism.SCRAM_SHA_512, "pw", 4096);
            assertEquals(Map.of("producer_byte_rate", 1024.0), quotas.describe(alice));
            assertTrue(users.delete("alice", ScramMechanism.SCRAM_SHA_256));
            assertTrue(users.delete("alice", ScramMechanism.SCRAM_SHA_512));
            assertEquals(Map.of("producer_byte_rate", 1024.0), quotas.describe(alice), "quotas outlive credentials");
            users.upsertPassword("alice", ScramMechanism.SCRAM_SHA_512, "pw", 4096);
            assertTrue(quotas.alter(alice, remove("producer_byte_rate")));
            assertEquals(1, users.describe("alice").size(), "credentials outlive quotas");

            // a user's client-id quota goes with its empty parents, but not with a user holding credentials
            assertTrue(quotas.alter(aliceApp, remove("request_percentage")));
            assertFalse(store.exists(Znodes.userClientsConfig("alice")));
            assertTrue(store.exists(Znodes.userConfig("alice")));
            ClientQuotaEntity bobApp = entity(ClientQuotaEntity.USER, "bob", ClientQuotaEntity.CLIENT_ID, "app");
            assertTrue(quotas.alter(bobApp, set("consumer_byte_rate", 1.0)));
            assertTrue(users.createIfAbsent("bob", ScramMechanism.SCRAM_SHA_512, "pw", 4096));
            assertTrue(users.delete("bob", ScramMechanism.SCRAM_SHA_512));
            assertTrue(store.exists(Znodes.userConfig("bob")), "kept: it has clients/ below it");
            assertTrue(quotas.alter(bobApp, remove("consumer_byte_rate")));
            assertFalse(store.exists(Znodes.userConfig("bob")), "nothing left: gone with its last child");
            assertTrue(quotas.alter(defaultUser, remove("consumer_byte_rate")));
            assertFalse(store.exists("/config/users/<default>"));
            assertEquals(Map.of(), quotas.describe(aliceApp));

            // notifications name Kafka's entity paths, nested ones included
            CopyOnWriteArrayList<String> heard = new CopyOnWriteArrayList<>();
            CountDownLatch changed = new CountDownLatch(3);
            try (ConfigChangeWatcher watcher = new ConfigChangeWatcher(store, new ConfigChangeWatcher.Listener() {
                @Override
                public void reloadAll() {}

                @Override
                public void changed(String entityType, String entityName) {
                    heard.add(entityType + "/" + entityName);
                    changed.countDown();
                }

                @Override
                public void changed(String entityType, String entityName, String childType, String childName) {
                    heard.add(entityType + "/" + entityName + "/" + childType + "/" + childName);
                    changed.countDown();
                }
            })) {
                watcher.start(10_000);
                quotas.alter(aliceApp, set("producer_byte_rate", 5.0));
                quotas.alter(entity(ClientQuotaEntity.CLIENT_ID, "a b"), set("producer_byte_rate", 5.0));
                quotas.alter(defaultUser, set("producer_byte_rate", 5.0));
                assertTrue(changed.await(10, TimeUnit.SECONDS), heard.toString());
                assertEquals(List.of("users/alice/clients/app/1", "clients/a b", "users/<default>"), heard);
            }
        }
    }
}
