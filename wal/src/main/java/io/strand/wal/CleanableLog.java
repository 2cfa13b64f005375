package io.strand.wal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;

/**
 * The log cleaner's view of one partition log ({@link PartitionLog#cleanable()}): the seam between the log and
 * {@code io.strand.wal.cleaner}. The cleaner reads closed segments ({@link #segments}), writes a
 * {@link CleanedSegment} for a run of them, and swaps it in ({@link #replace}); it keeps its own progress, the first
 * dirty offset, in {@code cleaner-offset.checkpoint} in the partition directory. The broker tells the cleaner how far
 * it may go and which producers' last batches must stay ({@link #setHints}).
 *
 * <p>Thread-safety: any thread; {@link #replace} takes the log lock.
 */
public final class CleanableLog {
    static final String CHECKPOINT_FILE = "cleaner-offset.checkpoint";

    private final PartitionLog log;
    private final LocalLog local;
    private volatile CleanerHints hints;

    CleanableLog(PartitionLog log, LocalLog local) {
        this.log = log;
        this.local = local;
    }

    public TopicPartition topicPartition() {
        return local.topicPartition();
    }

    public LogConfig config() {
        return local.config();
    }

    public boolean isUsable() {
        return local.lifecycle().isUsable();
    }

    public long logStartOffset() {
        return local.logStartOffset();
    }

    public long logEndOffset() {
        return local.logEndOffset();
    }

    public long sizeInBytes() {
        return log.sizeInBytes();
    }

    /** The base offset of the active segment, which is never cleaned. */
    public long activeSegmentBaseOffset() {
        return local.segments().active().baseOffset();
    }

    /** The broker's hints for this partition; replaces earlier ones. */
    public void setHints(CleanerHints hints) {
        this.hints = hints;
    }

    /**
     * The first offset the cleaner may not clean or read keys from: the broker's first unstable offset (the high
     * watermark without hints), never beyond the active segment.
     */
    public long firstUncleanableOffset() {
        CleanerHints h = hints;
        long bound = h == null ? local.highWatermark() : Math.min(h.firstUnstableOffset(), local.highWatermark());
        return Math.min(bound, activeSegmentBaseOffset());
    }

    /** The broker's active producers ({@link CleanerHints#activeProducers}); empty without hints. */
    public Map<Long, CleanerHints.LastProducerEntry> activeProducers() {
        CleanerHints h = hints;
        return h == null ? Map.of() : h.activeProducers();
    }

    /** The closed segments holding offsets in [{@code from}, {@code to}), oldest first (never the active one). */
    public List<CleanableSegment> segments(long from, long to) {
        List<CleanableSegment> out = new ArrayList<>();
        LogSegment active = local.segments().active();
        for (LogSegment seg : local.segments().from(from)) {
            if (seg == active || seg.baseOffset() >= to) break;
            out.add(new CleanableSegment(seg));
        }
        return out;
    }

    /** The offset after the last batch of {@code seg} (reads its tail). */
    public long nextOffset(CleanableSegment seg) throws IOException {
        return seg.segment.readNextOffset();
    }

    /** See {@link PartitionLog#abortedTransactions}. */
    public List<AbortedTxn> abortedTransactions(long startOffset, long upperBoundOffset) {
        return log.abortedTransactions(startOffset, upperBoundOffset);
    }

    /** See {@link LogSegments#truncations()}: read before cleaning, handed to {@link #replace}. */
    public long truncations() {
        return local.segments().truncations();
    }

    /** See {@link LogSegments#takeLowestTruncation()}. */
    public long takeLowestTruncation() {
        return local.segments().takeLowestTruncation();
    }

    /** Starts a cleaned segment with the base offset of the first segment it will replace. */
    public CleanedSegment newCleanedSegment(long baseOffset) {
        LogConfig cfg = local.config();
        try {
            LogSegment seg =
                    LogSegment.create(local.dir(), baseOffset, cfg.maxIndexSizeBytes(), 0, LogSegment.CLEANED_SUFFIX);
            return new CleanedSegment(seg, cfg.indexIntervalBytes());
        } catch (IOException e) {
            if (!local.lifecycle().isUsable()) throw local.lifecycle().unusable();
            throw local.fail("creating a cleaned segment", e);
        }
    }

    /**
     * Swaps {@code cleaned} (finished) in for {@code old}, crash-safely ({@link SegmentSwap}), unless the log was
     * truncated since {@code truncationsSeen} or {@code old} are no longer all in the log (retention, DeleteRecords);
     * then (or on any failure) the cleaned segment is deleted. Returns whether it was swapped in.
     */
    public boolean replace(List<CleanableSegment> old, CleanedSegment cleaned, long truncationsSeen) {
        List<LogSegment> segs = new ArrayList<>(old.size());
        for (CleanableSegment s : old) segs.add(s.segment);
        boolean swapped = false;
        try {
            swapped = local.replaceSegments(segs, cleaned.segment, truncationsSeen);
            return swapped;
        } finally {
            if (!swapped) cleaned.delete();
        }
    }

    /** The cleaner's first dirty offset as last checkpointed, if any. */
    public OptionalLong readCheckpoint() {
        try {
            Optional<List<String>> lines = CheckpointFile.readLines(local.dir().resolve(CHECKPOINT_FILE));
            if (lines.isEmpty() || lines.get().size() < 2) return OptionalLong.empty();
            return OptionalLong.of(Long.parseLong(lines.get().get(1).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty(); // a lost checkpoint costs one extra full cleaning, nothing else
        }
    }

    /** Records the cleaner's first dirty offset (atomically, fsynced). */
    public void writeCheckpoint(long firstDirtyOffset) {
        Path dir = local.dir();
        try {
            CheckpointFile.write(dir.resolve(CHECKPOINT_FILE), "0\n" + firstDirtyOffset + "\n");
        } catch (IOException e) {
            if (local.lifecycle().isUsable()) throw local.fail("writing the cleaner checkpoint", e);
            throw new KafkaStorageException("The log of " + topicPartition() + " is not usable", e);
        }
    }

    @Override
    public String toString() {
        return "CleanableLog(" + topicPartition() + ")";
    }
}
