package io.strand.server.network;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: the order of one connection's
 * requests without a thread per connection. Thread-safe.
 */
final class SerialExecutor implements Executor {
    private static final int BATCH = 16;
    private final Executor pool;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (tasks) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        pool.execute(this::drain);
    }

    /** Runs queued tasks; after a batch it goes to the back of the pool's queue so busy connections share threads fairly. */
    private void drain() {
        for (int ran = 0; ran < BATCH; ran++) {
            Runnable next;
            synchronized (tasks) {
                next = tasks.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            next.run();
        }
        pool.execute(this::drain);
    }
}
