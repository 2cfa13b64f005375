package io.strand.server.concurrent;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared pool, without a thread of its own:
 * one connection's requests, or one group-coordinator shard's work, never overlap, while different
 * ones proceed in parallel. After a batch of tasks it goes to the back of the pool's queue, so busy
 * users share the threads fairly. A task that throws is logged and does not stop the ones after it;
 * once the pool refuses work (shutting down), queued tasks are dropped. Thread-safe.
 */
public final class OrderedExecutor implements Executor {
    private static final Logger log = LoggerFactory.getLogger(OrderedExecutor.class);
    private static final int BATCH = 64;

    private final Executor pool;
    private final String name;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    public OrderedExecutor(Executor pool, String name) {
        this.pool = pool;
        this.name = name;
    }

    /**
     * Runs {@code task} in order with the other tasks; the returned future completes with the future
     * the task returns (or exceptionally if the task throws).
     */
    public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(
                () -> {
                    try {
                        task.get().whenComplete((v, e) -> {
                            if (e != null) {
                                result.completeExceptionally(e);
                            } else {
                                result.complete(v);
                            }
                        });
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                },
                () -> result.completeExceptionally(new CoordinatorNotAvailableException(name + " is shutting down")));
        return result;
    }

    /**
     * As {@link #execute(Runnable)}; if the pool has shut down and the task is dropped instead of run,
     * {@code onDropped} runs (on the caller's thread or the one that found the pool shut), so that a
     * future waiting for the task is completed rather than forgotten.
     */
    public void execute(Runnable task, Runnable onDropped) {
        execute(new Droppable(task, onDropped));
    }

    /** A task with what to do when it is dropped. */
    private record Droppable(Runnable task, Runnable onDropped) implements Runnable {
        @Override
        public void run() {
            task.run();
        }
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
        if (!scheduleDrain()) {
            log.debug("{}: pool rejected a task (shutting down)", name);
        }
    }

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
            try {
                next.run();
            } catch (RuntimeException e) {
                log.error("{}: task failed", name, e);
            }
        }
        scheduleDrain();
    }

    /** Hands the next drain to the pool; false if it rejected it (shutting down): the queued tasks are dropped. */
    private boolean scheduleDrain() {
        try {
            pool.execute(this::drain);
            return true;
        } catch (RuntimeException rejected) {
            java.util.List<Runnable> dropped;
            synchronized (tasks) {
                dropped = new java.util.ArrayList<>(tasks);
                tasks.clear();
                running = false;
            }
            for (Runnable t : dropped) {
                if (t instanceof Droppable d) {
                    d.onDropped().run();
                }
            }
            return false;
        }
    }
}
