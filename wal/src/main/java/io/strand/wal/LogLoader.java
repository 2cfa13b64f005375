package io.strand.wal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens one partition log's directory and produces its loaded state ({@link LoadedLog}): finishes or drops what
 * the log cleaner left ({@link SegmentSwap#completeAtLoad}), deletes stray files
 * (leftover {@code .deleted} segments and {@code .tmp} checkpoints, index files without a segment), checks or records
 * the topic id ({@code partition.metadata}), reads the offsets checkpoint, opens the segments, and after an unclean
 * shutdown runs the recovery scan from the segment holding the recovery point, truncating a torn or corrupt tail.
 * Kafka's {@code LogLoader}.
 *
 * <p>Thread-safety: one loading thread per log (the log manager loads different logs in parallel); nobody else sees
 * the segments until {@link PartitionLog} is built from the result.
 */
final class LogLoader {
    private static final Logger log = LoggerFactory.getLogger(LogLoader.class);

    /** What loading found: the log's state to start from. The recovery point equals the log end offset. */
    record LoadedLog(
            Uuid topicId,
            LogSegments segments,
            LeaderEpochCache epochCache,
            long logStartOffset,
            long logEndOffset,
            long highWatermark,
            boolean cleanShutdown,
            long journalPosition) {}

    private final Path dir;
    private final LogConfig config;
    private final LogRuntime runtime;
    private final String logPrefix;
    private final LeaderEpochCache epochCache;
    private final LogSegments segments;
    private long logStartOffset;
    private long logEndOffset;

    private LogLoader(Path dir, LogConfig config, LogRuntime runtime, String logPrefix) throws IOException {
        this.dir = dir;
        this.config = config;
        this.runtime = runtime;
        this.logPrefix = logPrefix;
        this.epochCache = new LeaderEpochCache(dir, logPrefix);
        this.segments = new LogSegments(runtime, logPrefix);
    }

    /**
     * Loads (creating if needed) the log in {@code dir}. A null or zero {@code topicId} takes the one on disk.
     *
     * @throws InconsistentTopicIdException when the directory holds another topic id
     */
    static LoadedLog load(Path dir, Uuid topicId, LogConfig config, LogRuntime runtime, String logPrefix)
            throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            CheckpointFile.fsyncDir(dir.getParent());
        }
        LogLoader loader = new LogLoader(dir, config, runtime, logPrefix);
        try {
            return loader.load(topicId);
        } catch (IOException | RuntimeException e) {
            loader.segments.closeQuietly();
            throw e;
        }
    }

    private LoadedLog load(Uuid requestedTopicId) throws IOException {
        long now = runtime.time.milliseconds();
        SegmentSwap.completeAtLoad(dir, logPrefix);
        TreeSet<Long> bases = deleteStrayFiles();
        Uuid topicId = checkTopicId(requestedTopicId);
        LogCheckpoints.Offsets cp = LogCheckpoints.read(dir, logPrefix);
        boolean clean = LogCheckpoints.cleanMarkerExists(dir);

        if (bases.isEmpty()) {
            long base = Math.max(0, cp.logStartOffset());
            segments.addLast(LogSegment.create(dir, base, config.maxIndexSizeBytes(), now));
            segments.markDirNeedsSync();
            logStartOffset = base;
            logEndOffset = base;
            epochCache.truncateFromEnd(base);
            epochCache.truncateFromStart(base);
        } else {
            long last = bases.last();
            long recoverFrom = clean ? Long.MAX_VALUE : recoveryStart(bases, cp.recoveryPoint());
            for (long base : bases) {
                segments.addLast(LogSegment.open(
                        dir,
                        base,
                        config.maxIndexSizeBytes(),
                        config.indexIntervalBytes(),
                        base == last,
                        base >= recoverFrom,
                        now));
            }
            if (clean) {
                logEndOffset = segments.active().readNextOffset();
                log.debug(
                        "{}Loaded after a clean shutdown: {} segments, log end offset {}",
                        logPrefix,
                        segments.count(),
                        logEndOffset);
            } else {
                recover(cp.recoveryPoint(), recoverFrom);
            }
            logStartOffset = Math.max(cp.logStartOffset(), segments.firstBaseOffset());
            if (logStartOffset > logEndOffset) startEmptyAtLogStart(now);
            segments.deleteBelow(logStartOffset, () -> {});
            epochCache.truncateFromStart(logStartOffset);
        }
        long hw = Math.max(logStartOffset, Math.min(cp.highWatermark(), logEndOffset));
        return new LoadedLog(
                topicId, segments, epochCache, logStartOffset, logEndOffset, hw, clean, cp.journalPosition());
    }

    /**
     * The base offset of the first segment an unclean start recovers (rebuilding its indexes): the one holding the
     * recovery point (the first one when the recovery point is below it), or the one before when the recovery point
     * is exactly a segment's base: it may have been checkpointed after the roll that started that segment and before
     * the fsync pass that makes the rolled segment's trimmed indexes durable ({@link LogSegments#planFsync}).
     */
    static long recoveryStart(NavigableSet<Long> bases, long recoveryPoint) {
        Long floor = bases.floor(recoveryPoint);
        if (floor == null) return bases.first();
        Long before = floor == recoveryPoint ? bases.lower(floor) : null;
        return before != null ? before : floor;
    }

    /** Deletes leftovers and index files without a segment; returns the base offsets of the segments. */
    private TreeSet<Long> deleteStrayFiles() throws IOException {
        TreeSet<Long> bases = new TreeSet<>();
        List<Path> indexes = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.endsWith(LogSegment.DELETED_SUFFIX) || name.endsWith(CheckpointFile.TMP_SUFFIX)) {
                    Files.deleteIfExists(p);
                } else if (name.endsWith(LogSegment.LOG_SUFFIX)) {
                    bases.add(Long.parseLong(name.substring(0, name.length() - LogSegment.LOG_SUFFIX.length())));
                } else if (SegmentIndexes.isIndexFile(name)) {
                    indexes.add(p);
                }
            }
        }
        for (Path p : indexes) {
            String name = p.getFileName().toString();
            if (!bases.contains(Long.parseLong(name.substring(0, name.indexOf('.'))))) Files.deleteIfExists(p);
        }
        return bases;
    }

    /** The topic id to use: the requested one (recorded if the directory has none) or the one on disk. */
    private Uuid checkTopicId(Uuid requested) throws IOException {
        Optional<Uuid> onDisk = LogCheckpoints.readTopicId(dir);
        if (requested == null || Uuid.ZERO_UUID.equals(requested)) return onDisk.orElse(Uuid.ZERO_UUID);
        if (onDisk.isEmpty()) {
            LogCheckpoints.writeTopicId(dir, requested);
        } else if (!onDisk.get().equals(requested)) {
            throw new InconsistentTopicIdException("The log in " + dir + " belongs to topic id " + onDisk.get()
                    + ", not " + requested + " (the log manager deletes such a log before creating the new one)");
        }
        return requested;
    }

    /** The checkpointed log start is beyond everything recovered: start an empty log there. */
    private void startEmptyAtLogStart(long now) throws IOException {
        log.warn(
                "{}Log start offset {} is beyond the log end offset {}: starting an empty log there",
                logPrefix,
                logStartOffset,
                logEndOffset);
        segments.deleteAllAndStartAt(dir, logStartOffset, "log start offset beyond the log end", config, now);
        logEndOffset = logStartOffset;
        epochCache.clear();
        CheckpointFile.fsyncDir(dir);
    }

    /**
     * Unclean start: validate everything from the segment {@code recoverFrom} ({@link #recoveryStart}); truncate at
     * the first bad batch.
     */
    private void recover(long recoveryPoint, long recoverFrom) throws IOException {
        List<LogSegment> toRecover = new ArrayList<>(segments.from(recoverFrom));
        log.info(
                "{}Recovering {} segment(s) from offset {} (recovery point {}) after an unclean shutdown",
                logPrefix,
                toRecover.size(),
                toRecover.get(0).baseOffset(),
                recoveryPoint);
        long expectedNext = -1;
        LogSegment lastGood = null;
        for (int i = 0; i < toRecover.size(); i++) {
            LogSegment seg = toRecover.get(i);
            if (expectedNext >= 0 && seg.baseOffset() < expectedNext) {
                log.warn(
                        "{}Segment {} starts at offset {} inside the previous segment (which ends at {}); deleting it and every later segment",
                        logPrefix,
                        seg.logFile(),
                        seg.baseOffset(),
                        expectedNext);
                deleteFrom(toRecover, i);
                break;
            }
            SegmentRecovery.Result r = SegmentRecovery.recover(seg, config.indexIntervalBytes(), (h, pos) -> {
                if (h.partitionLeaderEpoch() >= 0) epochCache.assignLazily(h.partitionLeaderEpoch(), h.baseOffset());
            });
            lastGood = seg;
            expectedNext = r.nextOffset();
            if (r.truncatedBytes() > 0) {
                log.warn(
                        "{}Truncated segment {} at position {} (offset {}): {}; dropped {} bytes",
                        logPrefix,
                        seg.logFile(),
                        r.validBytes(),
                        r.problemOffset() >= 0 ? r.problemOffset() : r.nextOffset(),
                        r.problem(),
                        r.truncatedBytes());
                deleteFrom(toRecover, i + 1);
                break;
            }
        }
        segments.resetActive();
        LogSegment active = segments.active();
        for (LogSegment seg : segments.all()) {
            if (seg != active && toRecover.contains(seg)) seg.trimIndexes();
        }
        // everything we kept is fsynced now (the trimmed indexes too), so that the recovery point may move to the log
        // end
        for (LogSegment seg : toRecover) {
            if (segments.contains(seg)) seg.flush();
        }
        active.makeActive(config.maxIndexSizeBytes());
        logEndOffset = lastGood == active ? expectedNext : active.readNextOffset();
        epochCache.truncateFromEnd(logEndOffset);
        epochCache.flushIfDirty();
        CheckpointFile.fsyncDir(dir);
    }

    private void deleteFrom(List<LogSegment> list, int from) throws IOException {
        for (int j = from; j < list.size(); j++) {
            LogSegment later = list.get(j);
            log.warn(
                    "{}Deleting segment {} (base offset {}) after the truncation point",
                    logPrefix,
                    later.logFile(),
                    later.baseOffset());
            segments.removeNow(later);
        }
    }
}
