package io.strand.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segments of one partition log, by base offset, and the active one (the last, which takes appends); the
 * segment-level jobs of the log: append with roll, truncation, removal with delayed deletion, the swap of segments
 * rewritten by the log cleaner ({@link #replace}), and adding aborted transactions to the segments' transaction
 * indexes ({@link #appendAbortedTxn}) with the bookkeeping that makes them durable in time.
 *
 * <p>Thread-safety: every mutating method is called with the owning log's lock held (or by the thread loading the
 * log, before anyone else sees it); {@link #active()}, the directory-sync flag and the planned fsync offset are
 * guarded by that lock too.
 * Lookups ({@link #floorEntry}, {@link #higherEntry}, {@link #from}, {@link #all}, ...) take no lock: the map is a
 * {@link ConcurrentSkipListMap}, a segment is added before the log end offset moves into it and removed only after
 * the log start offset (or the log end, for truncation) has left it, and removed segments stay readable until their
 * delayed deletion.
 */
final class LogSegments {
    /** Durable mode writes zeros ahead of the appends ({@link LogSegment#zeroFillAhead}); off for comparisons only. */
    private static final boolean ZERO_FILL = !"false".equals(System.getProperty("strand.wal.zero-fill"));

    private static final Logger log = LoggerFactory.getLogger(LogSegments.class);

    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    /**
     * The log's appends are made durable by its directory's journal: its segments are fsynced only at journal
     * checkpoints, so writing zeros ahead of them would only add writes.
     */
    private volatile boolean journaled;

    private final LogRuntime runtime;
    private final String logPrefix;
    /** The last segment; log lock. */
    private LogSegment active;
    /** A segment was created, renamed or removed since the last fsync of the directory; log lock. */
    private boolean dirNeedsSync;
    /**
     * The largest target of an fsync pass planned since the last truncation ({@link #planFsync}): a pass may already
     * have fsynced the segments below it and will move the recovery point there. Log lock.
     */
    private long fsyncPlannedTo;
    /**
     * Segments that stopped being active since the last planned pass: the roll trimmed their indexes and gave the
     * time index its closing entry, which the next pass fsyncs even when the recovery point has passed them. Log lock.
     */
    private final List<LogSegment> rolledSincePlan = new ArrayList<>();
    /** Truncations since the log was opened (written under the log lock; the cleaner reads it without). */
    private volatile long truncations;
    /** The lowest log end offset a truncation left since the cleaner last asked. */
    private final java.util.concurrent.atomic.AtomicLong lowestTruncation =
            new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);

    LogSegments(LogRuntime runtime, String logPrefix) {
        this.runtime = runtime;
        this.logPrefix = logPrefix;
    }

    // ============================================================================================== lookups (no lock)

    Map.Entry<Long, LogSegment> floorEntry(long offset) {
        return segments.floorEntry(offset);
    }

    Map.Entry<Long, LogSegment> higherEntry(long baseOffset) {
        return segments.higherEntry(baseOffset);
    }

    Map.Entry<Long, LogSegment> firstEntry() {
        return segments.firstEntry();
    }

    long firstBaseOffset() {
        return segments.firstKey();
    }

    /** The segments from the one holding {@code offset} (all of them when it is below the first) to the last. */
    Collection<LogSegment> from(long offset) {
        Long from = segments.floorKey(offset);
        return (from == null ? segments : segments.tailMap(from, true)).values();
    }

    Collection<LogSegment> all() {
        return segments.values();
    }

    int count() {
        return segments.size();
    }

    long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) total += s.size();
        return total;
    }

    /** Whether {@code seg} is still part of the log (not removed by retention, truncation or a swap). */
    boolean contains(LogSegment seg) {
        return segments.get(seg.baseOffset()) == seg;
    }

    // ============================================================================================== log lock held

    LogSegment active() {
        return active;
    }

    /** Adds a segment above every other one; it becomes the active segment. */
    void addLast(LogSegment seg) {
        segments.put(seg.baseOffset(), seg);
        active = seg;
    }

    /** After loading or truncation: the last segment is the active one again. */
    void resetActive() {
        active = segments.lastEntry().getValue();
    }

    /**
     * For {@link LocalLog#planFsync}: a pass that makes everything below {@code target} durable fsyncs the segments
     * from the one holding the recovery point, the segments rolled since the last pass (their indexes), and the
     * directory if a segment was created, renamed or removed since the last pass (the flag and the list are cleared);
     * of the active segment only the data and the transaction index ({@link GroupCommit.FsyncPlan}).
     */
    GroupCommit.FsyncPlan planFsync(long target, long generation, long recoveryPoint) {
        fsyncPlannedTo = Math.max(fsyncPlannedTo, target);
        boolean syncDir = dirNeedsSync;
        dirNeedsSync = false;
        List<LogSegment> toSync = new ArrayList<>();
        for (LogSegment seg : rolledSincePlan) {
            if (segments.get(seg.baseOffset()) == seg) toSync.add(seg);
        }
        rolledSincePlan.clear();
        LogSegment dataOnly = toSync.contains(active) ? null : active;
        for (LogSegment seg : from(recoveryPoint)) {
            if (seg != dataOnly && !toSync.contains(seg)) toSync.add(seg);
        }
        return new GroupCommit.FsyncPlan(target, generation, toSync, dataOnly, syncDir);
    }

    void journaled() {
        journaled = true;
    }

    void markDirNeedsSync() {
        dirNeedsSync = true;
    }

    /**
     * Appends validated batches with assigned offsets to the active segment, rolling first when it is non-empty and
     * full by size, old by {@code segment.ms}, has a full index, or would overflow its relative offsets. Returns
     * whether it rolled.
     */
    boolean append(Path dir, ByteBuffer data, List<BatchHeader> batches, long maxTimestamp, LogConfig cfg, long nowMs)
            throws IOException {
        BatchHeader first = batches.get(0);
        BatchHeader last = batches.get(batches.size() - 1);
        boolean rolled = false;
        LogSegment seg = active;
        if (seg.size() > 0) {
            boolean full = (long) seg.size() + data.remaining() > cfg.segmentBytes();
            boolean old = seg.timeWaitedForRoll(nowMs, maxTimestamp) > cfg.segmentMs();
            boolean indexFull = seg.indexesFull(batches.size());
            boolean offsetOverflow = last.lastOffset() - seg.baseOffset() > Integer.MAX_VALUE;
            if (full || old || indexFull || offsetOverflow) {
                log.debug(
                        "{}Rolling new segment at offset {} (size {}, full {}, time {}, index full {}, offset overflow {})",
                        logPrefix,
                        first.baseOffset(),
                        seg.size(),
                        full,
                        old,
                        indexFull,
                        offsetOverflow);
                roll(dir, first.baseOffset(), cfg, nowMs);
                rolled = true;
            }
        }
        if (cfg.fsyncBeforeAck() && ZERO_FILL && !journaled)
            active.zeroFillAhead((long) active.size() + data.remaining(), cfg.segmentBytes());
        active.append(data, batches, cfg.indexIntervalBytes());
        return rolled;
    }

    /** Closes the active segment for appends and starts a new one at {@code newBase}. */
    void roll(Path dir, long newBase, LogConfig cfg, long nowMs) throws IOException {
        active.onBecomeInactive();
        rolledSincePlan.add(active);
        addLast(LogSegment.create(dir, newBase, cfg.maxIndexSizeBytes(), nowMs));
        dirNeedsSync = true;
    }

    /**
     * Drops the batch holding {@code offset} and everything after it: later segments are removed (deleted after the
     * delay), the segment holding it is cut and becomes the active one. Returns the new log end offset.
     */
    long truncateTo(long offset, LogConfig cfg, long nowMs) throws IOException {
        for (LogSegment seg : new ArrayList<>(segments.tailMap(offset, false).values()))
            removeAndDelete(seg, "truncation to " + offset);
        LogSegment seg = segments.lastEntry().getValue();
        seg.truncateTo(offset, nowMs);
        if (seg != active) {
            seg.makeActive(cfg.maxIndexSizeBytes());
            active = seg;
        }
        long newEnd = seg.readNextOffset();
        fsyncPlannedTo = Math.min(fsyncPlannedTo, newEnd); // passes planned before cannot move the recovery point
        truncated(newEnd);
        return newEnd;
    }

    /** Removes every segment (deleted after the delay) and starts an empty one at {@code newStart}. */
    void deleteAllAndStartAt(Path dir, long newStart, String reason, LogConfig cfg, long nowMs) throws IOException {
        for (LogSegment seg : new ArrayList<>(segments.values())) removeAndDelete(seg, reason);
        addLast(LogSegment.create(dir, newStart, cfg.maxIndexSizeBytes(), nowMs));
        fsyncPlannedTo = Math.min(fsyncPlannedTo, newStart);
        truncated(newStart);
    }

    /**
     * Removes the segments whose next segment starts at or below {@code logStartOffset} (never the last one);
     * {@code beforeFirst} runs before the first removal. Returns whether any was removed.
     */
    boolean deleteBelow(long logStartOffset, Runnable beforeFirst) throws IOException {
        boolean any = false;
        while (segments.size() > 1) {
            Map.Entry<Long, LogSegment> first = segments.firstEntry();
            Long nextBase = segments.higherKey(first.getKey());
            if (nextBase == null || nextBase > logStartOffset) break;
            if (!any) beforeFirst.run();
            any = true;
            removeAndDelete(first.getValue(), "below the log start offset " + logStartOffset);
        }
        if (any) dirNeedsSync = true;
        return any;
    }

    /** Removes the segments retention chose ({@link LogRetention#select}), each with a log line saying why. */
    void removeExpired(List<LogRetention.Expired> expired) throws IOException {
        for (LogRetention.Expired e : expired) {
            LogSegment seg = e.segment();
            log.info(
                    "{}Deleting segment {} (offsets {}..{}): {}",
                    logPrefix,
                    seg.logFile(),
                    seg.baseOffset(),
                    e.nextBaseOffset() - 1,
                    e.reason());
            removeAndDelete(seg, e.reason());
        }
    }

    /** Removes a segment from the log now; its files are renamed and deleted after {@code file.delete.delay.ms}. */
    void removeAndDelete(LogSegment seg, String reason) throws IOException {
        segments.remove(seg.baseOffset());
        seg.renameForDeletion();
        runtime.scheduleDelete("segment " + seg.logFile() + " (" + reason + ")", seg::closeAndDelete);
    }

    /** Recovery: removes a segment and deletes its files at once (nobody has read it). */
    void removeNow(LogSegment seg) throws IOException {
        segments.remove(seg.baseOffset());
        seg.closeAndDelete();
    }

    private void truncated(long newEnd) {
        truncations++;
        lowestTruncation.accumulateAndGet(newEnd, Math::min);
    }

    /**
     * How many truncations (full ones included) the log has had since it was opened: the cleaner swaps its work in
     * only if none happened while it worked ({@link LocalLog#replaceSegments}).
     */
    long truncations() {
        return truncations;
    }

    /**
     * The lowest log end offset a truncation left since the last call (Long.MAX_VALUE if none): the cleaner moves its
     * first dirty offset down to it, since everything after it was rewritten. Any thread.
     */
    long takeLowestTruncation() {
        return lowestTruncation.getAndSet(Long.MAX_VALUE);
    }

    /**
     * The log cleaner's swap ({@link LocalLog#replaceSegments}): {@code cleaned} (a segment written by the cleaner
     * under {@code .cleaned} file names, fsynced, with the base offset of the first old segment) takes the place of
     * {@code old} (consecutive segments of this log, not the active one) by {@link SegmentSwap}'s crash-safe renames.
     * The map changes so that a lock-free reader always finds a segment for an offset: the cleaned segment replaces
     * the first old one under the same key, then the others go. The old ones are deleted after the usual delay, so
     * slices already handed out stay readable. Returns false, changing nothing, when {@code old} are no longer a run
     * of consecutive segments of the log (retention, DeleteRecords or a truncation removed one meanwhile).
     *
     * @throws IllegalArgumentException when {@code old} holds the active segment, or the cleaned segment does not
     *     start at their base offset or holds offsets beyond them
     */
    boolean replace(Path dir, List<LogSegment> old, LogSegment cleaned) throws IOException {
        if (old.isEmpty()) throw new IllegalArgumentException("No segments to replace");
        long from = old.get(0).baseOffset();
        Long to = segments.higherKey(old.get(old.size() - 1).baseOffset());
        List<LogSegment> current = new ArrayList<>(
                to == null ? List.of() : segments.subMap(from, true, to, false).values());
        if (old.contains(active)) throw new IllegalArgumentException("The active segment is never replaced: " + active);
        if (to == null || !current.equals(old)) return false; // retention, DeleteRecords or truncation got there first
        if (cleaned.baseOffset() != from || cleaned.readNextOffset() > to)
            throw new IllegalArgumentException(
                    "Cleaned segment " + cleaned + " does not lie within offsets " + from + ".." + (to - 1));
        SegmentSwap.swapIn(dir, old, cleaned);
        segments.put(from, cleaned);
        for (LogSegment seg : old) {
            if (seg.baseOffset() != from) segments.remove(seg.baseOffset());
            runtime.scheduleDelete("segment " + seg.logFile() + " (replaced by the log cleaner)", seg::closeAndDelete);
        }
        return true;
    }

    /**
     * Adds an aborted transaction to the transaction index of the segment holding its marker
     * ({@code txn.lastOffset()}, which must be below {@code logEndOffset}), unless that index already has an entry at
     * or above the marker (the broker adds the entries again when it rebuilds its producer state from the log) or the
     * segment is gone. {@code beforeWrite} runs before anything is written. Returns whether the entry was added.
     *
     * <p>The entry is durable before the recovery point passes its marker: the fsync pass fsyncs the transaction index
     * with its segment, so an entry written before a pass is planned is covered by that pass; when a pass planned
     * earlier (or the recovery point itself) already covers the marker, the index (and the directory, for a new
     * file) is fsynced here, under the log lock. Aborts are rare next to appends, and usually take this path only
     * when the broker adds the entry after the marker's fsync was planned.
     */
    boolean appendAbortedTxn(AbortedTxn txn, long logEndOffset, long recoveryPoint, Runnable beforeWrite)
            throws IOException {
        if (txn.firstOffset() < 0 || txn.firstOffset() > txn.lastOffset() || txn.lastOffset() >= logEndOffset)
            throw new IllegalArgumentException(logPrefix + "Aborted transaction " + txn
                    + " must span offsets 0 <= first <= last < the log end offset " + logEndOffset);
        Map.Entry<Long, LogSegment> e = segments.floorEntry(txn.lastOffset());
        if (e == null) return false;
        TransactionIndex idx = e.getValue().indexes().txnIndex();
        if (txn.lastOffset() <= idx.lastOffset()) return false;
        beforeWrite.run();
        boolean created = idx.append(txn);
        if (txn.lastOffset() < Math.max(fsyncPlannedTo, recoveryPoint)) {
            idx.flush();
            if (created) CheckpointFile.fsyncDir(idx.file().getParent());
        } else if (created) {
            dirNeedsSync = true;
        }
        return true;
    }

    /** fsyncs the segments from the one holding {@code offset} to the last (clean close). */
    void flushFrom(long offset) throws IOException {
        for (LogSegment seg : from(offset)) seg.flush();
    }

    /** Closes every segment's files (the log is closing); failures are logged. */
    void closeAll() {
        for (LogSegment seg : segments.values()) {
            try {
                seg.close();
            } catch (IOException e) {
                log.warn("{}Failed to close {}", logPrefix, seg, e);
            }
        }
    }

    /** Closes every segment without touching the files (a failed open, or a deleted log). */
    void closeQuietly() {
        for (LogSegment seg : segments.values()) seg.closeQuietly();
    }
}
