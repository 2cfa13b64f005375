package io.strand.coordinator.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.ConfigChangeWatcher;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.proto.ConfigChangeNotification;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;

/**
 * The SCRAM users in a real ZooKeeper: written before any broker created the parents (as the
 * launcher does), created only if absent, replaced, deleted with the znode going with the last
 * credential, names that need sanitizing, a change notification per write, and a {@link
 * ConfigChangeWatcher} that reloads at start and then hears each user that changed.
 */
class ScramCredentialStoreTest {
    @Test
    void shouldKeepSaltedCredentialsPerUserAndAnnounceEachChange() throws Exception {
        try (TestingServer server = new TestingServer(true);
                CuratorFramework zk =
                        ZooKeeperConnection.connect(server.getConnectString() + "/strand", 30_000, 10_000)) {
            MetadataStore store = new MetadataStore(zk);
            ScramCredentialStore users = new ScramCredentialStore(store);

            assertTrue(users.createIfAbsent("admin", ScramMechanism.SCRAM_SHA_512, "first", 4096));
            ScramCredential first = users.describe("admin").get(ScramMechanism.SCRAM_SHA_512);
            assertFalse(users.createIfAbsent("admin", ScramMechanism.SCRAM_SHA_512, "second", 8192));
            assertArrayEquals(
                    first.storedKey(),
                    users.describe("admin").get(ScramMechanism.SCRAM_SHA_512).storedKey(),
                    "an existing credential is left alone");

            users.upsertPassword("team/alice", ScramMechanism.SCRAM_SHA_256, "pw", 8192);
            assertTrue(store.exists(Znodes.CONFIG_USERS + "/team%2Falice"), "Kafka's sanitized name");
            assertEquals(Set.of("admin", "team/alice"), users.describeAll().keySet());
            assertEquals(
                    8192,
                    users.describe("team/alice")
                            .get(ScramMechanism.SCRAM_SHA_256)
                            .iterations());

            CopyOnWriteArrayList<String> heard = new CopyOnWriteArrayList<>();
            CountDownLatch changed = new CountDownLatch(2);
            try (ConfigChangeWatcher watcher = new ConfigChangeWatcher(store, new ConfigChangeWatcher.Listener() {
                @Override
                public void reloadAll() {
                    heard.add("reload");
                }

                @Override
                public void changed(String entityType, String entityName) {
                    heard.add(entityType + "/" + entityName);
                    changed.countDown();
                }
            })) {
                watcher.start(10_000);
                assertEquals(List.of("reload"), heard, "existing notifications are covered by the first load");
                assertTrue(users.delete("team/alice", ScramMechanism.SCRAM_SHA_256));
                assertFalse(users.delete("team/alice", ScramMechanism.SCRAM_SHA_256));
                users.alter(
                        "bob",
                        Map.of(
                                ScramMechanism.SCRAM_SHA_256,
                                ScramCredentialStore.credential(ScramMechanism.SCRAM_SHA_256, "b", 4096)),
                        Set.of());
                assertTrue(changed.await(10, TimeUnit.SECONDS), heard.toString());
                assertEquals(List.of("reload", "users/team/alice", "users/bob"), heard);
            }
            assertFalse(store.exists(Znodes.userConfig("team/alice")), "no credential left, no znode");
            assertThrows(
                    ResourceNotFoundException.class,
                    () -> users.alter("bob", Map.of(), Set.of(ScramMechanism.SCRAM_SHA_512)));

            List<String> notifications = store.children(Znodes.CONFIG_CHANGES);
            assertEquals(4, notifications.size(), "one per write: " + notifications);
            String last = notifications.stream().sorted().toList().get(3);
            assertEquals(
                    "users/bob",
                    store.read(Znodes.CONFIG_CHANGES + "/" + last, ConfigChangeNotification.parser())
                            .orElseThrow()
                            .value()
                            .getEntityPath());
        }
    }
}
