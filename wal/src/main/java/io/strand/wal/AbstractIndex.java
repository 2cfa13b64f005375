package io.strand.wal;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.internals.ByteBufferUnmapper;

/**
 * A sparse index of fixed-size entries in a memory-mapped file, sorted by offset. Derived data: rebuilt from the
 * log on recovery, never trusted over it.
 *
 * <p>Thread-safety: one writer (the log's appending thread, or the recovery thread) appends and truncates; any
 * number of readers look up concurrently. Readers see entries through the volatile entry count. The mapping is
 * created lazily (indexes of old segments cost no address space until read), and it is only replaced or unmapped
 * (resize, close) under the write lock, so a lookup never touches an unmapped buffer. Appends and lookups take the
 * read lock only, so readers never block the writer.
 */
abstract class AbstractIndex<E> implements Closeable {
    protected final long baseOffset;
    private final int entrySize;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile Path file;
    private volatile MappedByteBuffer mmap;
    private volatile int entries;
    /** Entries that fit in the file and the mapping as currently sized. */
    private volatile int capacity;
    /** Entries allowed at most ({@code log.index.size.max.bytes}); the file grows towards it as entries arrive. */
    private volatile int maxEntries;

    private volatile boolean closed;
    /** The writer's copy of the last entry (null = read it from the file); only the writer uses it. */
    private E writerLast;

    /**
     * Size a writable index starts at. Files grow by doubling up to {@code log.index.size.max.bytes} instead of
     * being preallocated at full size: the first page fault in a large sparse mapping costs milliseconds on ext4
     * (read-around over the hole), which thousands of partitions would pay at once.
     */
    static final int INITIAL_SIZE = 4096;

    /**
     * Opens (creating if absent) an index. An existing file must hold whole entries; all of them count (the caller
     * checks or rebuilds them). A {@code writable} index may grow to {@code maxIndexSize}; a read-only one is mapped
     * lazily at its length.
     */
    protected AbstractIndex(Path file, long baseOffset, int entrySize, int maxIndexSize, boolean writable)
            throws IOException {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        boolean existed = Files.exists(file);
        long length = existed ? Files.size(file) : 0;
        if (length % entrySize != 0)
            throw new CorruptIndexException(
                    "Index file " + file + " has length " + length + ", not a multiple of " + entrySize);
        this.entries = (int) (length / entrySize);
        if (writable || !existed) {
            int max = Math.max(roundDown(maxIndexSize), (int) length);
            int size = Math.max((int) length, Math.min(roundDown(INITIAL_SIZE), max));
            if (size != length) setLength(size);
            this.maxEntries = max / entrySize;
            this.capacity = size / entrySize;
            this.mmap = map(size);
        } else {
            this.maxEntries = entries;
            this.capacity = entries;
        }
    }

    protected final int entrySize() {
        return entrySize;
    }

    Path file() {
        return file;
    }

    int entries() {
        return entries;
    }

    int maxEntries() {
        return maxEntries;
    }

    boolean isFull() {
        return entries >= maxEntries;
    }

    long sizeInBytes() {
        return (long) entries * entrySize;
    }

    private int roundDown(int size) {
        return size - size % entrySize;
    }

    private void setLength(long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
    }

