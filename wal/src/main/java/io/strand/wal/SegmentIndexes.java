package io.strand.wal;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index files of one segment, kept together: the sparse offset index ({@code .index}) and the sparse time index
 * ({@code .timeindex}), checked and rebuilt together, plus the running state that decides their next entries (bytes
 * since the last entry, largest timestamp so far and the offset where it was first reached); and the
 * aborted-transaction index ({@code .txnindex}, {@link TransactionIndex}), which has entries only when the broker
 * adds them and cannot be rebuilt from the batches: it is opened, truncated, flushed, renamed, closed and deleted with
 * the other two, but neither reset nor rebuilt (recovery only cuts its entries beyond the recovered data).
 *
 * <p>Every per-segment index is listed once in {@link #SUFFIXES} and handled by each method of this class, so a new
 * index type is added here alone: a field, its suffix, and a line in {@code create}, {@code open}, {@link #truncateTo},
 * {@link #flush}, {@link #renameTo}, {@link #close} and {@link #closeAndDelete} (and in {@link #sanityCheck},
 * {@link #reset} and {@link #trim} for an index derived from the batches, which recovery and index rebuilds feed to
 * {@link #onBatch}).
 *
 * <p>Thread-safety: one writer at a time (the holder of the owning log's lock, or the thread loading the log)
 * appends, truncates, resizes and renames; readers look up concurrently through {@link #offsetIndex()} and
 * {@link #timeIndex()} (each index guards its mapping itself) and read the volatile running maximum.
 */
final class SegmentIndexes implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(SegmentIndexes.class);

    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    /** The file suffix of every per-segment index: stray-file cleanup and deletion go by this list. */
    static final List<String> SUFFIXES = List.of(INDEX_SUFFIX, TIME_INDEX_SUFFIX, TransactionIndex.SUFFIX);

    private final long baseOffset;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final TransactionIndex txnIndex;
    /** Whether the index files were missing or failed their check at open: the segment rebuilds them. */
    private final boolean needsRebuild;

    private int bytesSinceLastEntry;
    private volatile long maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
    private volatile long offsetOfMaxTimestampSoFar;
    /** Changed since the last flush (written by the writer, cleared by the fsync pass). */
    private volatile boolean needsFlush;
    /** Size the indexes are (re)mapped at for appending: {@code log.index.size.max.bytes}. */
    private int maxIndexBytes;

    private SegmentIndexes(
            long baseOffset,
            OffsetIndex oi,
            TimeIndex ti,
            TransactionIndex txi,
            int maxIndexBytes,
            boolean needsRebuild) {
        this.baseOffset = baseOffset;
        this.offsetIndex = oi;
        this.timeIndex = ti;
        this.txnIndex = txi;
        this.maxIndexBytes = maxIndexBytes;
        this.needsRebuild = needsRebuild;
        this.offsetOfMaxTimestampSoFar = baseOffset;
    }

    static Path indexFile(Path dir, long baseOffset) {
        return dir.resolve(LogSegment.filenamePrefix(baseOffset) + INDEX_SUFFIX);
    }

    static Path timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(LogSegment.filenamePrefix(baseOffset) + TIME_INDEX_SUFFIX);
    }

    /** Whether {@code fileName} is a per-segment index file (of any type). */
    static boolean isIndexFile(String fileName) {
        for (String s : SUFFIXES) if (fileName.endsWith(s)) return true;
        return false;
    }

    /** New empty indexes for a new segment, replacing leftover files of the same name. */
    static SegmentIndexes create(Path dir, long baseOffset, int maxIndexSize) throws IOException {
        return create(dir, baseOffset, maxIndexSize, "");
    }

    /** As {@link #create(Path, long, int)}, with {@code suffix} after each file name (the cleaner's segments). */
    static SegmentIndexes create(Path dir, long baseOffset, int maxIndexSize, String suffix) throws IOException {
        Path ip = dir.resolve(indexFile(dir, baseOffset).getFileName() + suffix);
        Path tp = dir.resolve(timeIndexFile(dir, baseOffset).getFileName() + suffix);
        Files.deleteIfExists(ip);
        Files.deleteIfExists(tp);
        TransactionIndex txi = TransactionIndex.create(dir, baseOffset, suffix);
        OffsetIndex oi = null;
        try {
            oi = new OffsetIndex(ip, baseOffset, maxIndexSize, true);
            TimeIndex ti = new TimeIndex(tp, baseOffset, maxIndexSize, true);
            return new SegmentIndexes(baseOffset, oi, ti, txi, maxIndexSize, false);
        } catch (IOException | RuntimeException e) {
            if (oi != null) oi.close(false);
            txi.closeQuietly();
            throw e;
        }
    }

    /**
     * The indexes of a segment that recovery is about to scan (which rebuilds the offset and time indexes): their
     * content is irrelevant, only their length must be whole entries to open them. The transaction index is opened
     * as usual; recovery cuts its entries beyond the recovered data.
     */
    static SegmentIndexes openForRecovery(Path dir, long baseOffset, int maxIndexSize) throws IOException {
        Path ip = indexFile(dir, baseOffset);
        Path tp = timeIndexFile(dir, baseOffset);
        if (Files.exists(ip) && Files.size(ip) % OffsetIndex.ENTRY_SIZE != 0) Files.delete(ip);
        if (Files.exists(tp) && Files.size(tp) % TimeIndex.ENTRY_SIZE != 0) Files.delete(tp);
        return openFiles(dir, baseOffset, maxIndexSize, true, false, TransactionIndex.open(dir, baseOffset));
    }

    /**
     * The indexes of an existing segment of {@code logSize} bytes. Missing or insane files (see {@link #sanityCheck})
     * are deleted and opened empty with {@link #needsRebuild()} set (with a warning naming the problem); otherwise the
     * running maximum is taken from the last time index entry. {@code active} maps them at full size. The transaction
     * index is kept in any case (see {@link TransactionIndex#open}).
     */
    static SegmentIndexes open(Path dir, long baseOffset, int maxIndexSize, boolean active, long logSize, Path logFile)
            throws IOException {
        Path ip = indexFile(dir, baseOffset);
        Path tp = timeIndexFile(dir, baseOffset);
        boolean rebuild = !Files.exists(ip) || !Files.exists(tp);
        if (!rebuild) {
            String problem = sanityCheck(ip, tp, logSize);
            if (problem != null) {
                log.warn("Rebuilding indexes of segment {}: {}", logFile, problem);
                rebuild = true;
            }
        }
        if (rebuild) {
            Files.deleteIfExists(ip);
            Files.deleteIfExists(tp);
        }
        SegmentIndexes idx = openFiles(
                dir, baseOffset, maxIndexSize, active || rebuild, rebuild, TransactionIndex.open(dir, baseOffset));
        if (!rebuild) {
            TimeIndex.Entry last = idx.timeIndex.entries() > 0 ? idx.timeIndex.lastEntry() : null;
            if (last != null) {
                idx.maxTimestampSoFar = last.timestamp();
                idx.offsetOfMaxTimestampSoFar = last.offset();
            }
            idx.bytesSinceLastEntry =
                    (int) logSize - idx.offsetIndex.lastEntry().position();
        }
        return idx;
    }

    private static SegmentIndexes openFiles(
            Path dir, long baseOffset, int maxIndexSize, boolean writable, boolean needsRebuild, TransactionIndex txi)
            throws IOException {
        OffsetIndex oi = null;
        try {
            oi = new OffsetIndex(indexFile(dir, baseOffset), baseOffset, maxIndexSize, writable);
            TimeIndex ti = new TimeIndex(timeIndexFile(dir, baseOffset), baseOffset, maxIndexSize, writable);
            return new SegmentIndexes(baseOffset, oi, ti, txi, maxIndexSize, needsRebuild);
        } catch (IOException | RuntimeException e) {
            if (oi != null) oi.close(false);
            txi.closeQuietly();
            throw e;
        }
    }

    /**
     * Cheap check of an existing index pair without mapping it: whole entries, last entries inside the segment.
     * Returns the problem, or null.
     */
    private static String sanityCheck(Path ip, Path tp, long logSize) throws IOException {
        long il = Files.size(ip);
        long tl = Files.size(tp);
        if (il % OffsetIndex.ENTRY_SIZE != 0)
            return "offset index length " + il + " is not a multiple of " + OffsetIndex.ENTRY_SIZE;
        if (tl % TimeIndex.ENTRY_SIZE != 0)
            return "time index length " + tl + " is not a multiple of " + TimeIndex.ENTRY_SIZE;
        if (il > 0) {
            ByteBuffer b = ByteBuffer.allocate(OffsetIndex.ENTRY_SIZE);
            readFully(ip, b, il - OffsetIndex.ENTRY_SIZE);
            int rel = b.getInt(0);
            int pos = b.getInt(4);
            if (rel <= 0 && il > OffsetIndex.ENTRY_SIZE || rel < 0 || pos < 0 || pos >= logSize)
                return "last offset index entry (" + rel + ", " + pos + ") is outside the log of " + logSize + " bytes";
        }
        if (tl > 0) {
            ByteBuffer b = ByteBuffer.allocate(TimeIndex.ENTRY_SIZE);
            readFully(tp, b, tl - TimeIndex.ENTRY_SIZE);
            long ts = b.getLong(0);
            int rel = b.getInt(8);
            if (ts < 0 || rel < 0 || (tl > TimeIndex.ENTRY_SIZE && ts == 0))
                return "last time index entry (" + ts + ", " + rel + ") is invalid";
        }
        return null;
    }

    private static void readFully(Path p, ByteBuffer b, long position) throws IOException {
        try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) {
            while (b.hasRemaining()) {
                if (c.read(b, position + b.position()) < 0) throw new EOFException("Unexpected end of " + p);
            }
        }
    }

    boolean needsRebuild() {
        return needsRebuild;
    }

    OffsetIndex offsetIndex() {
        return offsetIndex;
    }

    TimeIndex timeIndex() {
        return timeIndex;
    }

    TransactionIndex txnIndex() {
        return txnIndex;
    }

    long maxTimestampSoFar() {
        return maxTimestampSoFar;
    }

    long offsetOfMaxTimestampSoFar() {
        return offsetOfMaxTimestampSoFar;
    }

    // ------------------------------------------------------------------------------------------------ writer

    /**
     * A batch was appended (or found by recovery) at {@code position}: adds index entries when more than
     * {@code indexIntervalBytes} were written since the last ones, and tracks the largest timestamp.
     */
    void onBatch(BatchHeader b, int position, int indexIntervalBytes) {
        observe(b);
        if (bytesSinceLastEntry > indexIntervalBytes) {
            if (!offsetIndex.isFull()) offsetIndex.append(b.baseOffset(), position);
            if (!timeIndex.isFull()) timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar, false);
            bytesSinceLastEntry = 0;
        }
        bytesSinceLastEntry += b.sizeInBytes();
    }

    /** Tracks the largest timestamp of a batch without indexing it (truncation recomputes the tail's maximum). */
    void observe(BatchHeader b) {
        if (b.maxTimestamp() > maxTimestampSoFar) {
            maxTimestampSoFar = b.maxTimestamp();
            offsetOfMaxTimestampSoFar = b.baseOffset();
        }
    }

    /** Whether {@code batches} more entries could overflow an index (the segment must roll first). */
    boolean full(int batches) {
        return offsetIndex.entries() + batches > offsetIndex.maxEntries()
                || timeIndex.entries() + batches > timeIndex.maxEntries() - 1;
    }

    /**
     * Drops every entry of the offset and time indexes before a rebuild; {@code remap} maps the files at full size
     * first (recovery). The transaction index is not derived from the batches and keeps its entries.
     */
    void reset(boolean remap) throws IOException {
        if (remap) {
            offsetIndex.resize(maxIndexBytes);
            timeIndex.resize(maxIndexBytes);
        }
        offsetIndex.reset();
        timeIndex.reset();
        maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = baseOffset;
        bytesSinceLastEntry = 0;
    }

    /** The entries were rebuilt outside recovery (which fsyncs them with the segment anyway): flush them next time. */
    void markChanged() {
        needsFlush = true;
    }

    /**
     * Drops the entries of offsets at or above {@code offset} (the segment was cut at the batch starting there; for
     * the transaction index: the aborted transactions whose marker was cut) and takes the running maximum from the
     * last remaining time index entry. Returns the file position from which the segment must {@link #observe} the
     * surviving batches to complete the maximum.
     */
    long truncateTo(long offset) throws IOException {
        txnIndex.truncateTo(offset);
        offsetIndex.truncateTo(offset);
        timeIndex.truncateTo(offset);
        TimeIndex.Entry te = timeIndex.lastEntry();
        maxTimestampSoFar = te.timestamp();
        offsetOfMaxTimestampSoFar = te.offset();
        needsFlush = true;
        return Math.min(
                offsetIndex.lastEntry().position(),
                offsetIndex.lookup(te.offset()).position());
    }

    /** After a truncation to {@code newSize} bytes: the bytes written since the last offset index entry. */
    void truncatedTo(int newSize) {
        bytesSinceLastEntry =
                newSize == 0 ? 0 : newSize - offsetIndex.lastEntry().position();
    }

    /** Maps the indexes at full size for appending (the segment is, or again is, the active one). */
    void makeActive(int maxIndexSize) throws IOException {
        this.maxIndexBytes = maxIndexSize;
        offsetIndex.resize(maxIndexSize);
        timeIndex.resize(maxIndexSize);
    }

    /** The segment stopped being active: a closing time index entry, files trimmed to their entries. */
    void onBecomeInactive() throws IOException {
        timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar, true);
        trim();
    }

    void trim() throws IOException {
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
        needsFlush = true;
    }

    /** Forces the mappings and the transaction index to disk if they changed since the last flush. */
    /** fsyncs the transaction index if it changed (recovery trims it but cannot rebuild it). */
    void flushTransactionIndex() throws IOException {
        txnIndex.flush();
    }

    void flush() throws IOException {
        if (needsFlush) {
            needsFlush = false;
            offsetIndex.flush();
            timeIndex.flush();
        }
        txnIndex.flush();
    }

    /** Renames every index file by appending {@code suffix} (deletion); mappings stay valid. */
    void renameTo(String suffix) throws IOException {
        changeSuffix("", suffix);
    }

    /** Renames every index file from {@code <name><from>} to {@code <name><to>}; mappings stay valid. */
    void changeSuffix(String from, String to) throws IOException {
        offsetIndex.renameTo(LogSegment.withSuffix(offsetIndex.file(), from, to));
        timeIndex.renameTo(LogSegment.withSuffix(timeIndex.file(), from, to));
        txnIndex.changeSuffix(from, to);
    }

    /** Unmaps and deletes every index file (under its current name). */
    void closeAndDelete() throws IOException {
        offsetIndex.closeAndDelete();
        timeIndex.closeAndDelete();
        txnIndex.closeAndDelete();
    }

    /** Clean close: files trimmed to their entries and unmapped; the transaction index fsynced if changed, closed. */
    @Override
    public void close() throws IOException {
        offsetIndex.close();
        timeIndex.close();
        txnIndex.close();
    }

    /** Unmaps without trimming (the segment is being abandoned). */
    void closeQuietly() {
        try {
            offsetIndex.close(false);
            timeIndex.close(false);
        } catch (IOException ignored) {
            // abandoning the files
        }
        txnIndex.closeQuietly();
    }
}
