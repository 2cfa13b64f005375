package io.strand.wal;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Sparse time index of one segment: 12-byte entries (largest timestamp so far as a big-endian long, the base offset
 * of the batch where that timestamp was first reached relative to the segment's base offset as an int), timestamps
 * strictly increasing. Written alongside the offset index, plus a final entry when the segment is closed, so the
 * last entry holds the segment's largest timestamp. Thread-safety as in {@link AbstractIndex}.
 */
final class TimeIndex extends AbstractIndex<TimeIndex.Entry> {
    static final int ENTRY_SIZE = 12;

    record Entry(long timestamp, long offset) {}

    TimeIndex(Path file, long baseOffset, int maxIndexSize, boolean writable) throws IOException {
        super(file, baseOffset, ENTRY_SIZE, maxIndexSize, writable);
    }

    private static long timestamp(MappedByteBuffer b, int pos) {
        return b.getLong(pos);
    }

    private static long relOffset(MappedByteBuffer b, int pos) {
        return b.getInt(pos + 8);
    }

    @Override
    protected long relativeOffset(MappedByteBuffer b, int pos) {
        return relOffset(b, pos);
    }

    /** Keeps one slot free for the entry written when the segment is closed. */
    @Override
    boolean isFull() {
        return entries() >= maxEntries() - 1;
    }

    private Entry entryAt(MappedByteBuffer b, int slot) {
        int pos = slot * ENTRY_SIZE;
        return new Entry(b.getLong(pos), baseOffset + b.getInt(pos + 8));
    }

    /** The last entry, or (NO_TIMESTAMP, baseOffset) when empty. */
    @Override
    Entry lastEntry() {
        readLock();
        try {
            int n = entries();
            if (n == 0) return new Entry(RecordBatch.NO_TIMESTAMP, baseOffset);
            return entryAt(buffer(), n - 1);
        } finally {
            readUnlock();
        }
    }

    /** The last entry whose timestamp is {@code <= timestamp}, or (NO_TIMESTAMP, baseOffset). */
    Entry lookup(long timestamp) {
        readLock();
        try {
            MappedByteBuffer b = buffer();
            int slot = largestLowerBound(b, entries(), timestamp, TimeIndex::timestamp);
            if (slot < 0) return new Entry(RecordBatch.NO_TIMESTAMP, baseOffset);
            return entryAt(b, slot);
        } finally {
            readUnlock();
        }
    }

    /** Appends (timestamp, offset) if the timestamp is larger than the last entry's; {@code force} ignores fullness. */
    void maybeAppend(long timestamp, long offset, boolean force) {
        if (timestamp < 0) return;
        long rel = offset - baseOffset;
        if (rel < 0 || rel > Integer.MAX_VALUE)
            throw new IllegalArgumentException("Offset " + offset + " does not fit time index with base " + baseOffset);
        if (entries() > 0) {
            Entry last = lastAppended();
            if (timestamp <= last.timestamp()) return;
            if (offset < last.offset())
                throw new IllegalArgumentException("Time index entry (" + timestamp + ", " + offset
                        + ") before last entry " + last + " in " + file());
        }
        if (!force && isFull()) throw new IllegalStateException("Time index " + file() + " is full");
        if (entries() >= maxEntries()) return;
        appendEntry((b, p) -> {
            b.putLong(p, timestamp);
            b.putInt(p + 8, (int) rel);
        });
        appended(new Entry(timestamp, offset));
    }

    void sanityCheck() throws CorruptIndexException {
        readLock();
        try {
            MappedByteBuffer b = buffer();
            int n = entries();
            long prevTs = Long.MIN_VALUE;
            long prevOff = -1;
            for (int i = 0; i < n; i++) {
                long ts = b.getLong(i * ENTRY_SIZE);
                long rel = b.getInt(i * ENTRY_SIZE + 8);
                if (ts <= prevTs || rel < prevOff || rel < 0)
                    throw new CorruptIndexException(
                            "Time index " + file() + " entry " + i + " (" + ts + ", " + rel + ") is out of order");
                prevTs = ts;
                prevOff = rel;
            }
        } finally {
            readUnlock();
        }
    }
}
