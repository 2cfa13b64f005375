package io.strand.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CPU time and RSS of real processes, read from /proc: this JVM, and one that has exited. */
class BrokerUsageTest {

    @Test
    void shouldCountTheCpuTimeAProcessUsesInTheWindowAndItsResidentMemory() {
        long self = ProcessHandle.current().pid();
        try (BrokerUsage usage = new BrokerUsage(List.of(self))) {
            BrokerUsage.Window window = usage.begin();
            burnCpu(300_000_000L);
            BrokerUsage.Usage used = window.end();

            // this thread alone used 300 ms; /proc counts in 10 ms clock ticks
            assertTrue(used.cpuSeconds() >= 0.28, "cpu " + used.cpuSeconds());
            assertTrue(used.cpuSeconds() < 60, "cpu " + used.cpuSeconds());
            double rssNow = BrokerUsage.vmRssBytes(self);
            assertTrue(used.maxRssBytes() > 16 * 1024 * 1024, "rss " + used.maxRssBytes());
            assertTrue(used.maxRssBytes() < 4 * rssNow, "rss " + used.maxRssBytes() + " against " + rssNow);
            assertEquals(used.cpuSeconds() * 1e6 / 1000, used.cpuMsPer1000(1000), 1e-9);
        }
    }

    @Test
    void shouldGiveNoFigureForAProcessThatIsGone() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        try (BrokerUsage usage = new BrokerUsage(List.of(ProcessHandle.current().pid(), p.pid()))) {
            BrokerUsage.Usage used = usage.begin().end();

            assertTrue(Double.isNaN(used.cpuSeconds()), "cpu " + used.cpuSeconds());
            assertTrue(Double.isNaN(used.maxRssBytes()), "rss " + used.maxRssBytes());
        }
    }

    /** Spins until this thread has used {@code nanos} of CPU time. */
    private static void burnCpu(long nanos) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        long x = 0;
        while (threads.getCurrentThreadCpuTime() - start < nanos) {
            for (int i = 0; i < 100_000; i++) {
                x += i ^ x;
            }
        }
        sink = x; // so that the loop is not optimised away
    }

    private static volatile long sink;
}
