package io.strand.server.share;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.protocol.Errors;

/**
 * One share partition's state writes, one at a time: a write asked for while one is in flight waits
 * for it and then sends the state as it is at that moment (so several requests share one write, and no
 * write overtakes an older one). The snapshot is taken outside this object's lock.
 *
 * <p>Thread-safe.
 */
final class StateWriter {
    private final Supplier<ShareState> snapshot;
    private final Function<ShareState, CompletableFuture<Errors>> send;
    private final Consumer<Errors> onResult;
    private boolean writing;
    private boolean stopped;
    private CompletableFuture<Errors> queued;

    /**
     * @param snapshot the state to write now
     * @param send writes it; the future never fails
     * @param onResult told each write's outcome before the waiting callers are
     */
    StateWriter(
            Supplier<ShareState> snapshot,
            Function<ShareState, CompletableFuture<Errors>> send,
            Consumer<Errors> onResult) {
        this.snapshot = snapshot;
        this.send = send;
        this.onResult = onResult;
    }

    /** Writes the current state (after the write in flight, if any); completes with that write's outcome. */
    CompletableFuture<Errors> write() {
        synchronized (this) {
            if (stopped) {
                return CompletableFuture.completedFuture(Errors.NOT_LEADER_OR_FOLLOWER);
            }
            if (writing) {
                if (queued == null) {
                    queued = new CompletableFuture<>();
                }
                return queued;
            }
            writing = true;
        }
        return start();
    }

    /**
     * No more writes: later calls answer NOT_LEADER_OR_FOLLOWER; callers queued behind the write in flight
     * get its error, or NOT_LEADER_OR_FOLLOWER if it succeeded (it did not carry their changes).
     */
    synchronized void stop() {
        stopped = true;
    }

    synchronized boolean busy() {
        return writing;
    }

    private CompletableFuture<Errors> start() {
        CompletableFuture<Errors> done = new CompletableFuture<>();
        send.apply(snapshot.get()).whenComplete((e, t) -> {
            Errors error = e == null ? Errors.UNKNOWN_SERVER_ERROR : e;
            onResult.accept(error);
            done.complete(error);
            CompletableFuture<Errors> next;
            synchronized (this) {
                next = queued;
                queued = null;
                if (next == null || stopped) {
                    writing = false;
                }
            }
            if (next != null) {
                if (stopped) {
                    // their changes were not in that write and none follows: never answer them NONE
                    next.complete(error == Errors.NONE ? Errors.NOT_LEADER_OR_FOLLOWER : error);
                } else {
                    start().whenComplete((e2, t2) -> next.complete(e2));
                }
            }
        });
        return done;
    }
}
