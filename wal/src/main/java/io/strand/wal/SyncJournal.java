package io.strand.wal;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The test hook every fsync of the broker's files and directories goes through, so that a test can simulate a power
 * cut: when the system property {@value #PROPERTY} names a file, each successful fsync appends a line there saying
 * what it made durable, and after a {@code kill -9} of the process a test rewinds the files to that state (in the
 * test toolkit: {@code io.strand.testing.PowerCut}). Without the property each method is the bare fsync behind one
 * {@code static final} null check. It only observes: what is fsynced, and when, is the caller's business.
 *
 * <p>The journal, one line per fsync, tab-separated; a file is named by its file key (device and inode), which
 * survives renames:
 *
 * <ul>
 *   <li>{@code F <key> <durable length> <valid length> <path>}: a file fsynced; the first {@code durable length}
 *       bytes are durable. Its size is read before the fsync, so bytes written meanwhile do not count. The {@code
 *       valid length} is smaller for a memory-mapped index preallocated beyond its entries, or a segment zero-filled ahead of its data: the bytes past it were
 *       zeros (or older entries) as far as the fsync knows.
 *   <li>{@code D <key> <path> <name>/<key>...}: a directory fsynced; the entries listed (before the fsync) are
 *       durable, with the file each name pointed to.
 *   <li>{@code S <pid>}: a process started journaling.
 * </ul>
 *
 * <p>Threading: thread-safe; each line is appended whole under the journal's lock, with one unbuffered write and no
 * fsync (the journal has to survive the process, not the machine).
 */
public final class SyncJournal {
    /** The system property naming the journal file; unset in production. */
    public static final String PROPERTY = "strand.test.sync.journal";

    /**
     * With a journal, the system property of the longest delay (milliseconds) before an fsync: a slow and uneven
     * disk, each fsync waiting a random time up to it, so that a power cut finds whatever was acknowledged before it
     * was durable, on a leader or on a follower (whose fsyncs are then slower than the leader's half the time).
     */
    public static final String DELAY_PROPERTY = "strand.test.sync.delay.ms";

    private static final SyncJournal INSTANCE = open(System.getProperty(PROPERTY), Long.getLong(DELAY_PROPERTY, 0L));

    private final FileOutputStream out;
    private final long delayMs;

    /** A journal appending to {@code file} (tests of the format; brokers use the property). */
    public SyncJournal(Path file) throws IOException {
        this(file, 0);
    }

    private SyncJournal(Path file, long delayMs) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        this.out = new FileOutputStream(file.toFile(), true);
        this.delayMs = delayMs;
        append("S\t" + ProcessHandle.current().pid());
    }

    private static SyncJournal open(String file, long delayMs) {
        if (file == null || file.isEmpty()) return null;
        try {
            return new SyncJournal(Path.of(file), delayMs);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the sync journal " + file, e);
        }
    }

    // ------------------------------------------------------------------------------------------------ the hooks

    /** {@code channel.force(metaData)} of {@code file}, journaled. */
    public static void force(FileChannel channel, Path file, boolean metaData) throws IOException {
        SyncJournal j = INSTANCE;
        if (j == null) channel.force(metaData);
        else j.forceFile(channel, file, metaData);
    }

    /**
     * {@code channel.force(metaData)} of {@code file} whose first {@code validBytes} (as the fsync starts) hold data
     * and the rest zeros written ahead of it, journaled: a power cut leaves the bytes past them zeros, whatever was
     * written there after this call.
     */
    public static void force(FileChannel channel, Path file, boolean metaData, long validBytes) throws IOException {
        SyncJournal j = INSTANCE;
        if (j == null) channel.force(metaData);
        else j.forceFile(channel, file, metaData, validBytes);
    }

    /**
     * {@code map.force()} of the memory-mapped {@code file} (mapped whole), journaled; {@code validBytes}: the bytes
     * of entries at the time of the call.
     */
    public static void force(MappedByteBuffer map, Path file, long validBytes) {
        SyncJournal j = INSTANCE;
        if (j == null) map.force();
        else j.forceMapped(map, file, validBytes);
    }

    /** {@code channel.force(true)} of the directory {@code dir}, journaled with its entries. */
    public static void forceDirectory(FileChannel channel, Path dir) throws IOException {
        SyncJournal j = INSTANCE;
        if (j == null) channel.force(true);
        else j.forceDir(channel, dir);
    }

    // ------------------------------------------------------------------------------------------------ journaling

    /** See {@link #force(FileChannel, Path, boolean)}. */
    public void forceFile(FileChannel channel, Path file, boolean metaData) throws IOException {
        forceFile(channel, file, metaData, Long.MAX_VALUE);
    }

    /** See {@link #force(FileChannel, Path, boolean, long)}. */
    public void forceFile(FileChannel channel, Path file, boolean metaData, long validBytes) throws IOException {
        long size = channel.size();
        String key = keyOrNull(file);
        slowDisk();
        channel.force(metaData);
        if (key != null) fileSynced(key, size, Math.min(size, validBytes), file);
    }

    /** See {@link #force(MappedByteBuffer, Path, long)}. */
    public void forceMapped(MappedByteBuffer map, Path file, long validBytes) {
        long size = map.capacity();
        String key;
        try {
            key = keyOrNull(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        slowDisk();
        map.force();
        if (key != null) {
            try {
                fileSynced(key, size, Math.min(size, validBytes), file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** See {@link #forceDirectory}. */
    public void forceDir(FileChannel channel, Path dir) throws IOException {
        String key = keyOrNull(dir);
        StringBuilder line = new StringBuilder("D\t").append(key).append('\t').append(dir.toAbsolutePath());
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String k = keyOrNull(p);
                if (k != null)
                    line.append('\t').append(p.getFileName()).append('/').append(k);
            }
        }
        slowDisk();
        channel.force(true);
        if (key != null) append(line.toString());
    }

    /** The delay before an fsync, if any (an interrupt ends it early and is left for the fsync to see). */
    private void slowDisk() {
        if (delayMs <= 0) return;
        long deadline = System.nanoTime() + ThreadLocalRandom.current().nextLong(delayMs * 1_000_000L + 1);
        for (long left = deadline - System.nanoTime();
                left > 0 && !Thread.currentThread().isInterrupted(); ) {
            LockSupport.parkNanos(this, left);
            left = deadline - System.nanoTime();
        }
    }

    private void fileSynced(String key, long durable, long valid, Path file) throws IOException {
        append("F\t" + key + '\t' + durable + '\t' + valid + '\t' + file.toAbsolutePath());
    }

    private synchronized void append(String line) throws IOException {
        out.write((line + '\n').getBytes(StandardCharsets.UTF_8));
    }

    /** The file key (device and inode) of {@code p}, or null if it is gone (renamed or deleted meanwhile). */
    private static String keyOrNull(Path p) throws IOException {
        try {
            Object key = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
            if (key == null) throw new IOException("No file key for " + p + ": the sync journal needs one (Linux)");
            return key.toString();
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
