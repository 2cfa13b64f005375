package io.strand.tools.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Tells a long-running command ({@code watch}) to stop: counted down by the SIGINT handler of
 * {@link io.strand.tools.StrandCli#main}, or by a test. Thread-safe.
 */
public final class StopSignal {
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean awaited;

    public void stop() {
        stopped.countDown();
    }

    /** True once a command is waiting for this signal, i.e. Ctrl-C should stop it gracefully. */
    public boolean awaited() {
        return awaited;
    }

    /** Blocks the calling (command) thread until {@link #stop()}. */
    public void await() throws InterruptedException {
        awaited = true;
        stopped.await();
    }
}
