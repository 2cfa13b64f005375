package io.strand.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * ZooKeeper session expiry on demand, as the server does it: a second handle attaches to the
 * client's session (same id and password) and closes it, so the server ends the session at once
 * (its ephemeral znodes go, its watches fire) and the client learns on its next contact that its
 * session has expired. Unlike {@code Testable.injectSessionExpiration()}, which only makes the
 * client believe it, nothing waits for the session timeout.
 *
 * <p>Threading: call from the test thread; the client's own threads see the expiry.
 */
public final class ZooKeeperSessions {
    private static final Duration ATTACH_TIMEOUT = Duration.ofSeconds(20);

    private ZooKeeperSessions() {}

    /** Expires the current session of a Curator client. */
    public static void expire(CuratorFramework client) throws Exception {
        expire(
                client.getZookeeperClient().getZooKeeper(),
                client.getZookeeperClient().getCurrentConnectionString());
    }

    /** Expires the session of {@code client}, reaching the server(s) through {@code connectString}. */
    public static void expire(ZooKeeper client, String connectString) throws Exception {
        long sessionId = client.getSessionId();
        CountDownLatch attached = new CountDownLatch(1);
        ZooKeeper twin = new ZooKeeper(
                connectString,
                (int) ATTACH_TIMEOUT.toMillis(),
                event -> {
                    if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                        attached.countDown();
                    }
                },
                sessionId,
                client.getSessionPasswd());
        try {
            if (!attached.await(ATTACH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(
                        "could not attach to session 0x" + Long.toHexString(sessionId) + " to expire it");
            }
        } finally {
            twin.close(); // closing any handle of a session ends it on the server
        }
    }
}
