package io.strand.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aborted-transaction index of one segment, {@code <baseOffset>.txnindex}, in Kafka's format: 34-byte big-endian
 * entries {@code (int16 version = 0, int64 producerId, int64 firstOffset, int64 lastOffset, int64 lastStableOffset)}
 * ({@link AbortedTxn}), one per aborted transaction whose ABORT marker ({@code lastOffset}) lies in the segment, in
 * increasing {@code lastOffset} order. A transaction may start in an earlier segment ({@code firstOffset} below the
 * base offset).
 *
 * <p>Unlike the offset and time indexes it cannot be rebuilt from the segment's batches (a transaction's first offset
 * comes from the producer state, which the broker keeps), so recovery and index rebuilds keep it and only cut the
 * entries beyond the recovered data ({@link #truncateTo}). The file is created by the first entry: a segment without
 * aborted transactions (every segment of an older log) has no file and holds no file descriptor for it.
 *
 * <p>Opening reads the file once: every entry is checked (version 0, {@code firstOffset <= lastOffset}, last offset
 * inside the segment and above the previous entry's) and the file is cut, with a warning, at the first entry that
 * fails or is incomplete (a torn write). The size, the last entry's {@code lastOffset} and the smallest
 * {@code firstOffset} stay in memory, so that readers skip an index that cannot match without reading it and the
 * writer recognises entries it already has.
 *
 * <p>Thread-safety: one writer at a time (the holder of the owning log's lock, or the thread loading the log) appends,
 * truncates, renames and closes; the fsync pass may {@link #flush} concurrently. Readers ({@link #collect}) take no
 * lock: they read the published size first and only whole entries below it; the writer writes the bytes and the
 * in-memory bounds before it publishes a larger size, and lowers the size before it cuts the file. A read that races
 * a truncation sees the entries before or after it.
 */
final class TransactionIndex implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(TransactionIndex.class);

    static final String SUFFIX = ".txnindex";
    static final int ENTRY_SIZE = 34;
    static final short VERSION = 0;
    private static final int READ_CHUNK = ENTRY_SIZE * 240;

    private final long baseOffset;
    private volatile Path file;
    /** Open while the file has (or had, since it was opened) entries; null before the first one. */
    private volatile FileChannel channel;
    /** Bytes of whole valid entries; readers never read past it. */
    private volatile long size;
    /** The last entry's lastOffset, -1 when empty. */
    private volatile long lastOffset = -1;
    /** The smallest firstOffset of the entries, Long.MAX_VALUE when empty. */
    private volatile long minFirstOffset = Long.MAX_VALUE;
    /** Written since the last flush (set by the writer after the bytes, cleared by the flush before it forces). */
    private volatile boolean needsFlush;

    private TransactionIndex(long baseOffset, Path file) {
        this.baseOffset = baseOffset;
        this.file = file;
    }

    static Path file(Path dir, long baseOffset) {
        return dir.resolve(LogSegment.filenamePrefix(baseOffset) + SUFFIX);
    }

    /** The (empty) index of a new segment; a leftover file of the same name is deleted. */
    static TransactionIndex create(Path dir, long baseOffset) throws IOException {
        return create(dir, baseOffset, "");
    }

    /** As {@link #create(Path, long)}, with {@code suffix} after the file name (the cleaner's segments). */
    static TransactionIndex create(Path dir, long baseOffset, String suffix) throws IOException {
        Path f = dir.resolve(file(dir, baseOffset).getFileName() + suffix);
        Files.deleteIfExists(f);
        return new TransactionIndex(baseOffset, f);
    }

    /** The index of an existing segment: its file read and checked if there is one, else empty. */
    static TransactionIndex open(Path dir, long baseOffset) throws IOException {
        TransactionIndex idx = new TransactionIndex(baseOffset, file(dir, baseOffset));
        if (Files.exists(idx.file)) idx.load();
        return idx;
    }

    private void load() throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long fileSize = ch.size();
            long valid = 0;
            long last = -1;
            long minFirst = Long.MAX_VALUE;
            String problem = null;
            Cursor c = new Cursor(ch, fileSize);
            while (c.next()) {
                problem = problem(c.version, c.txn, last);
                if (problem != null) break;
                valid = c.position + ENTRY_SIZE;
                last = c.txn.lastOffset();
                minFirst = Math.min(minFirst, c.txn.firstOffset());
            }
            if (valid < fileSize) {
                log.warn(
                        "Dropping {} bytes from position {} of transaction index {}: {}",
                        fileSize - valid,
                        valid,
                        file,
                        problem != null ? problem : "incomplete entry of " + (fileSize - valid) + " bytes");
                ch.truncate(valid);
            }
            size = valid;
            lastOffset = last;
            minFirstOffset = minFirst;
            if (valid == 0) ch.close();
            else channel = ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private String problem(short version, AbortedTxn t, long previousLastOffset) {
        if (version != VERSION) return "unknown entry version " + version;
        if (t.firstOffset() < 0 || t.firstOffset() > t.lastOffset())
            return "first offset " + t.firstOffset() + " is not in [0, last offset " + t.lastOffset() + "]";
        if (t.lastOffset() < baseOffset)
            return "last offset " + t.lastOffset() + " is below the segment's base offset " + baseOffset;
        if (t.lastOffset() <= previousLastOffset)
            return "last offset " + t.lastOffset() + " does not follow the previous entry's " + previousLastOffset;
        return null;
    }

    Path file() {
        return file;
    }

    /** The last entry's lastOffset, or -1 when the index is empty. */
    long lastOffset() {
        return lastOffset;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Whether entries were written or removed since the last {@link #flush} (tests). */
    boolean needsFlush() {
        return needsFlush;
    }

    // ------------------------------------------------------------------------------------------------ readers

    /**
     * Adds to {@code out}, in order, the entries with {@code lastOffset >= startOffset} and
     * {@code firstOffset < upperBoundOffset}. No lock; see the class comment.
     */
    void collect(long startOffset, long upperBoundOffset, List<AbortedTxn> out) throws IOException {
        long limit = size;
        if (limit == 0 || lastOffset < startOffset || minFirstOffset >= upperBoundOffset) return;
        Cursor c = new Cursor(channel, limit);
        while (c.next()) {
            AbortedTxn t = c.txn;
            if (t.lastOffset() >= startOffset && t.firstOffset() < upperBoundOffset) out.add(t);
        }
    }

    /** Every entry, in order. */
    List<AbortedTxn> entries() throws IOException {
        List<AbortedTxn> out = new ArrayList<>();
        collect(Long.MIN_VALUE, Long.MAX_VALUE, out);
        return out;
    }

    // ------------------------------------------------------------------------------------------------ writer

    /**
     * Appends an entry (the caller ignores entries it already has: {@code lastOffset} must be above
     * {@link #lastOffset()}); on an I/O error the file is cut back and the error rethrown. Returns whether the file was
     * created by this append (its directory then needs an fsync).
     */
    boolean append(AbortedTxn t) throws IOException {
        if (t.lastOffset() <= lastOffset || t.lastOffset() < baseOffset || t.firstOffset() > t.lastOffset())
            throw new IllegalArgumentException("Aborted transaction " + t
                    + " does not follow the last entry (last offset " + lastOffset + ") of " + file);
        FileChannel ch = channel;
        boolean created = false;
        if (ch == null) {
            created = !Files.exists(file);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            channel = ch;
        }
        ByteBuffer b = ByteBuffer.allocate(ENTRY_SIZE)
                .putShort(VERSION)
                .putLong(t.producerId())
                .putLong(t.firstOffset())
                .putLong(t.lastOffset())
                .putLong(t.lastStableOffset())
                .flip();
        long at = size;
        try {
            while (b.hasRemaining()) ch.write(b, at + b.position());
        } catch (IOException | RuntimeException e) {
            try {
                ch.truncate(at);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        lastOffset = t.lastOffset();
        minFirstOffset = Math.min(minFirstOffset, t.firstOffset());
        needsFlush = true;
        size = at + ENTRY_SIZE;
        return created;
    }

    /** Removes the entries with {@code lastOffset >= offset}; returns how many. */
    int truncateTo(long offset) throws IOException {
        if (lastOffset < offset) return 0;
        long limit = size;
        long cut = 0;
        long last = -1;
        long minFirst = Long.MAX_VALUE;
        Cursor c = new Cursor(channel, limit);
        while (c.next() && c.txn.lastOffset() < offset) {
            cut = c.position + ENTRY_SIZE;
            last = c.txn.lastOffset();
            minFirst = Math.min(minFirst, c.txn.firstOffset());
        }
        size = cut;
        channel.truncate(cut);
        lastOffset = last;
        minFirstOffset = minFirst;
        needsFlush = true;
        return (int) ((limit - cut) / ENTRY_SIZE);
    }

    /** fsyncs the file if an entry was written or removed since the last flush. */
    void flush() throws IOException {
        if (!needsFlush) return;
        needsFlush = false;
        FileChannel ch = channel;
        if (ch == null) return;
        try {
            SyncJournal.force(ch, file, false);
        } catch (IOException | RuntimeException e) {
            needsFlush = true;
            throw e;
        }
    }

    /** Renames the file (if there is one) by appending {@code suffix}; the channel stays valid. */
    void renameTo(String suffix) throws IOException {
        changeSuffix("", suffix);
    }

    /** Renames the file (if there is one yet) from {@code <name><from>} to {@code <name><to>}. */
    void changeSuffix(String from, String to) throws IOException {
        Path target = LogSegment.withSuffix(file, from, to);
        if (Files.exists(file)) Files.move(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        file = target;
    }

    /** Closes and deletes the file (under its current name). */
    void closeAndDelete() throws IOException {
        closeQuietly();
        Files.deleteIfExists(file);
    }

    /** Clean close: fsynced if changed, then closed. */
    @Override
    public void close() throws IOException {
        FileChannel ch = channel;
        if (ch == null || !ch.isOpen()) return;
        try {
            flush();
        } finally {
            ch.close();
        }
    }

    /** Closes without touching the file (the segment is being abandoned or deleted). */
    void closeQuietly() {
        FileChannel ch = channel;
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // abandoning the file
        }
    }

    @Override
    public String toString() {
        return "TransactionIndex(" + file + ", " + size / ENTRY_SIZE + " entries)";
    }

    /** Reads the whole entries of [0, limit) of a file in chunks, one at a time; stops early where the file ends. */
    private static final class Cursor {
        private final FileChannel ch;
        private final long limit;
        private final ByteBuffer buf;
        private long nextPosition;

        long position;
        short version;
        AbortedTxn txn;

        Cursor(FileChannel ch, long limit) {
            this.ch = ch;
            this.limit = limit - limit % ENTRY_SIZE;
            this.buf = ByteBuffer.allocate((int) Math.max(ENTRY_SIZE, Math.min(READ_CHUNK, this.limit)));
            buf.limit(0);
        }

        boolean next() throws IOException {
            if (buf.remaining() < ENTRY_SIZE) {
                if (nextPosition >= limit) return false;
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), limit - nextPosition));
                while (buf.hasRemaining()) {
                    if (ch.read(buf, nextPosition + buf.position()) < 0) break;
                }
                buf.flip();
                if (buf.remaining() < ENTRY_SIZE) return false; // the file is shorter (a racing truncation)
            }
            position = nextPosition;
            version = buf.getShort();
            txn = new AbortedTxn(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong());
            nextPosition += ENTRY_SIZE;
            return true;
        }
    }
}
