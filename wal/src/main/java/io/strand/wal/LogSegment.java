package io.strand.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment of a partition log: {@code <baseOffset>.log} holding Kafka v2 record batches byte-for-byte as
 * appended, and its index files ({@link SegmentIndexes}: {@code <baseOffset>.index}, the sparse offset index,
 * {@code <baseOffset>.timeindex}, the sparse time index, and {@code <baseOffset>.txnindex}, the aborted transactions
 * whose markers it holds, once there is one). Appends, reads with lazy CRC verification, the recovery scan of its
 * batches, truncation.
 *
 * <p>Thread-safety: the owning log serialises every mutation (append, truncate, roll, close) under its log lock
 * (or the loading thread owns the segment). Readers run concurrently with the writer without locks: they bound
 * themselves by a size they read first ({@link #size()} is published after the bytes are written, before the index
 * entries that point into them), and only use positional reads on the channel.
 */
final class LogSegment implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(LogSegment.class);

    static final String LOG_SUFFIX = ".log";
    static final String DELETED_SUFFIX = ".deleted";
    /** A segment the log cleaner is writing; deleted by the loader (an unfinished cleaning). */
    static final String CLEANED_SUFFIX = ".cleaned";
    /** A cleaned segment about to replace old ones; the loader completes the swap ({@link SegmentSwap}). */
    static final String SWAP_SUFFIX = ".swap";

    private static final ThreadLocal<ByteBuffer> HEADER_BUF =
            ThreadLocal.withInitial(() -> ByteBuffer.allocate(BatchHeader.HEADER_SIZE));
    private static final ThreadLocal<ByteBuffer> CRC_BUF =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(64 * 1024));

    private final long baseOffset;
    private volatile Path logFile;
    private final FileChannel channel;
    private final SegmentIndexes indexes;
    private final OffsetIndex offsetIndex;
    /** Bytes of whole batches in the file; readers never look past it. */
    private volatile int size;
    /** The zeros written ahead of the appends in durable mode, and the file's length with them. */
    private final ZeroFilledTail tail;
    /** Bytes from the start whose batches are known to pass CRC (checked on append, recovery, or a read). */
    private final AtomicInteger verifiedPosition = new AtomicInteger();

    private long createdMs;
    /** Max timestamp of the first batch, for time-based rolling; Long.MIN_VALUE = not loaded yet. */
    private long firstBatchTimestamp = Long.MIN_VALUE;

    private LogSegment(
            long baseOffset, Path logFile, FileChannel channel, SegmentIndexes indexes, int size, long nowMs) {
        this.baseOffset = baseOffset;
        this.logFile = logFile;
        this.channel = channel;
        this.indexes = indexes;
        this.offsetIndex = indexes.offsetIndex();
        this.size = size;
        this.tail = new ZeroFilledTail(size);
        this.createdMs = nowMs;
    }

    static String filenamePrefix(long offset) {
        return String.format("%020d", offset);
    }

    static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + LOG_SUFFIX);
    }

    /** Creates a new empty segment (replacing leftover files of the same name). */
    static LogSegment create(Path dir, long baseOffset, int maxIndexSize, long nowMs) throws IOException {
        return create(dir, baseOffset, maxIndexSize, nowMs, "");
    }

    /**
     * Creates a new empty segment whose file names carry {@code suffix} after their usual names (the log cleaner's
     * {@code .cleaned} segments), replacing leftover files of the same names.
     */
    static LogSegment create(Path dir, long baseOffset, int maxIndexSize, long nowMs, String suffix)
            throws IOException {
        Path lf = dir.resolve(logFile(dir, baseOffset).getFileName() + suffix);
        FileChannel ch = FileChannel.open(
                lf,
                StandardOpenOption.CREATE,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        try {
            return new LogSegment(
                    baseOffset, lf, ch, SegmentIndexes.create(dir, baseOffset, maxIndexSize, suffix), 0, nowMs);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Opens an existing segment. If an index file is missing or fails its sanity check, it is rebuilt from the log
     * (with a warning). {@code active} maps the indexes at their maximum size for appending.
     */
    static LogSegment open(
            Path dir, long baseOffset, int maxIndexSize, int indexIntervalBytes, boolean active, long nowMs)
            throws IOException {
        return open(dir, baseOffset, maxIndexSize, indexIntervalBytes, active, false, nowMs);
    }

    /**
     * As above; {@code willRecover} skips the index check and rebuild because {@link SegmentRecovery#recover}
     * rebuilds the indexes anyway (an active segment's indexes are preallocated after a crash, which is expected,
     * not a warning).
     */
    static LogSegment open(
            Path dir,
            long baseOffset,
            int maxIndexSize,
            int indexIntervalBytes,
            boolean active,
            boolean willRecover,
            long nowMs)
            throws IOException {
        Path lf = logFile(dir, baseOffset);
        FileChannel ch = FileChannel.open(lf, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long fileSize = ch.size();
            if (fileSize > Integer.MAX_VALUE)
                throw new CorruptRecordException("Segment file " + lf + " is larger than 2 GiB: " + fileSize);
            SegmentIndexes idx = willRecover
                    ? SegmentIndexes.openForRecovery(dir, baseOffset, maxIndexSize)
                    : SegmentIndexes.open(dir, baseOffset, maxIndexSize, active, fileSize, lf);
            LogSegment seg = new LogSegment(baseOffset, lf, ch, idx, (int) fileSize, nowMs);
            if (idx.needsRebuild()) {
                SegmentRecovery.rebuildIndexes(seg, indexIntervalBytes);
                if (!active) idx.trim();
            }
            return seg;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    long baseOffset() {
        return baseOffset;
    }

    int size() {
        return size;
    }

    Path logFile() {
        return logFile;
    }

    FileChannel channel() {
        return channel;
    }

    SegmentIndexes indexes() {
        return indexes;
    }

    long maxTimestampSoFar() {
        return indexes.maxTimestampSoFar();
    }

    /** Largest timestamp for retention: the max timestamp, or the file's modification time when no batch has one. */
    long largestTimestampForRetention() {
        long ts = indexes.maxTimestampSoFar();
        if (ts >= 0) return ts;
        try {
            return Files.getLastModifiedTime(logFile).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    boolean indexesFull(int batches) {
        return indexes.full(batches);
    }

    /** Kafka's time-based roll test: age by record timestamps when the first batch has one, else by wall clock. */
    long timeWaitedForRoll(long nowMs, long incomingMaxTimestamp) throws IOException {
        if (firstBatchTimestamp == Long.MIN_VALUE) {
            firstBatchTimestamp = RecordBatch.NO_TIMESTAMP;
            if (size >= BatchHeader.HEADER_SIZE) {
                BatchHeader h = readHeader(0);
                if (h != null) firstBatchTimestamp = h.maxTimestamp();
            }
        }
        if (firstBatchTimestamp >= 0 && incomingMaxTimestamp >= 0) return incomingMaxTimestamp - firstBatchTimestamp;
        return nowMs - createdMs;
    }

    // ------------------------------------------------------------------------------------------------ append

    /**
     * Appends validated batches. {@code data}'s remaining bytes are whole batches whose headers are in {@code batches},
     * with positions relative to {@code data.position()}. Either all bytes are written or the file is cut back and
     * the exception rethrown.
     */
    void append(ByteBuffer data, List<BatchHeader> batches, int indexIntervalBytes) throws IOException {
        int start = size;
        int length = data.remaining();
        ByteBuffer src = data.duplicate();
        try {
            long pos = start;
            while (src.hasRemaining()) pos += channel.write(src, pos);
        } catch (IOException | RuntimeException e) {
            try {
                channel.truncate(start);
                tail.cutTo(start);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        boolean wasVerified = verifiedPosition.get() == start;
        size = start + length;
        tail.appendedTo(size);
        if (wasVerified) verifiedPosition.compareAndSet(start, start + length);
        if (start == 0 && !batches.isEmpty())
            firstBatchTimestamp = batches.get(0).maxTimestamp();
        for (BatchHeader b : batches) indexes.onBatch(b, (int) (start + b.position()), indexIntervalBytes);
    }

    // ------------------------------------------------------------------------------------------------ read

    /** Whether every byte of the file from {@code position} to {@code limit} is zero (zeros written ahead). */
    boolean isZeroFrom(long position, long limit) throws IOException {
        return ZeroFilledTail.isZeroFrom(channel, CRC_BUF.get(), position, limit);
    }

    /** Reads the batch header at {@code position}; null if fewer than 61 bytes are in the file there. */
    BatchHeader readHeader(long position) throws IOException {
        ByteBuffer buf = HEADER_BUF.get();
        buf.clear();
        while (buf.hasRemaining()) {
            int n = channel.read(buf, position + buf.position());
            if (n < 0) return null;
        }
        return BatchHeader.parse(buf, 0, position);
    }

    /**
     * Reads and checks the header at {@code position} below {@code limit}: throws {@link CorruptRecordException} naming
     * the file when it is not a plausible v2 batch that ends by {@code limit}.
     */
    BatchHeader readValidHeader(long position, int limit) throws IOException {
        if (limit - position < BatchHeader.HEADER_SIZE)
            throw new CorruptRecordException("Truncated batch header in " + logFile + " at position " + position);
        BatchHeader h = readHeader(position);
        if (h == null || !h.isStructurallyValid() || h.nextPosition() > limit || h.baseOffset() < baseOffset)
            throw new CorruptRecordException("Corrupt batch in " + logFile + " at position " + position
                    + (h == null
                            ? ""
                            : " (base offset " + h.baseOffset() + ", size " + h.sizeInBytes() + ", magic " + h.magic()
                                    + ")"));
        return h;
    }

    /** The first batch with lastOffset >= offset, scanning from the index position, below {@code limit}; null if none. */
    BatchHeader findBatch(long offset, int limit) throws IOException {
        long pos = offsetIndex.lookup(offset).position();
        while (pos < limit) {
            BatchHeader h = readValidHeader(pos, limit);
            if (h.lastOffset() >= offset) return h;
            pos = h.nextPosition();
        }
        return null;
    }

    /**
     * The slice of whole batches starting with the one holding {@code startOffset}; see {@link PartitionLog#read}.
     * Returns null when this segment has no batch ending at or after {@code startOffset} below {@code limit}, and an
     * empty slice (size 0) when the first batch is excluded by {@code maxOffsetExclusive} or {@code maxBytes}.
     * Batches not yet known to be valid are CRC-checked before they are handed out.
     */
    FileSlice read(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch, int limit)
            throws IOException {
        BatchHeader first = findBatch(startOffset, limit);
        if (first == null) return null;
        long startPos = first.position();
        if (first.lastOffset() >= maxOffsetExclusive || (first.sizeInBytes() > maxBytes && !minOneBatch))
            return new FileSlice(logFile, channel, startPos, 0, first.baseOffset(), first.baseOffset());
        long endPos = first.nextPosition();
        long nextOffset = first.nextOffset();
        long budgetEnd = Math.min(startPos + (long) maxBytes, limit);
        if (budgetEnd > endPos) {
            // jump over whole batches with the index (positions and offsets of batch starts), then scan the rest
            OffsetIndex.Entry e = offsetIndex.floorByPosition(budgetEnd, maxOffsetExclusive);
            if (e != null && e.position() > endPos) {
                endPos = e.position();
                nextOffset = e.offset();
            }
            while (endPos < limit) {
                BatchHeader h = readValidHeader(endPos, limit);
                if (h.lastOffset() >= maxOffsetExclusive || h.nextPosition() > budgetEnd) break;
                endPos = h.nextPosition();
                nextOffset = h.nextOffset();
            }
        }
        verify(startPos, endPos);
        return new FileSlice(logFile, channel, startPos, (int) (endPos - startPos), first.baseOffset(), nextOffset);
    }

    /**
     * CRC-checks the batches in [from, to) that lie beyond the verified prefix. Both {@code from} and the verified
     * position are batch boundaries, so checking starts at the larger of them.
     */
    private void verify(long from, long to) throws IOException {
        int verified = verifiedPosition.get();
        if (to <= verified) return;
        long pos = Math.max(from, verified);
        while (pos < to) {
            BatchHeader h = readValidHeader(pos, (int) to);
            if (!crcMatches(h)) throw corrupt(h, "CRC mismatch");
            pos = h.nextPosition();
        }
        if (from <= verified) verifiedPosition.accumulateAndGet((int) to, Math::max);
    }

    CorruptRecordException corrupt(BatchHeader h, String what) {
        String msg = what + " in batch at offset " + h.baseOffset() + " (position " + h.position() + ") of " + logFile;
        log.error("Found a corrupt batch in the log: {}", msg);
        return new CorruptRecordException(msg);
    }

    /** Computes the batch's CRC-32C from the file and compares it with the stored one. */
    boolean crcMatches(BatchHeader h) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = CRC_BUF.get();
        long p = h.position() + BatchHeader.ATTRIBUTES_OFFSET;
        long end = h.nextPosition();
        while (p < end) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), end - p));
            while (buf.hasRemaining()) {
                int n = channel.read(buf, p + buf.position());
                if (n < 0) return false;
            }
            buf.flip();
            p += buf.remaining();
            crc.update(buf);
        }
        return (int) crc.getValue() == h.crc();
    }

    /** Reads a whole batch onto the heap. */
    MutableRecordBatch readBatch(BatchHeader h) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(h.sizeInBytes());
        while (buf.hasRemaining()) {
            if (channel.read(buf, h.position() + buf.position()) < 0)
                throw new CorruptRecordException(
                        "Unexpected end of " + logFile + " inside batch at position " + h.position());
        }
        buf.flip();
        MutableRecordBatch batch =
                MemoryRecords.readableRecords(buf).batchIterator().next();
        if (!batch.isValid()) throw corrupt(h, "CRC mismatch");
        return batch;
    }

    /**
     * The first record at or after {@code startingOffset} whose timestamp is {@code >= timestamp}, or null.
     * Kafka's semantics: the time index gives a starting point, batch max timestamps skip, records decide.
     */
    TimestampOffset findOffsetByTimestamp(long timestamp, long startingOffset) throws IOException {
        int limit = size;
        TimeIndex.Entry te = indexes.timeIndex().lookup(timestamp);
        long pos = offsetIndex.lookup(Math.max(te.offset(), startingOffset)).position();
        while (pos < limit) {
            BatchHeader h = readValidHeader(pos, limit);
            if (h.maxTimestamp() >= timestamp && h.lastOffset() >= startingOffset) {
                RecordBatch batch = readBatch(h);
                for (Record r : batch) {
                    long ts = batch.timestampType() == TimestampType.LOG_APPEND_TIME
                            ? batch.maxTimestamp()
                            : r.timestamp();
                    if (ts >= timestamp && r.offset() >= startingOffset)
                        return new TimestampOffset(ts, r.offset(), batch.partitionLeaderEpoch());
                }
            }
            pos = h.nextPosition();
        }
        return null;
    }

    /** The first record carrying this segment's max timestamp, or null when no batch has a timestamp. */
    TimestampOffset maxTimestampAndOffset() throws IOException {
        long maxTs = indexes.maxTimestampSoFar();
        if (maxTs < 0) return null;
        return findOffsetByTimestamp(maxTs, indexes.offsetOfMaxTimestampSoFar());
    }

    /** Header of the last batch, or null when empty. Scans from the last index entry. */
    BatchHeader lastBatch() throws IOException {
        int limit = size;
        long pos = offsetIndex.lastEntry().position();
        BatchHeader last = null;
        while (pos < limit) {
            last = readValidHeader(pos, limit);
            pos = last.nextPosition();
        }
        return last;
    }

    /** Offset after the last batch, or the base offset when empty. */
    long readNextOffset() throws IOException {
        BatchHeader last = lastBatch();
        return last == null ? baseOffset : last.nextOffset();
    }

    // ------------------------------------------------------------------------------------------------ recovery

    /**
     * Recovery ({@link SegmentRecovery}) found valid batches up to {@code validBytes}: cuts the file there if it is
     * longer, and marks those bytes as verified.
     */
    void recovered(int validBytes) throws IOException {
        if (channel.size() > validBytes) channel.truncate(validBytes);
        size = validBytes;
        tail.cutTo(validBytes);
        verifiedPosition.set(validBytes);
        firstBatchTimestamp = Long.MIN_VALUE;
    }

    // ------------------------------------------------------------------------------------------------ truncation

    /**
     * Drops the batch holding {@code offset} and everything after it, and the aborted transactions whose marker was
     * in them. Returns the number of bytes removed.
     */
    int truncateTo(long offset, long nowMs) throws IOException {
        BatchHeader h = findBatch(offset, size);
        if (h == null) {
            indexes.txnIndex().truncateTo(offset);
            return 0;
        }
        int newSize = (int) h.position();
        int removed = size - newSize;
        long pos = indexes.truncateTo(h.baseOffset());
        channel.truncate(newSize);
        size = newSize;
        tail.cutTo(newSize);
        verifiedPosition.accumulateAndGet(newSize, Math::min);
        // recompute the running maximum from the surviving tail
        while (pos < newSize) {
            BatchHeader b = readValidHeader(pos, newSize);
            indexes.observe(b);
            pos = b.nextPosition();
        }
        indexes.truncatedTo(newSize);
        if (newSize == 0) {
            createdMs = nowMs;
            firstBatchTimestamp = Long.MIN_VALUE;
        }
        return removed;
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /** Maps the indexes at full size for appending (the segment is, or again is, the active one). */
    void makeActive(int maxIndexSize) throws IOException {
        indexes.makeActive(maxIndexSize);
    }

    /**
     * The segment is no longer active: final time index entry, indexes trimmed to their entries, and the zeros
     * written ahead of the appends cut off, durably (a segment below the recovery point is not scanned at the next
     * start, so its file must end where its batches do).
     */
    void onBecomeInactive() throws IOException {
        indexes.onBecomeInactive();
        tail.cutBack(channel, logFile, size);
    }

    /** Durable mode, under the log lock: the file extends past {@code end} with zeros ({@link ZeroFilledTail}). */
    void zeroFillAhead(long end, int maxBytes) throws IOException {
        tail.ensure(channel, end, size, maxBytes);
    }

    void trimIndexes() throws IOException {
        indexes.trim();
    }

    /** fsyncs the log data (and the indexes if they changed since their last flush). */
    void flush() throws IOException {
        flushData();
        indexes.flush();
    }

    /**
     * fsyncs the log data and the transaction index, not the offset and time indexes: the active segment at a group
     * commit (see {@link GroupCommit.FsyncPlan}).
     */
    void flushData() throws IOException {
        // the data as the fsync starts; past it, zeros written ahead (a power cut keeps them zeros)
        SyncJournal.force(channel, logFile, false, size);
        indexes.flushTransactionIndex();
    }

    void flushIndexes() throws IOException {
        indexes.flush();
    }

    /** Renames all files with the {@code .deleted} suffix; the channel stays open for slices already handed out. */
    void renameForDeletion() throws IOException {
        changeSuffix("", DELETED_SUFFIX);
    }

    /**
     * Renames every file of the segment from {@code <name><from>} to {@code <name><to>}: the index files first, the
     * log file last, so that the log file's name tells the loader how far a rename got ({@link SegmentSwap}). Open
     * channels and mappings stay valid.
     */
    void changeSuffix(String from, String to) throws IOException {
        indexes.changeSuffix(from, to);
        Path target = withSuffix(logFile, from, to);
        // an older segment of the same base may still wait for its delayed deletion under the .deleted name
        Files.move(logFile, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        logFile = target;
    }

    /** {@code file} with its name's {@code from} suffix replaced by {@code to}. */
    static Path withSuffix(Path file, String from, String to) {
        String name = file.getFileName().toString();
        if (!name.endsWith(from)) throw new IllegalStateException(file + " does not end with " + from);
        return file.resolveSibling(name.substring(0, name.length() - from.length()) + to);
    }

    /** Sets the log file's modification time (a cleaned segment keeps the time of the last segment it replaces). */
    void setLastModified(long ms) throws IOException {
        Files.setLastModifiedTime(logFile, java.nio.file.attribute.FileTime.fromMillis(ms));
    }

    long lastModified() {
        try {
            return Files.getLastModifiedTime(logFile).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Closes and deletes the files (under their current names). */
    void closeAndDelete() throws IOException {
        IOException first = null;
        try {
            channel.close();
        } catch (IOException e) {
            first = e;
        }
        indexes.closeAndDelete();
        Files.deleteIfExists(logFile);
        if (first != null) throw first;
    }

    /** Clean close: indexes trimmed and flushed, files closed (call {@link #onBecomeInactive} first on the active segment). */
    @Override
    public void close() throws IOException {
        if (!channel.isOpen()) return;
        indexes.close();
        channel.close();
    }

    /** Closes without touching the files (the segment is being abandoned). */
    void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a channel we are abandoning
        }
        indexes.closeQuietly();
    }

    @Override
    public String toString() {
        return "LogSegment(baseOffset=" + baseOffset + ", size=" + size + ", file=" + logFile + ")";
    }
}
