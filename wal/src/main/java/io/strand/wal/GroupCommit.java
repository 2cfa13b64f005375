package io.strand.wal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durability of one partition log (BookKeeper's force-write thread, per log): the group-commit flush state machine,
 * the linger that lets one fsync cover a whole group of appenders, the fsync pass, the durable end offset, the
 * futures waiting for it ({@link #awaitDurable}), the listeners told when it moves, and in relaxed mode Kafka's
 * {@code flush.messages} / {@code flush.ms} policy.
 *
 * <p>Threads. Appenders call {@link #afterAppend} after leaving the log lock: a counter increment and a state CAS, no
 * lock. Fsync passes run on the runtime's flusher threads ({@code strand-wal-flusher-N}), at most one pass per log at
 * a time (idle / scheduled / running / running-again); a flusher only lingers, fsyncs, publishes the new durable
 * offset, completes durable futures and posts listener notifications. A listener runs on the {@link Executor} it was
 * registered with (the broker passes its request pool), never on the flusher unless registered without one; a
 * burst of advances posts at most one task per listener (a "scheduled" flag, re-checked after the task ran, so no
 * advance is missed), and a listener sees strictly increasing values (lower again only after a truncation).
 *
 * <p>Locks (the discipline of the whole log; see {@link PartitionLog}). The log lock is outer, this class's durable
 * lock inner: {@link #generation()} and {@link #onTruncated} are called with the log lock held and take the durable
 * lock; nothing here takes the log lock while holding the durable lock (the fsync pass gets its plan from
 * {@link LocalLog#planFsync} with no lock held, and {@link LocalLog#fail} is called with no lock held). The durable
 * lock guards {@link #waiters}, the generation, the time of the last flush, writes of the volatile flushed offset and
 * of the (copy-on-write) listener array; nothing else is taken inside it. No future is completed and no listener is
 * called with either lock held. The linger fields are confined to the thread running this log's pass, handed from
 * pass to pass through the state machine's atomic.
 */
final class GroupCommit {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    /** Upper bound of a linger, whatever the fsync time. */
    static final long MAX_LINGER_NANOS = 1_000_000L;

    private static final int IDLE = 0;
    private static final int SCHEDULED = 1;
    private static final int RUNNING = 2;
    private static final int RUNNING_AGAIN = 3;

    /**
     * What one fsync pass covers, captured under the log lock by {@link LocalLog#planFsync}: {@code segments} are
     * fsynced whole (data and indexes), {@code active} (the active segment then, null if it is among them) only its
     * data and transaction index — an unclean start rebuilds the offset and time indexes of the segment holding the
     * recovery point ({@link LogLoader#recoveryStart}), so msyncing them at every group commit would only add two
     * syncs to each; they are fsynced once the segment rolls.
     */
    record FsyncPlan(long target, long generation, List<LogSegment> segments, LogSegment active, boolean syncDir) {}

    /** A flusher parked in {@link #lingerForGroup} until the append count reaches {@code target}. */
    private record Linger(Thread flusher, long target) {}

    private final LocalLog owner;
    private final LogSegments segments;
    private final LogRuntime runtime;
    private final String logPrefix;

    private final AtomicInteger flushState = new AtomicInteger(IDLE);
    /** Durable-mode appends so far. */
    private final AtomicLong appendCount = new AtomicLong();

    private volatile Linger linger;
    // confined to the thread running this log's group-commit pass
    private long capturedAppendCount;
    private long lastGroupSize;
    private long lastFsyncNanos;

    private final Object durableLock = new Object();
    /** Everything below it is fsynced: the recovery point. Written under the durable lock. */
    private volatile long flushedOffset;
    /** Bumped by every truncation; a pass planned before one does not advance {@link #flushedOffset}. */
    private long generation;

    private long lastFlushMs;
    private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();
    /** Number of distinct offsets waited for; lets {@link #durableAdvanced} skip the lock when nobody waits. */
    private volatile int waiterCount;

    /**
     * Journal mode ({@link WriteAheadJournal}): {end position of the journal entry, log end offset after it} of the
     * appends whose entries are not yet known durable, oldest first; under the durable lock.
     */
    private final ArrayDeque<long[]> journalPending = new ArrayDeque<>();
    /** Journal mode: everything below it is in fsynced journal entries. Written under the durable lock. */
    private volatile long journalDurable;
    /** Whether the journal's syncer has this log in its queue ({@link WriteAheadJournal#requestSync}). */
    private final AtomicBoolean journalQueued = new AtomicBoolean();

    /** Copy-on-write under the durable lock (registration is rare); iterated without a lock or allocation. */
    private volatile Listener[] listeners = new Listener[0];

    GroupCommit(LocalLog owner, LogSegments segments, LogRuntime runtime, String logPrefix, long recoveryPoint) {
        this.owner = owner;
        this.segments = segments;
        this.runtime = runtime;
        this.logPrefix = logPrefix;
        this.flushedOffset = recoveryPoint;
        this.journalDurable = recoveryPoint;
        this.lastFlushMs = runtime.time.milliseconds();
    }

    /** The offset below which everything is fsynced, whatever the mode. */
    long recoveryPoint() {
        return flushedOffset;
    }

    /**
     * Every offset below this is fsynced, in the segments or in the journal (durable mode), or the log end offset
     * (relaxed mode).
     */
    long durableEndOffset() {
        return owner.config().fsyncBeforeAck() ? Math.max(flushedOffset, journalDurable) : owner.logEndOffset();
    }

    /** Log lock held (by {@link LocalLog#planFsync}). */
    long generation() {
        synchronized (durableLock) {
            return generation;
        }
    }

    // ============================================================================================== appends

    /**
     * After an append (log lock released): the journal's group commit when the append went into the journal
     * ({@code journal} non-null, its entry ending at {@code journalEnd}), else this log's own group commit in
     * durable mode, the flush policy in relaxed mode.
     */
    void afterAppend(LogConfig cfg, long newEnd, boolean rolled, WriteAheadJournal journal, long journalEnd) {
        if (journal != null) {
            journal.requestSync(this, journalEnd);
        } else if (cfg.fsyncBeforeAck()) {
            long n = appendCount.incrementAndGet();
            Linger l = linger;
            if (l != null && n >= l.target()) LockSupport.unpark(l.flusher());
            requestFlush();
        } else {
            // Kafka flushes a rolled segment in the background
            if (rolled || cfg.flushDueByMessages(newEnd - flushedOffset)) requestFlush();
            durableAdvanced();
        }
    }

    /** A new configuration: switching to durable mode schedules an fsync; relaxed mode counts the log end. */
    void configChanged(LogConfig old, LogConfig now) {
        if (now.fsyncBeforeAck() && !old.fsyncBeforeAck()) requestFlush();
        else if (!now.fsyncBeforeAck()) durableAdvanced();
    }

    /** Relaxed mode: fsync when {@code flush.ms} has passed since the last one (the manager's scheduler). */
    void maybeFlushByTime(long nowMs) {
        LogConfig cfg = owner.config();
        if (cfg.fsyncBeforeAck() || cfg.flushIntervalMs() == Long.MAX_VALUE) return;
        long last;
        synchronized (durableLock) {
            last = lastFlushMs;
        }
        if (nowMs - last >= cfg.flushIntervalMs() && owner.logEndOffset() > flushedOffset) requestFlush();
    }

    // ============================================================================================== flush passes

    /** Asks for a group-commit fsync on a flusher thread. */
    void requestFlush() {
        while (true) {
            int s = flushState.get();
            if (s == IDLE) {
                if (flushState.compareAndSet(IDLE, SCHEDULED)) {
                    if (!runtime.submitFlush(this::runFlush)) flushState.set(IDLE);
                    return;
                }
            } else if (s == RUNNING) {
                if (flushState.compareAndSet(RUNNING, RUNNING_AGAIN)) return;
            } else {
                return; // a pass that has not started yet will cover this append
            }
        }
    }

    private void runFlush() {
        flushState.set(RUNNING);
        try {
            if (!owner.lifecycle().isClosedOrDeleted()) {
                if (owner.config().fsyncBeforeAck() && !"false".equals(System.getProperty("strand.wal.linger")))
                    lingerForGroup();
                fsyncPass(true);
            }
        } catch (RuntimeException e) {
            log.error("{}Group-commit flush failed", logPrefix, e);
        }
        if (!flushState.compareAndSet(RUNNING, IDLE)) {
            flushState.set(SCHEDULED);
            if (!runtime.submitFlush(this::runFlush)) flushState.set(IDLE);
        }
    }

    /** fsyncs everything appended so far, on the calling thread. */
    void flushNow() {
        if (!owner.lifecycle().isClosedOrDeleted()) fsyncPass(false);
    }

    /**
     * Group-commit linger. An fsync covers the appends that arrived before it started; appenders woken by the
     * previous fsync append again a few microseconds later and would otherwise just miss the next one, so that in
     * steady state each fsync covers only about half of the waiting appenders. When fewer appends are pending than
     * the last fsync covered, wait (on this flusher thread) until as many have arrived, or for at most half the last
     * fsync's duration (bounded by {@link #MAX_LINGER_NANOS}). A lone appender never waits: its group size is one.
     */
    private void lingerForGroup() {
        long group = lastGroupSize;
        long base = capturedAppendCount;
        if (group <= 1 || appendCount.get() - base >= group) return;
        long deadline = System.nanoTime() + Math.min(lastFsyncNanos / 2, MAX_LINGER_NANOS);
        linger = new Linger(Thread.currentThread(), base + group);
        try {
            while (appendCount.get() < base + group && !owner.lifecycle().isClosedOrDeleted()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                LockSupport.parkNanos(this, left);
            }
        } finally {
            linger = null;
        }
    }

    /** One fsync pass: everything appended before it was planned becomes durable. */
    private void fsyncPass(boolean grouped) {
        FsyncPlan plan = owner.planFsync();
        if (plan != null) fsync(plan, grouped);
    }

    /**
     * Carries out {@code plan} (no lock held): the durable offset advances to its target unless the log was
     * truncated meanwhile. Returns false when the log closed or was deleted meanwhile.
     */
    boolean fsync(FsyncPlan plan, boolean grouped) {
        if (grouped) {
            long count = appendCount.get();
            if (count > capturedAppendCount) {
                lastGroupSize = count - capturedAppendCount;
                capturedAppendCount = count;
            }
        }
        long fsyncStart = System.nanoTime();
        try {
            for (LogSegment seg : plan.segments()) flush(seg, false);
            if (plan.active() != null) flush(plan.active(), true);
            if (plan.syncDir()) CheckpointFile.fsyncDir(owner.dir());
        } catch (IOException e) {
            if (owner.lifecycle().isClosedOrDeleted()) return false;
            throw owner.fail("fsync", e); // the log goes offline: no later pass needs the directory sync
        }
        long fsyncNanos = System.nanoTime() - fsyncStart;
        if (grouped) lastFsyncNanos = fsyncNanos;
        runtime.flushed(fsyncNanos);
        synchronized (durableLock) {
            if (plan.generation() == generation && plan.target() > flushedOffset) flushedOffset = plan.target();
            lastFlushMs = runtime.time.milliseconds();
        }
        durableAdvanced();
        return true;
    }

    /** fsyncs {@code seg} (only its data and transaction index if {@code dataOnly}), unless it is gone meanwhile. */
    private void flush(LogSegment seg, boolean dataOnly) throws IOException {
        try {
            if (dataOnly) seg.flushData();
            else seg.flush();
        } catch (ClosedChannelException e) {
            if (segments.contains(seg) && !owner.lifecycle().isClosedOrDeleted()) throw e;
            // deleted by retention or truncation meanwhile: nothing to make durable there
        }
    }

    // ============================================================================================== journal mode

    /** An append's journal entry ends at {@code position}; the log ends at {@code logEnd} after it. Log lock held. */
    void journaled(long position, long logEnd) {
        synchronized (durableLock) {
            journalPending.addLast(new long[] {position, logEnd});
        }
    }

    /**
     * The journal is fsynced up to {@code position} (the journal's syncer, or an appender that found it so): the
     * appends whose entries end there become durable. Returns whether entries past it are still pending.
     */
    boolean journalSynced(long position) {
        boolean more;
        synchronized (durableLock) {
            long advanced = -1;
            while (!journalPending.isEmpty() && journalPending.peekFirst()[0] <= position)
                advanced = journalPending.pollFirst()[1];
            if (advanced > journalDurable) journalDurable = advanced;
            more = !journalPending.isEmpty();
        }
        durableAdvanced();
        return more;
    }

    boolean markJournalQueued() {
        return journalQueued.compareAndSet(false, true);
    }

    void clearJournalQueued() {
        journalQueued.set(false);
    }

    // ============================================================================================== waiters

    /** See {@link PartitionLog#awaitDurable}. */
    CompletableFuture<Void> awaitDurable(long endOffset) {
        if (durableEndOffset() >= endOffset) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> f = new CompletableFuture<>();
        KafkaStorageException refused = null;
        synchronized (durableLock) {
            if (!owner.lifecycle().isUsable()) {
                refused = owner.lifecycle().unusable();
            } else if (endOffset > owner.logEndOffset()) {
                refused = new LogTruncatedException("Offset " + endOffset + " is beyond the log end offset "
                        + owner.logEndOffset() + " of " + owner.topicPartition());
            } else {
                waiters.computeIfAbsent(endOffset, k -> new ArrayList<>(2)).add(f);
                waiterCount = waiters.size();
            }
        }
        if (refused != null) {
            f.completeExceptionally(refused);
            return f;
        }
        completeWaiters(durableEndOffset());
        return f;
    }

    /**
     * Truncation to {@code newEnd} (log lock held): a pass planned before it cannot advance the durable offset,
     * which drops to {@code newEnd} (or is set to it, {@code restart}: the log starts over there); waiters above it
     * fail with {@link LogTruncatedException} on the scheduler thread; listeners may see values from {@code newEnd} up.
     */
    void onTruncated(long newEnd, boolean restart) {
        for (Listener l : listeners) l.lowerTo(newEnd);
        List<CompletableFuture<Void>> failed = new ArrayList<>();
        synchronized (durableLock) {
            generation++;
            if (restart || flushedOffset > newEnd) flushedOffset = newEnd;
            if (restart || journalDurable > newEnd) journalDurable = newEnd;
            journalPending.clear();
            var above = waiters.tailMap(newEnd, false);
            for (List<CompletableFuture<Void>> l : above.values()) failed.addAll(l);
            above.clear();
            waiterCount = waiters.size();
        }
        if (!failed.isEmpty()) {
            LogTruncatedException ex =
                    new LogTruncatedException("The log of " + owner.topicPartition() + " was truncated to " + newEnd);
            runtime.execute("fail durable waiters", () -> failed.forEach(f -> f.completeExceptionally(ex)));
        }
    }

    /** Clean close (log lock held): everything up to {@code logEnd} was just fsynced. */
    void flushedTo(long logEnd) {
        synchronized (durableLock) {
            flushedOffset = logEnd;
        }
    }

    /** Completes the waiters the durable end offset has passed and posts the listeners. No lock held. */
    void durableAdvanced() {
        completeWaiters(durableEndOffset());
        for (Listener l : listeners) l.post();
    }

    private void completeWaiters(long durable) {
        if (waiterCount == 0) return;
        List<CompletableFuture<Void>> done = null;
        synchronized (durableLock) {
            if (!waiters.isEmpty() && waiters.firstKey() <= durable) {
                done = new ArrayList<>();
                var head = waiters.headMap(durable, true);
                for (List<CompletableFuture<Void>> l : head.values()) done.addAll(l);
                head.clear();
                waiterCount = waiters.size();
            }
        }
        if (done != null) {
            for (CompletableFuture<Void> f : done) f.complete(null);
        }
    }

    /** Fails every waiter (the log went offline). No lock held. */
    void failWaiters(KafkaStorageException ex) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        synchronized (durableLock) {
            for (List<CompletableFuture<Void>> l : waiters.values()) all.addAll(l);
            waiters.clear();
            waiterCount = 0;
        }
        for (CompletableFuture<Void> f : all) f.completeExceptionally(ex);
    }

    /**
     * The log closed or was deleted (no lock held): waiters up to {@code durableUpTo} complete, the rest fail with
     * {@code ex}, and the listeners are dropped.
     */
    void shutdown(long durableUpTo, KafkaStorageException ex) {
        completeWaiters(durableUpTo);
        failWaiters(ex);
        synchronized (durableLock) {
            listeners = new Listener[0];
        }
    }

    // ============================================================================================== listeners

    /** See {@link PartitionLog#addDurableListener(LongConsumer, Executor)}. */
    void addListener(LongConsumer listener, Executor executor) {
        Listener l = new Listener(listener, executor);
        synchronized (durableLock) {
            Listener[] now = Arrays.copyOf(listeners, listeners.length + 1);
            now[now.length - 1] = l;
            listeners = now;
        }
    }

    void removeListener(LongConsumer listener) {
        synchronized (durableLock) {
            listeners =
                    Arrays.stream(listeners).filter(l -> l.consumer != listener).toArray(Listener[]::new);
        }
    }

    /**
     * One registered listener. {@link #post} hands at most one drain task to the executor at a time (the
     * {@code scheduled} flag); the task delivers the current durable end offset if it is above the last value
     * delivered, then clears the flag and looks again, so an advance posted while it ran is never lost.
     */
    private final class Listener implements Runnable {
        final LongConsumer consumer;
        final Executor executor;
        final AtomicBoolean scheduled = new AtomicBoolean();
        /** Last value given to the consumer; lowered by truncation. */
        final AtomicLong delivered = new AtomicLong(-1);

        Listener(LongConsumer consumer, Executor executor) {
            this.consumer = consumer;
            this.executor = executor;
        }

        void post() {
            if (durableEndOffset() <= delivered.get() || !scheduled.compareAndSet(false, true)) return;
            try {
                executor.execute(this);
            } catch (RejectedExecutionException e) {
                scheduled.set(false); // the executor is shutting down: so is whoever listens
                log.debug("{}Durable listener executor refused a notification", logPrefix);
            }
        }

        void lowerTo(long offset) {
            delivered.accumulateAndGet(offset, Math::min);
        }

        @Override
        public void run() {
            while (true) {
                long v = durableEndOffset();
                long d = delivered.get();
                if (v > d) {
                    if (!delivered.compareAndSet(d, v)) continue; // a truncation lowered it meanwhile
                    try {
                        consumer.accept(v);
                    } catch (RuntimeException e) {
                        log.error("{}Durable listener failed", logPrefix, e);
                    }
                    continue;
                }
                scheduled.set(false);
                if (durableEndOffset() <= delivered.get() || !scheduled.compareAndSet(false, true)) return;
            }
        }
    }
}
