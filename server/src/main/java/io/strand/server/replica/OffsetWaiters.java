package io.strand.server.replica;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/**
 * Futures waiting for an offset (the high watermark, the durable log end) to reach a value.
 * {@link #advanceTo} completes every waiter at or below the new value, outside the lock.
 * Thread-safe.
 */
final class OffsetWaiters {
    private record Waiter(long offset, CompletableFuture<Void> future) {}

    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>((a, b) -> Long.compare(a.offset, b.offset));
    private long reached = -1;

    /** A future completing once the offset reaches {@code offset} (at once if it already has). */
    CompletableFuture<Void> await(long offset) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (this) {
            if (offset > reached) {
                waiters.add(new Waiter(offset, f));
                return f;
            }
        }
        f.complete(null);
        return f;
    }

    void advanceTo(long offset) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (this) {
            if (offset <= reached) {
                return;
            }
            reached = offset;
            while (!waiters.isEmpty() && waiters.peek().offset <= offset) {
                done.add(waiters.poll().future);
            }
        }
        done.forEach(f -> f.complete(null));
    }

    /** Fails every waiter (leadership lost) and forgets the reached offset. */
    void failAll(Throwable reason) {
        List<CompletableFuture<Void>> failed = new ArrayList<>();
        synchronized (this) {
            waiters.forEach(w -> failed.add(w.future));
            waiters.clear();
            reached = -1;
        }
        failed.forEach(f -> f.completeExceptionally(reason));
    }

    synchronized void reset(long reachedNow) {
        reached = reachedNow;
    }
}
