package io.strand.wal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader-epoch cache of one partition: for each leader epoch, the first offset written in it. Kept in memory and
 * in {@code leader-epoch-checkpoint} (Kafka's format: version 0, entry count, then "epoch startOffset" lines),
 * rewritten atomically on every change. Semantics follow Kafka's {@code LeaderEpochFileCache}.
 *
 * <p>Thread-safe: all methods are synchronized (changes are rare, lookups cheap).
 */
final class LeaderEpochCache {
    private static final Logger log = LoggerFactory.getLogger(LeaderEpochCache.class);
    static final String FILE_NAME = "leader-epoch-checkpoint";
    private static final int VERSION = 0;

    private final Path file;
    private final String logPrefix;
    private final TreeMap<Integer, EpochEntry> epochs = new TreeMap<>();
    /**
     * The latest epoch, -1 when none: read without the lock (a follower asks for it for each of its partitions at
     * every fetch); written under it after every change of {@link #epochs}.
     */
    private volatile int latest = -1;

    private boolean dirty;

    /** Hears of a failed write (the log goes offline); never called with a lock the log would need. */
    private volatile java.util.function.BiConsumer<String, IOException> ioErrors = (what, e) -> {};

    void onIoError(java.util.function.BiConsumer<String, IOException> listener) {
        this.ioErrors = listener;
    }

    LeaderEpochCache(Path dir, String logPrefix) throws IOException {
        this.file = dir.resolve(FILE_NAME);
        this.logPrefix = logPrefix;
        Optional<List<String>> lines = CheckpointFile.readLines(file);
        if (lines.isPresent()) parse(lines.get());
        noteLatest();
    }

    private void noteLatest() {
        latest = epochs.isEmpty() ? -1 : epochs.lastKey();
    }

    private void parse(List<String> lines) throws IOException {
        try {
            if (lines.size() < 2 || Integer.parseInt(lines.get(0).trim()) != VERSION)
                throw new IOException("unrecognised version or header");
            int n = Integer.parseInt(lines.get(1).trim());
            if (lines.size() < 2 + n) throw new IOException("expected " + n + " entries, found " + (lines.size() - 2));
            for (int i = 0; i < n; i++) {
                String[] parts = lines.get(2 + i).trim().split("\\s+");
                if (parts.length != 2) throw new IOException("malformed line '" + lines.get(2 + i) + "'");
                EpochEntry e = new EpochEntry(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
                epochs.put(e.epoch(), e);
            }
        } catch (NumberFormatException | IOException e) {
            // derived from the log's batches on recovery, so a bad file is not fatal: start empty
            log.warn("{}Ignoring malformed {}: {}", logPrefix, file, e.getMessage());
            epochs.clear();
        }
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset}, removing entries it contradicts (epochs at or above
     * it, or starting at or after it). No-op if it is the latest epoch already with an earlier or equal start.
     * Returns whether the cache changed. Written to the file at once.
     */
    synchronized boolean assign(int epoch, long startOffset) {
        boolean changed = assignLazily(epoch, startOffset);
        if (changed) flush();
        return changed;
    }

    /**
     * As {@link #assign}, but the file is only written by the next {@link #flushIfDirty()}. For entries derived
     * from appended batches: the log writes the file before it checkpoints a recovery point past them, and
     * recovery re-derives entries from the batches above the recovery point.
     */
    synchronized boolean assignLazily(int epoch, long startOffset) {
        if (epoch < 0 || startOffset < 0)
            throw new IllegalArgumentException("Invalid epoch entry (" + epoch + ", " + startOffset + ")");
        Map.Entry<Integer, EpochEntry> latest = epochs.lastEntry();
        if (latest != null
                && latest.getValue().epoch() == epoch
                && latest.getValue().startOffset() <= startOffset) return false;
        List<EpochEntry> removed = new ArrayList<>();
        var it = epochs.descendingMap().entrySet().iterator();
        while (it.hasNext()) {
            EpochEntry e = it.next().getValue();
            if (e.epoch() >= epoch || e.startOffset() >= startOffset) {
                removed.add(e);
                it.remove();
            } else {
                break;
            }
        }
        if (removed.size() > 1 || (!removed.isEmpty() && removed.get(0).startOffset() != startOffset))
            log.warn(
                    "{}New epoch entry ({}, {}) caused truncation of conflicting entries {}",
                    logPrefix,
                    epoch,
                    startOffset,
                    removed);
        epochs.put(epoch, new EpochEntry(epoch, startOffset));
        noteLatest();
        dirty = true;
        return true;
    }

    /** Writes the file if a lazy assignment changed the cache since the last write. */
    synchronized void flushIfDirty() {
        if (dirty) flush();
    }

    OptionalInt latestEpoch() {
        int l = latest;
        return l < 0 ? OptionalInt.empty() : OptionalInt.of(l);
    }

    synchronized Optional<EpochEntry> latestEntry() {
        return epochs.isEmpty()
                ? Optional.empty()
                : Optional.of(epochs.lastEntry().getValue());
    }

    /** Epoch of the batch holding {@code offset}, or -1. */
    synchronized int epochForOffset(long offset) {
        int result = -1;
        for (EpochEntry e : epochs.values()) {
            if (e.startOffset() <= offset) result = e.epoch();
            else break;
        }
        return result;
    }

    /**
     * Kafka's OffsetsForLeaderEpoch: (largest epoch at or below the requested one, start offset of the next epoch or
     * the log end offset). A requested epoch below every known one gives (requested, first start offset); one above
     * every known one, or -1, gives {@link EpochEndOffset#UNDEFINED}.
     */
    synchronized EpochEndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
        if (requestedEpoch < 0 || epochs.isEmpty()) return EpochEndOffset.UNDEFINED;
        if (epochs.lastKey() == requestedEpoch) return new EpochEndOffset(requestedEpoch, logEndOffset);
        Map.Entry<Integer, EpochEntry> higher = epochs.higherEntry(requestedEpoch);
        if (higher == null) return EpochEndOffset.UNDEFINED;
        Map.Entry<Integer, EpochEntry> floor = epochs.floorEntry(requestedEpoch);
        if (floor == null)
            return new EpochEndOffset(requestedEpoch, higher.getValue().startOffset());
        return new EpochEndOffset(floor.getKey(), higher.getValue().startOffset());
    }

    /** Removes entries starting at or after {@code endOffset} (the log was truncated to it). */
    synchronized void truncateFromEnd(long endOffset) {
        if (endOffset < 0 || epochs.isEmpty() || epochs.lastEntry().getValue().startOffset() < endOffset) return;
        epochs.values().removeIf(e -> e.startOffset() >= endOffset);
        noteLatest();
        flush();
    }

    /**
     * The log now starts at {@code startOffset}: drops entries wholly before it, and moves the start of the epoch
     * that covers it up to it.
     */
    synchronized void truncateFromStart(long startOffset) {
        EpochEntry lastRemoved = null;
        int removed = 0;
        var it = epochs.entrySet().iterator();
        while (it.hasNext()) {
            EpochEntry e = it.next().getValue();
            if (e.startOffset() <= startOffset) {
                lastRemoved = e;
                removed++;
                it.remove();
            } else {
                break;
            }
        }
        if (lastRemoved != null) {
            epochs.put(lastRemoved.epoch(), new EpochEntry(lastRemoved.epoch(), startOffset));
            noteLatest();
            if (removed > 1 || lastRemoved.startOffset() != startOffset) flush();
        }
    }

    synchronized void clear() {
        epochs.clear();
        noteLatest();
        flush();
    }

    synchronized List<EpochEntry> entries() {
        return List.copyOf(epochs.values());
    }

    synchronized boolean isEmpty() {
        return epochs.isEmpty();
    }

    private void flush() {
        StringBuilder sb = new StringBuilder();
        sb.append(VERSION).append('\n').append(epochs.size()).append('\n');
        for (EpochEntry e : epochs.values())
            sb.append(e.epoch()).append(' ').append(e.startOffset()).append('\n');
        try {
            CheckpointFile.write(file, sb.toString());
            dirty = false;
        } catch (IOException e) {
            ioErrors.accept("writing " + file, e);
            throw new KafkaStorageException("Cannot write " + file, e);
        }
    }

    NavigableMap<Integer, EpochEntry> snapshotForTest() {
        synchronized (this) {
            return new TreeMap<>(epochs);
        }
    }
}
