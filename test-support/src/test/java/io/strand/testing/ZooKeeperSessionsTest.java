package io.strand.testing;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

class ZooKeeperSessionsTest {
    @Test
    void shouldEndTheSessionOnTheServerAtOnceAndTellTheClient() throws Exception {
        try (TestingServer server = new TestingServer(true);
                CuratorFramework client = CuratorFrameworkFactory.newClient(
                        server.getConnectString(), 30_000, 10_000, new RetryOneTime(100));
                CuratorFramework observer =
                        CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100))) {
            CountDownLatch lost = new CountDownLatch(1);
            client.getConnectionStateListenable().addListener((c, state) -> {
                if (state == ConnectionState.LOST) {
                    lost.countDown();
                }
            });
            client.start();
            observer.start();
            client.blockUntilConnected();
            observer.blockUntilConnected();
            long session = client.getZookeeperClient().getZooKeeper().getSessionId();
            client.create().withMode(CreateMode.EPHEMERAL).forPath("/mine");

            ZooKeeperSessions.expire(client);

            // well within the 30 s session timeout: the server ended the session itself
            Wait.waitUntil(
                    "the ephemeral znode is gone",
                    Duration.ofSeconds(10),
                    () -> observer.checkExists().forPath("/mine") == null);
            if (!lost.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the client was not told that its session was lost");
            }
            client.blockUntilConnected();
            assertNotNull(client.getZookeeperClient().getZooKeeper());
            assertNotEquals(session, client.getZookeeperClient().getZooKeeper().getSessionId(), "a new session");
        }
    }
}
