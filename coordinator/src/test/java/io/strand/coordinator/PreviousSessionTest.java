package io.strand.coordinator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session recorded by one process ends when the next process of the broker asks, taking the
 * registration with it at once, also when the registration was already removed; a session that
 * another session's registration replaced, one already closed, or one forgotten is left alone.
 */
class PreviousSessionTest {
    private static final String REGISTRATION = "/brokers/ids/7";

    @TempDir
    Path dir;

    @Test
    void shouldEndTheRecordedSessionThatStillHoldsTheRegistration() throws Exception {
        try (TestingServer server = new TestingServer(true);
                CuratorFramework dead = ZooKeeperConnection.connect(server.getConnectString(), 30_000, 10_000);
                CuratorFramework next = ZooKeeperConnection.connect(server.getConnectString(), 30_000, 10_000)) {
            dead.create()
                    .creatingParentsIfNeeded()
                    .withMode(CreateMode.EPHEMERAL)
                    .forPath(REGISTRATION);
            new PreviousSession(List.of(dir)).save(dead);

            // the "dead" client is never closed: only ending its session removes the znode before 30 s
            assertTrue(new PreviousSession(List.of(dir))
                    .endIfStillOpen(next, server.getConnectString(), REGISTRATION, 10_000));
            assertNull(next.checkExists().forPath(REGISTRATION), "the registration went with the session");
        }
    }

    @Test
    void shouldLeaveARegistrationOfAnotherSessionAlone() throws Exception {
        try (TestingServer server = new TestingServer(true);
                CuratorFramework recorded = ZooKeeperConnection.connect(server.getConnectString(), 30_000, 10_000);
                CuratorFramework other = ZooKeeperConnection.connect(server.getConnectString(), 30_000, 10_000)) {
            new PreviousSession(List.of(dir)).save(recorded);
            other.create()
                    .creatingParentsIfNeeded()
                    .withMode(CreateMode.EPHEMERAL)
                    .forPath(REGISTRATION);

            assertFalse(new PreviousSession(List.of(dir))
                    .endIfStillOpen(other, server.getConnectString(), REGISTRATION, 10_000));
            assertTrue(other.checkExists().forPath(REGISTRATION) != null);
            assertTrue(recorded.getZookeeperClient().isConnected(), "the recorded session was not touched");
        }
    }

    @Test
    void shouldEndAnOpenSessionWhoseRegistrationWasRemovedAndLeaveAClosedOneAlone() throws Exception {
        try (TestingServer server = new TestingServer(true);
                CuratorFramework next = ZooKeeperConnection.connect(server.getConnectString(), 30_000, 10_000)) {
            CuratorFramework open = ZooKeeperConnection.connect(server.getConnectString(), 30_000, 10_000);
            open.create()
                    .creatingParentsIfNeeded()
                    .withMode(CreateMode.EPHEMERAL)
                    .forPath("/controller");
            new PreviousSession(List.of(dir)).save(open);
            // another broker removed the registration (GoneBrokerDetector); the session still holds /controller
            assertTrue(new PreviousSession(List.of(dir))
                    .endIfStillOpen(next, server.getConnectString(), REGISTRATION, 10_000));
            assertNull(next.checkExists().forPath("/controller"), "the session ended with its ephemerals");
            open.close();

            CuratorFramework closed = ZooKeeperConnection.connect(server.getConnectString(), 30_000, 10_000);
            new PreviousSession(List.of(dir)).save(closed);
            closed.close(); // a clean stop
            assertFalse(new PreviousSession(List.of(dir))
                    .endIfStillOpen(next, server.getConnectString(), REGISTRATION, 10_000));
        }
    }

    @Test
    void shouldHaveNothingToEndAfterForget() throws Exception {
        try (TestingServer server = new TestingServer(true);
                CuratorFramework recorded = ZooKeeperConnection.connect(server.getConnectString(), 30_000, 10_000);
                CuratorFramework next = ZooKeeperConnection.connect(server.getConnectString(), 30_000, 10_000)) {
            PreviousSession session = new PreviousSession(List.of(dir));
            session.save(recorded);
            session.forget();
            assertFalse(new PreviousSession(List.of(dir))
                    .endIfStillOpen(next, server.getConnectString(), REGISTRATION, 10_000));
            assertTrue(recorded.getZookeeperClient().isConnected());
        }
    }
}
