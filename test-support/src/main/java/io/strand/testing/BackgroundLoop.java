package io.strand.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client loop on its own daemon thread (the {@link BackgroundProducer}'s sends, the {@link
 * BackgroundConsumer}'s polls): started once, run until {@link #stop(Duration)}, and failing the
 * test thread's next call if it died.
 *
 * <p>Threading: the loop runs on its thread; every other method is called from the test thread.
 */
public abstract class BackgroundLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackgroundLoop.class);

    private final String what;
    private final Thread thread;
    private final AtomicReference<Throwable> died = new AtomicReference<>();
    private volatile boolean running = true;

    /** @param what what runs, for messages: "background producer" */
    BackgroundLoop(String what, String threadName) {
        this.what = what;
        this.thread = new Thread(this::runLoop, threadName);
        this.thread.setDaemon(true);
    }

    /** The loop body: runs while {@link #running()}, and closes its client before it returns. */
    abstract void loop() throws Exception;

    /** More to say when the loop does not stop in time (": " and a summary), or "". */
    String stuckDetail() {
        return "";
    }

    final void startThread() {
        thread.start();
    }

    final boolean running() {
        return running;
    }

    private void runLoop() {
        try {
            loop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            log.error("{} {} died", what, thread.getName(), t);
            died.set(t);
        }
    }

    /** Throws, with its cause, if the loop died. */
    final void failIfDied() {
        if (died.get() != null) {
            throw new AssertionError("the " + what + " died", died.get());
        }
    }

    /** Stops the loop and waits for it to end; fails if it died or does not end within {@code timeout}. */
    public void stop(Duration timeout) throws InterruptedException {
        running = false;
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            thread.interrupt();
            throw new AssertionError("the " + what + " did not stop within " + timeout + stuckDetail());
        }
        failIfDied();
    }

    /** How long {@link #close()} gives {@link #stop(Duration)}. */
    abstract Duration closeTimeout();

    /** Stops (as {@link #stop(Duration)} with {@link #closeTimeout()}) unless already stopped. */
    @Override
    public void close() throws InterruptedException {
        if (thread.isAlive() || running) {
            stop(closeTimeout());
        }
    }
}
