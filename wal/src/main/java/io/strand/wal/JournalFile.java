package io.strand.wal;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One file of a {@link WriteAheadJournal}: its sequence number, path, channel, capacity, and the position of its first
 * entry (-1: unused). Its mutable fields are written under the journal's lock.
 */
final class JournalFile {
    final long seq;
    final Path path;
    final FileChannel channel;
    final long capacity;
    long base = -1;
    /** The position after its last entry once it rolled (-1 while current); written under the lock. */
    volatile long finalEnd = -1;

    JournalFile(long seq, Path path, FileChannel channel, long capacity) {
        this.seq = seq;
        this.path = path;
        this.channel = channel;
        this.capacity = capacity;
    }

    long used(long end) {
        return WriteAheadJournal.HEADER + (end - base);
    }
}
