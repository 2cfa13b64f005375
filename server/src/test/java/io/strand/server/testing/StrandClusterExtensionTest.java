package io.strand.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.strand.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * What the cluster extension promises: a test gets the cluster its annotation describes, the
 * cluster is stopped after the test also when the test fails, and a leaked Netty buffer fails the
 * test naming the leak. The classes run through a nested launcher are static nested classes, which
 * surefire does not run by themselves.
 */
class StrandClusterExtensionTest {
    static volatile StrandTestCluster seen;
    static volatile Path seenDir;

    @Test
    void shouldStartTheAnnotatedClusterAndStopItWhenTheTestFails() {
        TestExecutionSummary summary = run(FailsWithACluster.class);

        assertEquals(1, summary.getTestsFailedCount(), "the test ran and failed");
        assertTrue(
                summary.getFailures().get(0).getException().getMessage().contains("the test failed on purpose"),
                summary.getFailures().get(0).getException().toString());
        assertNotNull(seen, "the test got its cluster");
        assertTrue(seen.brokers().isEmpty(), "every broker stopped");
        assertFalse(Files.exists(seenDir), "the cluster's data deleted");
    }

    @Test
    void shouldShareAStaticFieldClusterAcrossTheClassAndStopItAfterwards() {
        TestExecutionSummary summary = run(SharesAStaticCluster.class);

        assertEquals(
                2, summary.getTestsSucceededCount(), () -> summary.getFailures().toString());
        assertNull(SharesAStaticCluster.cluster, "the field is cleared after the class");
        assertTrue(seen.brokers().isEmpty(), "every broker stopped");
        assertFalse(Files.exists(seenDir), "the cluster's data deleted");
    }

    @Test
    void shouldFailTheTestNamingALeakedNettyBuffer() {
        TestExecutionSummary summary = run(LeaksABuffer.class);

        assertEquals(1, summary.getTestsFailedCount(), "the leak failed the test");
        Throwable failure = summary.getFailures().get(0).getException();
        assertTrue(failure.getMessage().contains("Netty buffer leak"), failure.toString());
        assertTrue(failure.getMessage().contains("LEAK: ByteBuf.release() was not called"), failure.getMessage());
        assertTrue(
                failure.getMessage().contains("found after LeaksABuffer dropsABufferWithoutReleasingIt"),
                "names the test: " + failure.getMessage());
    }

    @Test
    void shouldReportALeakLoggedByABrokerInAChildJvm(@TempDir Path dir) throws Exception {
        Path log = Files.createDirectories(dir.resolve("broker-2")).resolve("broker.log");
        Files.writeString(
                log,
                "12:00:00.000 INFO  [main] io.strand.server.Broker - started\n"
                        + "12:00:01.000 ERROR [loop-1] i.n.util.ResourceLeakDetector - LEAK: ByteBuf.release() was not"
                        + " called before it was garbage-collected.\n");
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(
                AssertionError.class, () -> NettyLeaks.check("in the brokers' logs", List.of(log)));
        assertTrue(e.getMessage().contains("broker-2: 12:00:01.000 ERROR"), e.getMessage());
    }

    private static TestExecutionSummary run(Class<?> testClass) {
        seen = null;
        seenDir = null;
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(
                org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
                        .selectors(selectClass(testClass))
                        .build(),
                listener);
        return listener.getSummary();
    }

    @ExtendWith(StrandClusterExtension.class)
    static class FailsWithACluster {
        @Test
        void failsWhileItsClusterRuns(
                @BrokerCluster(brokers = 2, properties = "min.insync.replicas=2") StrandTestCluster cluster) {
            seen = cluster;
            seenDir = cluster.dataDir(1).getParent();
            assertEquals(2, cluster.brokers().size());
            assertEquals("2", cluster.brokerProperties(1).get("min.insync.replicas"));
            throw new AssertionError("the test failed on purpose");
        }
    }

    @ExtendWith(StrandClusterExtension.class)
    static class SharesAStaticCluster {
        @BrokerCluster
        static StrandTestCluster cluster;

        @Test
        void first() {
            record(cluster);
        }

        @Test
        void second() {
            record(cluster);
        }

        private static void record(StrandTestCluster c) {
            assertNotNull(c);
            if (seen != null) {
                assertTrue(seen == c, "one cluster for the class");
            }
            seen = c;
            seenDir = c.dataDir(1).getParent();
        }
    }

    @ExtendWith(StrandClusterExtension.class)
    static class LeaksABuffer {
        @Test
        void dropsABufferWithoutReleasingIt(StrandTestCluster cluster) throws Exception {
            leak();
            // Netty reports a leak once the buffer is collected and a later allocation polls: have it found
            // here, and leave it to be reported by the extension's check at teardown
            Wait.waitUntil("Netty has found the leaked buffer", Duration.ofSeconds(20), () -> {
                System.gc();
                ByteBufAllocator.DEFAULT.buffer(1).release();
                return NettyLeaks.pending() > 0;
            });
        }

        private static void leak() {
            ByteBuf b = ByteBufAllocator.DEFAULT.buffer(64);
            b.writeLong(42);
        }
    }
}
