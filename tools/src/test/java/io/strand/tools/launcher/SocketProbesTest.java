package io.strand.tools.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Optional;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/** Readiness checks against a real ZooKeeper (curator-test) and plain sockets. */
class SocketProbesTest {

    @Test
    void shouldSeeAStandaloneZooKeeperServe() throws Exception {
        String whitelist = "zookeeper.4lw.commands.whitelist";
        String before = System.getProperty(whitelist);
        System.setProperty(whitelist, "srvr,ruok");
        try (TestingServer zk = new TestingServer()) {
            assertEquals(Optional.of("standalone"), SocketProbes.zooKeeperMode(zk.getPort()));
            assertTrue(SocketProbes.zooKeeperServing(zk.getPort()));
            assertTrue(SocketProbes.portOpen("127.0.0.1:" + zk.getPort()));
            assertEquals(Optional.of("imok"), SocketProbes.fourLetterWord(zk.getPort(), "ruok"));
        } finally {
            if (before == null) {
                System.clearProperty(whitelist);
            } else {
                System.setProperty(whitelist, before);
            }
        }
    }

    @Test
    void shouldNotMistakeAnotherServerOrAClosedPortForZooKeeper() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
            // something listens but closes without a word: not a serving ZooKeeper
            Thread acceptor = new Thread(() -> {
                try {
                    s.accept().close();
                } catch (Exception e) {
                    // the socket closes at the end of the test
                }
            });
            acceptor.start();
            assertTrue(SocketProbes.portOpen("127.0.0.1", closed));
            acceptor.join();
            assertFalse(SocketProbes.zooKeeperServing(closed));
        }
        assertFalse(SocketProbes.portOpen("127.0.0.1", closed));
        assertFalse(SocketProbes.zooKeeperServing(closed));
        assertFalse(SocketProbes.portOpen("127.0.0.1:"), "an address without a port");
    }
}
