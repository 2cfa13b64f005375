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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ObjIntConsumer;
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
 * appended, {@code <baseOffset>.index} (sparse offset index) and {@code <baseOffset>.timeindex} (sparse time index).
 *
 * <p>Thread-safety: the owning {@link PartitionLog} serialises every mutation (append, truncate, roll, close).
 * Readers run concurrently with the writer without locks: they bound themselves by a size they read first
 * ({@link #size()} is published after the bytes are written, before the index entries that point into them),
 * and only use positional reads on the channel.
 */
final class LogSegment implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(LogSegment.class);

    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String DELETED_SUFFIX = ".deleted";

    private static final ThreadLocal<ByteBuffer> HEADER_BUF =
            ThreadLocal.withInitial(() -> ByteBuffer.allocate(BatchHeader.HEADER_SIZE));
    private static final ThreadLocal<ByteBuffer> CRC_BUF =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(64 * 1024));

    private final long baseOffset;
    private volatile Path logFile;
    private final FileChannel channel;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    /** Bytes of whole batches in the file; readers never look past it. */
    private volatile int size;
    /** Bytes from the start whose batches are known to pass CRC (checked on append, recovery, or a read). */
    private final AtomicInteger verifiedPosition = new AtomicInteger();

    private int bytesSinceLastIndexEntry;
    private volatile long maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
    private volatile long offsetOfMaxTimestampSoFar;
    private long createdMs;
    /** Max timestamp of the first batch, for time-based rolling; Long.MIN_VALUE = not loaded yet. */
    private long firstBatchTimestamp = Long.MIN_VALUE;

    private volatile boolean indexesNeedFlush;
    /** Index file size used when the indexes are (re)mapped for appending. */
    private int maxIndexBytes;

    private LogSegment(
            long baseOffset,
            Path logFile,
            FileChannel channel,
            OffsetIndex offsetIndex,
            TimeIndex timeIndex,
            int size,
            long nowMs,
            int maxIndexBytes) {
        this.baseOffset = baseOffset;
        this.maxIndexBytes = maxIndexBytes;
        this.logFile = logFile;
        this.channel = channel;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.size = size;
        this.createdMs = nowMs;
        this.offsetOfMaxTimestampSoFar = baseOffset;
    }

    static String filenamePrefix(long offset) {
        return String.format("%020d", offset);
    }

    static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + LOG_SUFFIX);
    }

    static Path indexFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + INDEX_SUFFIX);
    }

    static Path timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + TIME_INDEX_SUFFIX);
    }

    /** Creates a new empty segment (replacing leftover files of the same name). */
    static LogSegment create(Path dir, long baseOffset, int maxIndexSize, long nowMs) throws IOException {
        Path lf = logFile(dir, baseOffset);
        Files.deleteIfExists(indexFile(dir, baseOffset));
        Files.deleteIfExists(timeIndexFile(dir, baseOffset));
        FileChannel ch = FileChannel.open(
                lf,
                StandardOpenOption.CREATE,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        try {
            OffsetIndex oi = new OffsetIndex(indexFile(dir, baseOffset), baseOffset, maxIndexSize, true);
            TimeIndex ti = new TimeIndex(timeIndexFile(dir, baseOffset), baseOffset, maxIndexSize, true);
            return new LogSegment(baseOffset, lf, ch, oi, ti, 0, nowMs, maxIndexSize);
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
     * As above; {@code willRecover} skips the index check and rebuild because {@link #recover} rebuilds the indexes
     * anyway (an active segment's indexes are preallocated after a crash, which is expected, not a warning).
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
            Path ip = indexFile(dir, baseOffset);
            Path tp = timeIndexFile(dir, baseOffset);
            boolean rebuild = !Files.exists(ip) || !Files.exists(tp);
            if (willRecover) {
                // content irrelevant: recovery rebuilds both; only the length must be whole entries to open them
                if (Files.exists(ip) && Files.size(ip) % OffsetIndex.ENTRY_SIZE != 0) Files.delete(ip);
                if (Files.exists(tp) && Files.size(tp) % TimeIndex.ENTRY_SIZE != 0) Files.delete(tp);
                OffsetIndex oi = new OffsetIndex(ip, baseOffset, maxIndexSize, true);
                TimeIndex ti = new TimeIndex(tp, baseOffset, maxIndexSize, true);
                return new LogSegment(baseOffset, lf, ch, oi, ti, (int) fileSize, nowMs, maxIndexSize);
            }
            if (!rebuild) {
                String problem = sanityCheckIndexFiles(ip, tp, baseOffset, fileSize);
                if (problem != null) {
                    log.warn("Rebuilding indexes of segment {}: {}", lf, problem);
                    rebuild = true;
                }
            }
            if (rebuild) {
                Files.deleteIfExists(ip);
                Files.deleteIfExists(tp);
            }
            OffsetIndex oi = new OffsetIndex(ip, baseOffset, maxIndexSize, active || rebuild);
            TimeIndex ti = new TimeIndex(tp, baseOffset, maxIndexSize, active || rebuild);
            LogSegment seg = new LogSegment(baseOffset, lf, ch, oi, ti, (int) fileSize, nowMs, maxIndexSize);
            if (rebuild) {
                seg.rebuildIndexesFromHeaders(indexIntervalBytes);
                if (!active) seg.trimIndexes();
            } else {
                TimeIndex.Entry last = ti.entries() > 0 ? ti.lastEntry() : null;
                if (last != null) {
                    seg.maxTimestampSoFar = last.timestamp();
                    seg.offsetOfMaxTimestampSoFar = last.offset();
                }
                seg.bytesSinceLastIndexEntry = (int) fileSize - oi.lastEntry().position();
            }
            return seg;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Cheap check of an existing index pair without mapping it: whole entries, last entries inside the segment. */
    private static String sanityCheckIndexFiles(Path ip, Path tp, long baseOffset, long logSize) throws IOException {
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

    OffsetIndex offsetIndex() {
        return offsetIndex;
    }

    TimeIndex timeIndex() {
        return timeIndex;
    }

    long maxTimestampSoFar() {
        return maxTimestampSoFar;
    }

    long offsetOfMaxTimestampSoFar() {
        return offsetOfMaxTimestampSoFar;
    }

    /** Largest timestamp for retention: the max timestamp, or the file's modification time when no batch has one. */
    long largestTimestampForRetention() {
        long ts = maxTimestampSoFar;
        if (ts >= 0) return ts;
        try {
            return Files.getLastModifiedTime(logFile).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    boolean indexesFull(int batches) {
        return offsetIndex.entries() + batches > offsetIndex.maxEntries()
                || timeIndex.entries() + batches > timeIndex.maxEntries() - 1;
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
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        boolean wasVerified = verifiedPosition.get() == start;
        size = start + length;
        if (wasVerified) verifiedPosition.compareAndSet(start, start + length);
        if (start == 0 && !batches.isEmpty())
            firstBatchTimestamp = batches.get(0).maxTimestamp();
        for (BatchHeader b : batches) indexBatch(b, (int) (start + b.position()), indexIntervalBytes);
    }

    private void indexBatch(BatchHeader b, int position, int indexIntervalBytes) {
        if (b.maxTimestamp() > maxTimestampSoFar) {
            maxTimestampSoFar = b.maxTimestamp();
            offsetOfMaxTimestampSoFar = b.baseOffset();
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            if (!offsetIndex.isFull()) offsetIndex.append(b.baseOffset(), position);
            if (!timeIndex.isFull()) timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar, false);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += b.sizeInBytes();
    }

    // ------------------------------------------------------------------------------------------------ read

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
        TimeIndex.Entry te = timeIndex.lookup(timestamp);
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
        long maxTs = maxTimestampSoFar;
        if (maxTs < 0) return null;
        return findOffsetByTimestamp(maxTs, offsetOfMaxTimestampSoFar);
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

    /** Result of {@link #recover}: where the valid data ends and why it stopped early, if it did. */
    record RecoveryResult(int validBytes, int truncatedBytes, long nextOffset, String problem, long problemOffset) {}

    /**
     * Validates every batch from the start (structure, offsets increasing from the base offset, CRC-32C), rebuilds
     * both indexes, and truncates the file at the first invalid or torn batch. {@code onBatch} sees each valid batch
     * (for the leader-epoch cache).
     */
    RecoveryResult recover(int indexIntervalBytes, ObjIntConsumer<BatchHeader> onBatch) throws IOException {
        offsetIndex.resize(maxIndexBytes);
        timeIndex.resize(maxIndexBytes);
        offsetIndex.reset();
        timeIndex.reset();
        maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = baseOffset;
        bytesSinceLastIndexEntry = 0;
        long fileSize = channel.size();
        int limit = (int) Math.min(fileSize, Integer.MAX_VALUE);
        long pos = 0;
        long expectedNext = baseOffset;
        String problem = null;
        long problemOffset = -1;
        while (pos < limit) {
            if (limit - pos < BatchHeader.HEADER_SIZE) {
                problem = "torn batch header (" + (limit - pos) + " bytes)";
                break;
            }
            BatchHeader h = readHeader(pos);
            if (h == null) {
                problem = "torn batch header";
                break;
            }
            problemOffset = h.baseOffset();
            if (!h.isStructurallyValid()) {
                problem = "invalid batch header (magic " + h.magic() + ", size " + h.sizeInBytes()
                        + ", last offset delta " + h.lastOffsetDelta() + ")";
                break;
            }
            if (h.nextPosition() > limit) {
                problem = "torn batch (" + (limit - pos) + " of " + h.sizeInBytes() + " bytes)";
                break;
            }
            if (h.baseOffset() < expectedNext || h.lastOffset() - baseOffset > Integer.MAX_VALUE) {
                problem = "batch offsets " + h.baseOffset() + ".." + h.lastOffset()
                        + " out of order (expected at least " + expectedNext + ")";
                break;
            }
            if (!crcMatches(h)) {
                problem = "CRC mismatch";
                break;
            }
            indexBatch(h, (int) pos, indexIntervalBytes);
            onBatch.accept(h, (int) pos);
            expectedNext = h.nextOffset();
            pos = h.nextPosition();
            problemOffset = -1;
        }
        int truncated = (int) (fileSize - pos);
        if (truncated > 0) channel.truncate(pos);
        size = (int) pos;
        verifiedPosition.set((int) pos);
        firstBatchTimestamp = Long.MIN_VALUE;
        if (problem == null && truncated > 0) problem = "trailing bytes";
        return new RecoveryResult((int) pos, truncated, expectedNext, problem, problemOffset);
    }

    /** Rebuilds the indexes by scanning batch headers (no CRC): used when index files are missing or insane. */
    private void rebuildIndexesFromHeaders(int indexIntervalBytes) throws IOException {
        offsetIndex.reset();
        timeIndex.reset();
        int limit = size;
        long pos = 0;
        while (pos + BatchHeader.HEADER_SIZE <= limit) {
            BatchHeader h = readHeader(pos);
            if (h == null || !h.isStructurallyValid() || h.nextPosition() > limit) break;
            indexBatch(h, (int) pos, indexIntervalBytes);
            pos = h.nextPosition();
        }
        indexesNeedFlush = true;
    }

    // ------------------------------------------------------------------------------------------------ truncation

    /**
     * Drops the batch holding {@code offset} and everything after it. Returns the number of bytes removed.
     */
    int truncateTo(long offset, long nowMs) throws IOException {
        BatchHeader h = findBatch(offset, size);
        if (h == null) return 0;
        int newSize = (int) h.position();
        int removed = size - newSize;
        offsetIndex.truncateTo(h.baseOffset());
        timeIndex.truncateTo(h.baseOffset());
        channel.truncate(newSize);
        size = newSize;
        verifiedPosition.accumulateAndGet(newSize, Math::min);
        // recompute the running maximum and the bytes since the last index entry from the surviving tail
        TimeIndex.Entry te = timeIndex.lastEntry();
        maxTimestampSoFar = te.timestamp();
        offsetOfMaxTimestampSoFar = te.offset();
        OffsetIndex.Entry oe = offsetIndex.lastEntry();
        long pos = Math.min(oe.position(), offsetIndex.lookup(te.offset()).position());
        while (pos < newSize) {
            BatchHeader b = readValidHeader(pos, newSize);
            if (b.maxTimestamp() > maxTimestampSoFar) {
                maxTimestampSoFar = b.maxTimestamp();
                offsetOfMaxTimestampSoFar = b.baseOffset();
            }
            pos = b.nextPosition();
        }
        bytesSinceLastIndexEntry = newSize - oe.position();
        if (newSize == 0) {
            createdMs = nowMs;
            firstBatchTimestamp = Long.MIN_VALUE;
            bytesSinceLastIndexEntry = 0;
        }
        indexesNeedFlush = true;
        return removed;
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /** Maps the indexes at full size for appending (the segment is, or again is, the active one). */
    void makeActive(int maxIndexSize) throws IOException {
        this.maxIndexBytes = maxIndexSize;
        offsetIndex.resize(maxIndexSize);
        timeIndex.resize(maxIndexSize);
    }

    /** The segment is no longer active: final time index entry, indexes trimmed to their entries. */
    void onBecomeInactive() throws IOException {
        timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar, true);
        trimIndexes();
    }

    void trimIndexes() throws IOException {
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
        indexesNeedFlush = true;
    }

    /** fsyncs the log data (and the indexes if they changed since their last flush). */
    void flush() throws IOException {
        channel.force(false);
        if (indexesNeedFlush) {
            indexesNeedFlush = false;
            offsetIndex.flush();
            timeIndex.flush();
        }
    }

    void flushIndexes() {
        if (indexesNeedFlush) {
            indexesNeedFlush = false;
            offsetIndex.flush();
            timeIndex.flush();
        }
    }

    /** Renames all files with the {@code .deleted} suffix; the channel stays open for slices already handed out. */
    void renameForDeletion() throws IOException {
        Path target = logFile.resolveSibling(logFile.getFileName() + DELETED_SUFFIX);
        Files.move(logFile, target);
        logFile = target;
        offsetIndex.renameTo(
                offsetIndex.file().resolveSibling(offsetIndex.file().getFileName() + DELETED_SUFFIX));
        timeIndex.renameTo(timeIndex.file().resolveSibling(timeIndex.file().getFileName() + DELETED_SUFFIX));
    }

    /** Closes and deletes the files (under their current names). */
    void closeAndDelete() throws IOException {
        IOException first = null;
        try {
            channel.close();
        } catch (IOException e) {
            first = e;
        }
        offsetIndex.closeAndDelete();
        timeIndex.closeAndDelete();
        Files.deleteIfExists(logFile);
        if (first != null) throw first;
    }

    /** Clean close: indexes trimmed and flushed, files closed (call {@link #onBecomeInactive} first on the active segment). */
    @Override
    public void close() throws IOException {
        if (!channel.isOpen()) return;
        offsetIndex.close();
        timeIndex.close();
        channel.close();
    }

    /** Closes without touching the files (the segment is being abandoned). */
    void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a channel we are abandoning
        }
        try {
            offsetIndex.close(false);
            timeIndex.close(false);
        } catch (IOException ignored) {
            // same
        }
    }

    @Override
    public String toString() {
        return "LogSegment(baseOffset=" + baseOffset + ", size=" + size + ", file=" + logFile + ")";
    }
}
