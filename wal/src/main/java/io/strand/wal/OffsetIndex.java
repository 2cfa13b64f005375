package io.strand.wal;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * Sparse offset index of one segment: 8-byte entries (base offset of a batch relative to the segment's base offset,
 * file position of that batch), both big-endian ints, in increasing order. An entry is added before a batch when at
 * least {@code log.index.interval.bytes} were appended since the previous one. A lookup gives the position of the
 * last indexed batch at or before an offset; the reader scans batch headers from there.
 * Thread-safety as in {@link AbstractIndex}.
 */
final class OffsetIndex extends AbstractIndex<OffsetIndex.Entry> {
    static final int ENTRY_SIZE = 8;

    /** An index entry or lookup result: absolute offset and file position. */
    record Entry(long offset, int position) {}

    OffsetIndex(Path file, long baseOffset, int maxIndexSize, boolean writable) throws IOException {
        super(file, baseOffset, ENTRY_SIZE, maxIndexSize, writable);
    }

    private static long relOffset(MappedByteBuffer b, int pos) {
        return b.getInt(pos);
    }

    @Override
    protected long relativeOffset(MappedByteBuffer b, int pos) {
        return relOffset(b, pos);
    }

    /** The last entry at or below {@code offset}, or (baseOffset, 0) when there is none. */
    Entry lookup(long offset) {
        readLock();
        try {
            MappedByteBuffer b = buffer();
            int slot = largestLowerBound(b, entries(), offset - baseOffset, OffsetIndex::relOffset);
            if (slot < 0) return new Entry(baseOffset, 0);
            return entryAt(b, slot);
        } finally {
            readUnlock();
        }
    }

    private static long position(MappedByteBuffer b, int pos) {
        return b.getInt(pos + 4);
    }

    /**
     * The last entry whose position is {@code <= maxPosition} and whose offset is {@code <= maxOffset}, or null.
     * Positions and offsets both increase along the index.
     */
    Entry floorByPosition(long maxPosition, long maxOffset) {
        readLock();
        try {
            MappedByteBuffer b = buffer();
            int n = entries();
            int byPos = largestLowerBound(b, n, maxPosition, OffsetIndex::position);
            int byOff = largestLowerBound(b, n, maxOffset - baseOffset, OffsetIndex::relOffset);
            int slot = Math.min(byPos, byOff);
            return slot < 0 ? null : entryAt(b, slot);
        } finally {
            readUnlock();
        }
    }

    private Entry entryAt(MappedByteBuffer b, int slot) {
        int pos = slot * ENTRY_SIZE;
        return new Entry(baseOffset + b.getInt(pos), b.getInt(pos + 4));
    }

    /** The last entry, or (baseOffset, 0) when empty. */
    @Override
    Entry lastEntry() {
        readLock();
        try {
            int n = entries();
            if (n == 0) return new Entry(baseOffset, 0);
            return entryAt(buffer(), n - 1);
        } finally {
            readUnlock();
        }
    }

    void append(long offset, int position) {
        long rel = offset - baseOffset;
        if (rel < 0 || rel > Integer.MAX_VALUE)
            throw new IllegalArgumentException("Offset " + offset + " does not fit index with base " + baseOffset);
        if (entries() > 0) {
            Entry last = lastAppended();
            if (offset <= last.offset() || position <= last.position())
                throw new IllegalArgumentException("Index entry (" + offset + ", " + position
                        + ") not after last entry " + last + " in " + file());
        }
        appendEntry((b, p) -> {
            b.putInt(p, (int) rel);
            b.putInt(p + 4, position);
        });
        appended(new Entry(offset, position));
    }

    /**
     * Checks that entries increase, start at or after the base offset and point inside a log of {@code logSize}
     * bytes; throws {@link CorruptIndexException} otherwise.
     */
    void sanityCheck(long logSize) throws CorruptIndexException {
        readLock();
        try {
            MappedByteBuffer b = buffer();
            int n = entries();
            long prevOff = -1;
            long prevPos = -1;
            for (int i = 0; i < n; i++) {
                long rel = b.getInt(i * ENTRY_SIZE);
                long pos = b.getInt(i * ENTRY_SIZE + 4);
                if (rel <= prevOff || pos <= prevPos || pos >= logSize || rel < 0)
                    throw new CorruptIndexException("Offset index " + file() + " entry " + i + " (" + rel + ", " + pos
                            + ") is out of order or beyond the log (" + logSize + " bytes)");
                prevOff = rel;
                prevPos = pos;
            }
        } finally {
            readUnlock();
        }
    }
}
