package io.strand.tools.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Tells a long-running command ({@code watch}, {@code check}) to stop: counted down by the SIGINT handler of
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

    /**
     * Blocks the calling thread until {@link #stop()} or for {@code timeout}, whichever comes first
     * (a command that paces its work waits here); from the first call on, Ctrl-C stops the command
     * gracefully.
     *
     * @return true if stopped
     */
    public boolean await(java.time.Duration timeout) throws InterruptedException {
        awaited = true;
        return stopped.await(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** True once {@link #stop()} was called. */
    public boolean stopped() {
        return stopped.getCount() == 0;
    }
}