    private MappedByteBuffer map(long size) throws IOException {
        try (FileChannel ch =
                FileChannel.open(file, java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
        }
    }

    /** The mapping; call with the read lock held. Maps lazily. */
    protected final MappedByteBuffer buffer() {
        MappedByteBuffer m = mmap;
        if (m == null) {
            synchronized (this) {
                m = mmap;
                if (m == null) {
                    if (closed) throw new KafkaStorageException("Index " + file + " is closed");
                    try {
                        m = map((long) capacity * entrySize);
                    } catch (IOException e) {
                        throw new KafkaStorageException("Cannot map index " + file, e);
                    }
                    mmap = m;
                }
            }
        }
        return m;
    }

    protected final void readLock() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw new KafkaStorageException("Index " + file + " is closed");
        }
    }

    protected final void readUnlock() {
        lock.readLock().unlock();
    }

    /** Appends one entry, growing the file if needed; the caller (the writer) has checked ordering and fullness. */
    protected final void appendEntry(Writer w) {
        int n = entries;
        if (n >= maxEntries) throw new IllegalStateException("Index " + file + " is full (" + n + " entries)");
        if (n >= capacity) grow();
        readLock();
        try {
            w.write(buffer(), n * entrySize);
            entries = n + 1;
        } finally {
            readUnlock();
        }
    }

    /** Doubles the file and the mapping (up to the maximum); readers wait for the remap. */
    private void grow() {
        lock.writeLock().lock();
        try {
            if (closed) throw new KafkaStorageException("Index " + file + " is closed");
            long size = Math.min(
                    (long) maxEntries * entrySize, Math.max((long) capacity * entrySize * 2, roundDown(INITIAL_SIZE)));
            remap(size);
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot grow index " + file, e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Write lock held. */
    private void remap(long size) throws IOException {
        unmap();
        setLength(size);
        capacity = (int) (size / entrySize);
        mmap = map(size);
    }

    @FunctionalInterface
    protected interface Writer {
        void write(MappedByteBuffer buf, int position);
    }

    /** Keeps the first {@code n} entries. */
    protected final void truncateToEntries(int n) {
        if (n < entries) entries = Math.max(0, n);
    }

    /** Drops every entry. */
    void reset() {
        entries = 0;
        writerLast = null;
    }

    /** Drops entries for offsets at or above {@code offset}. */
    void truncateTo(long offset) {
        readLock();
        try {
            truncateToEntries(smallestUpperBound(buffer(), entries(), offset - baseOffset, this::relativeOffset));
            writerLast = null;
        } finally {
            readUnlock();
        }
    }

    /** The offset, relative to {@code baseOffset}, of the entry at {@code position}. */
    protected abstract long relativeOffset(MappedByteBuffer buf, int position);

    /** The last entry, read from the file (an empty index gives its base entry). */
    abstract E lastEntry();

    /** The last entry appended, from the writer's copy when it has one; only the writer calls it. */
    protected final E lastAppended() {
        return writerLast != null ? writerLast : lastEntry();
    }

    /** Remembers the entry just appended; only the writer calls it. */
    protected final void appended(E entry) {
        writerLast = entry;
    }

    /**
     * Binary search: the index of the last entry whose key (given by {@code keyAt}) is {@code <= target}, or -1.
     * Call with the read lock held.
     */
    protected final int largestLowerBound(MappedByteBuffer buf, int n, long target, KeyReader keyAt) {
        if (n == 0 || keyAt.key(buf, 0) > target) return -1;
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (keyAt.key(buf, mid * entrySize) <= target) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /** The index of the first entry whose key is {@code >= target}, or n. Call with the read lock held. */
    protected final int smallestUpperBound(MappedByteBuffer buf, int n, long target, KeyReader keyAt) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (keyAt.key(buf, mid * entrySize) < target) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    @FunctionalInterface
    protected interface KeyReader {
        long key(MappedByteBuffer buf, int position);
    }

    /**
     * Sets the maximum size: {@code log.index.size.max.bytes} when the segment becomes (again) the active one, the
     * entries alone when it stops being active (then the file is trimmed to them).
     */
    void resize(int newMaxSize) throws IOException {
        lock.writeLock().lock();
        try {
            if (closed) return;
            int max = Math.max(roundDown(newMaxSize), entries * entrySize);
            maxEntries = max / entrySize;
            long size = Math.max((long) entries * entrySize, Math.min(roundDown(INITIAL_SIZE), max));
            if (mmap != null && size == (long) capacity * entrySize) return;
            remap(size);
        } finally {
            lock.writeLock().unlock();
        }
    }

    void trimToValidSize() throws IOException {
        resize(entries * entrySize);
    }

    void flush() {
        readLock();
        try {
            MappedByteBuffer m = mmap;
            if (m != null) SyncJournal.force(m, file, (long) entries * entrySize);
        } finally {
            readUnlock();
        }
    }

    void renameTo(Path target) throws IOException {
        if (Files.exists(file)) Files.move(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        file = target;
    }

    private void unmap() throws IOException {
        MappedByteBuffer m = mmap;
        mmap = null;
        if (m != null) ByteBufferUnmapper.unmap(file.toString(), m);
    }

    /** Trims the file to its entries (when {@code trim}) and unmaps it. */
    void close(boolean trim) throws IOException {
        lock.writeLock().lock();
        try {
            if (closed) return;
            if (trim && mmap != null) {
                SyncJournal.force(mmap, file, (long) entries * entrySize);
                unmap();
                setLength((long) entries * entrySize);
            } else {
                unmap();
            }
            closed = true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void close() throws IOException {
        close(true);
    }

    void closeAndDelete() throws IOException {
        close(false);
        Files.deleteIfExists(file);
    }

    /** Thrown when an index file fails its sanity check; the caller rebuilds it from the log. */
    static final class CorruptIndexException extends IOException {
        CorruptIndexException(String message) {
            super(message);
        }
    }
}
