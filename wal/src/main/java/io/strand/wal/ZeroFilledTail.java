package io.strand.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The zeros a segment's file is written ahead with in durable mode, and the file's length with them. Before an append
 * the file is made to extend past the append's end ({@link #ensure}): the append then only overwrites blocks the file
 * system has allocated and the file keeps its length, so that the {@code fdatasync} making it durable writes data
 * only, not the file's size and extents through the file system's journal. The zeros go ahead by a quarter of the
 * segment's size (64 KiB to 8 MiB), never past the segment limit; one fsync pass in that many bytes pays for the
 * metadata. Readers never look past the segment's size; recovery takes an all-zero tail for the end of the data
 * ({@link SegmentRecovery}); a segment that stops being active is cut back ({@link #cutBack}).
 *
 * <p>Not thread-safe: its segment's writer (the holder of the log lock, or the loading thread) calls it.
 */
final class ZeroFilledTail {
    private static final int MIN_AHEAD = 64 * 1024;
    private static final int MAX_AHEAD = 8 * 1024 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    /** Length of the file: the segment's batches plus the zeros after them. */
    private long fileLength;

    ZeroFilledTail(long fileLength) {
        this.fileLength = fileLength;
    }

    /** Writes zeros so that the file extends past {@code end}, given the segment's {@code size} and limit. */
    void ensure(FileChannel channel, long end, int size, int maxBytes) throws IOException {
        if (end <= fileLength) return;
        long ahead = Math.max(MIN_AHEAD, Math.min(MAX_AHEAD, Integer.highestOneBit(Math.max(1, size)) / 4));
        long target = Math.min(end + ahead, maxBytes);
        if (target < end) return; // a batch larger than the segment limit: the append extends the file itself
        long pos = fileLength;
        while (pos < target) {
            ByteBuffer z = ZEROS.duplicate();
            z.limit((int) Math.min(z.capacity(), target - pos));
            while (z.hasRemaining()) pos += channel.write(z, pos);
        }
        fileLength = Math.max(fileLength, pos);
    }

    /** An append wrote up to {@code end} (past the zeros, if there were too few). */
    void appendedTo(long end) {
        fileLength = Math.max(fileLength, end);
    }

    /** The file was cut to {@code length} (a failed append, a truncation, recovery). */
    void cutTo(long length) {
        fileLength = length;
    }

    /**
     * Cuts the zeros off, durably, leaving the file at {@code size} (a segment below the recovery point is not
     * scanned at the next start, so its file must end where its batches do).
     */
    void cutBack(FileChannel channel, Path file, int size) throws IOException {
        if (fileLength <= size) return;
        channel.truncate(size);
        SyncJournal.force(channel, file, false);
        fileLength = size;
    }

    /** Whether every byte of {@code channel} from {@code position} to {@code limit} is zero, read through {@code buf}. */
    static boolean isZeroFrom(FileChannel channel, ByteBuffer buf, long position, long limit) throws IOException {
        long p = position;
        while (p < limit) {
            buf.clear().limit((int) Math.min(buf.capacity(), limit - p));
            int n = channel.read(buf, p);
            if (n <= 0) return true;
            for (int i = 0; i < n; i++) if (buf.get(i) != 0) return false;
            p += n;
        }
        return true;
    }
}
