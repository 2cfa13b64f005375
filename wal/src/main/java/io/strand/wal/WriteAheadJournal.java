package io.strand.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead journal of one log directory (BookKeeper's journal): every durable-mode append of every partition
 * log in the directory is also written here, and one fsync of the journal makes a whole group of appends durable,
 * whatever the number of partitions. The partition segments are written as before (Kafka's v2 batches, served
 * with sendfile) but fsynced only at a checkpoint ({@link LogManager}), after which older journal files go; after
 * a crash the logs are truncated to their checkpoint and the journal is replayed into them ({@link JournalReplay}).
 *
 * <p>Files: {@code <log dir>/strand-journal/<sequence>.journal}, each preallocated with zeros (so that an fdatasync
 * writes no file size) and starting with a {@value #HEADER}-byte header (magic, version, the journal position of its
 * first entry); entries follow ({@link JournalEntry}), each carrying its own position, so that zeros, a torn tail and
 * the stale entries of a recycled file end the replay of a file. A position is a byte count since the journal began;
 * it only grows, across files and restarts. The next file is prepared in the background (a released file is
 * recycled, or a new one zero-filled) and its directory entry fsynced before it is used; when the current file is
 * full it is fsynced whole before the first entry goes into the next.
 *
 * <p>Threads and locks. Appenders call {@link #append} holding their log's lock (log lock outer, the journal lock
 * inner); it writes the entry with one gathering write and returns its end position. One syncer thread per journal
 * ({@code strand-journal-sync}) fsyncs whatever was written since its last fsync — the group commit: appends that
 * arrive during an fsync are covered by the next one — and then tells each waiting log ({@link #requestSync}) how far
 * the journal is durable, through {@link GroupCommit#journalSynced}, without any lock. An I/O error fails the journal
 * for good: the directory goes offline ({@link LogRuntime#reportIoError}).
 */
final class WriteAheadJournal implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(WriteAheadJournal.class);
    static final String DIR_NAME = "strand-journal";
    static final String SUFFIX = ".journal";
    static final int HEADER = JournalEntry.FILE_HEADER;
    private static final long FIRST_FILE_BYTES = 1024 * 1024;

    private final Path logDir;
    private final Path dir;
    private final JournalConfig config;
    private final LogRuntime runtime;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition writtenCond = lock.newCondition();
    /** Orders the syncer's fsync and a roll's fsync of the same file (taken inside {@link #lock} by a roll only). */
    private final ReentrantLock fileSyncLock = new ReentrantLock();
    // ---- under the lock
    /** Files in use, by sequence number: the current one last. */
    private final TreeMap<Long, JournalFile> files = new TreeMap<>();

    private JournalFile current;
    /** Prepared files, next first: released files recycled, or one zero-filled in the background. */
    private final java.util.ArrayDeque<JournalFile> spares = new java.util.ArrayDeque<>();

    private boolean preparing;
    private long nextSeq;
    private boolean syncerWaiting;
    private long bytesSinceCheckpoint;
    private boolean checkpointRequested;
    private boolean open;
    private boolean closed;
    // ---- read anywhere
    /** The position the next entry gets. Written under the lock. */
    private volatile long end;
    /** Everything before it is fsynced. Written by the syncer. */
    private volatile long synced;

    private volatile KafkaStorageException failure;
    private final JournalCursors cursors = new JournalCursors();
    private final ConcurrentLinkedQueue<GroupCommit> waiting = new ConcurrentLinkedQueue<>();
    private volatile Runnable checkpointTrigger = () -> {};
    private volatile LongConsumer syncTimes = nanos -> {};
    private Thread syncer;

    private WriteAheadJournal(Path logDir, JournalConfig config, LogRuntime runtime) {
        this.logDir = logDir;
        this.dir = logDir.resolve(DIR_NAME);
        this.config = config;
        this.runtime = runtime;
    }

    /** The journal of {@code logDir} (its directory created if absent), not yet open for appends: replay first. */
    static WriteAheadJournal create(Path logDir, JournalConfig config, LogRuntime runtime) throws IOException {
        WriteAheadJournal j = new WriteAheadJournal(logDir, config, runtime);
        Files.createDirectories(j.dir);
        return j;
    }

    Path logDir() {
        return logDir;
    }

    Path dir() {
        return dir;
    }

    /** Who checkpoints the logs when {@code strand.wal.journal.checkpoint.bytes} were written since the last one. */
    void onCheckpointDue(Runnable trigger) {
        this.checkpointTrigger = trigger;
    }

    /** Hears how long each journal fsync took, in nanoseconds (the syncer thread; must not block). */
    void onSync(LongConsumer listener) {
        this.syncTimes = listener;
    }

    // ============================================================================================== replay

    /** A journal entry handed to the replay, with the end position of the file it was read from. */
    interface EntryConsumer {
        void accept(JournalEntry entry) throws IOException;
    }

    /**
     * Reads every valid entry of every file, in file order (= position order for the files that matter), and returns
     * the end position of the journal (0 when empty). Entries of files released before a crash whose deletion did
     * not survive it are older than every log's checkpoint position; the consumer skips them.
     */
    long replay(EntryConsumer consumer) throws IOException {
        long journalEnd = 0;
        long maxSeq = -1;
        for (Map.Entry<Long, Path> f : listFiles().entrySet()) {
            maxSeq = Math.max(maxSeq, f.getKey());
            try (FileChannel ch = FileChannel.open(f.getValue(), StandardOpenOption.READ)) {
                long base = JournalEntry.readFileHeader(ch);
                if (base < 0) continue; // a prepared file never used, or a recycled one
                long offset = HEADER;
                long entries = 0;
                while (true) {
                    var e = JournalEntry.read(ch, offset, base + offset - HEADER);
                    if (e.isEmpty()) break;
                    consumer.accept(e.get());
                    offset += e.get().size();
                    entries++;
                }
                journalEnd = Math.max(journalEnd, base + offset - HEADER);
                log.info(
                        "Journal {}: {} entries from position {} to {}",
                        f.getValue(),
                        entries,
                        base,
                        base + offset - HEADER);
            }
        }
        nextSeq = maxSeq + 1;
        return journalEnd;
    }

    /**
     * After the replay, with every replayed log checkpointed: starts a new file at {@code startPosition} (at least
     * the end of the replayed journal and every log's checkpoint position), then deletes the old files, and opens
     * the journal for appends. The new file comes first, so that a crash in between never loses the position.
     */
    void start(long startPosition) throws IOException {
        Map<Long, Path> old = listFiles();
        lock.lock();
        try {
            // a small first file: a broker that writes little never zero-fills a whole one; the next is prepared
            // in the background at full size once this one is half full
            JournalFile f = newFile(nextSeq++, Math.min(config.fileBytes(), FIRST_FILE_BYTES));
            useFile(f, startPosition);
            end = startPosition;
            synced = startPosition;
            open = true;
        } finally {
            lock.unlock();
        }
        for (Path p : old.values()) Files.deleteIfExists(p);
        CheckpointFile.fsyncDir(dir);
        syncer = new Thread(this::syncLoop, "strand-journal-sync-" + logDir.getFileName());
        syncer.setDaemon(true);
        syncer.start();
        log.info("Journal of {} open at position {}", logDir, startPosition);
    }

    private Map<Long, Path> listFiles() throws IOException {
        TreeMap<Long, Path> out = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                try {
                    out.put(Long.parseLong(n.substring(0, n.length() - SUFFIX.length())), p);
                } catch (NumberFormatException e) {
                    log.warn("Ignoring {} in the journal directory", p);
                }
            }
        }
        return out;
    }

    // ============================================================================================== appends

    /** Position the next entry gets: every entry written so far ends at or before it. */
    long end() {
        return end;
    }

    boolean isOpen() {
        return open;
    }

    void attach(JournalCursor cursor) {
        cursors.attach(cursor);
    }

    void detach(JournalCursor cursor) {
        cursors.detach(cursor);
    }

    /**
     * Writes one entry for the log of {@code cursor} (its log lock held) and returns the entry's end position; the
     * entry is durable once {@link GroupCommit#journalSynced} hears of a position at or past it.
     *
     * @throws KafkaStorageException the journal failed (its directory goes offline), or is closed
     */
    long append(JournalCursor cursor, byte type, long baseOffset, ByteBuffer payload) {
        lock.lock();
        try {
            if (failure != null) throw failure;
            if (!open || closed) throw new KafkaStorageException("The journal of " + logDir + " is closed");
            long pos = end;
            ByteBuffer header =
                    JournalEntry.header(pos, type, cursor.topicId, cursor.logNameBytes, baseOffset, payload);
            long size = (long) header.remaining() + payload.remaining();
            try {
                if (current.used(pos) + size > current.capacity) roll(size);
                FileChannel ch = current.channel;
                ch.position(current.used(pos));
                ByteBuffer[] bufs = {header, payload.duplicate()};
                long left = size;
                while (left > 0) left -= ch.write(bufs);
            } catch (IOException e) {
                throw fail("append", e);
            }
            end = pos + size;
            cursor.lastEntryEnd = end;
            if (syncerWaiting) writtenCond.signal();
            bytesSinceCheckpoint += size;
            if (bytesSinceCheckpoint >= config.checkpointBytes() && !checkpointRequested) {
                checkpointRequested = true;
                runtime.execute("journal checkpoint", checkpointTrigger);
            }
            if (spares.isEmpty() && !preparing && current.used(end) > current.capacity / 2) {
                preparing = true;
                runtime.execute("prepare a journal file", this::prepareSpare);
            }
            return end;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Asks the syncer to tell {@code gc} when the journal is durable up to {@code position} (or past it). If it
     * already is, tells it on the calling thread.
     */
    void requestSync(GroupCommit gc, long position) {
        if (gc.markJournalQueued()) waiting.add(gc);
        long s = synced;
        if (s >= position) gc.journalSynced(s);
    }

    /** The current file is full: fsync it whole, and continue in the spare (or a new file). Lock held. */
    private void roll(long entrySize) throws IOException {
        JournalFile old = current;
        fileSyncLock.lock();
        try {
            SyncJournal.force(old.channel, old.path, false, old.used(end));
            old.finalEnd = end;
        } finally {
            fileSyncLock.unlock();
        }
        JournalFile next = spares.pollFirst();
        if (next == null || next.capacity < HEADER + entrySize) {
            if (next != null) discard(next);
            next = newFile(nextSeq++, Math.max(nextCapacity(), HEADER + entrySize));
        }
        useFile(next, end);
    }

    /** Writes the header of {@code f} (its first entry at {@code base}) and makes it current. Lock held. */
    private void useFile(JournalFile f, long base) throws IOException {
        ByteBuffer h = JournalEntry.fileHeader(base);
        while (h.hasRemaining()) f.channel.write(h, h.position());
        f.base = base;
        files.put(f.seq, f);
        current = f;
    }

    /** A new zero-filled file of {@code capacity} bytes, its directory entry fsynced. */
    private JournalFile newFile(long seq, long capacity) throws IOException {
        Path p = dir.resolve(String.format("%020d", seq) + SUFFIX);
        FileChannel ch =
                FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            ByteBuffer zeros = ByteBuffer.allocateDirect(1024 * 1024);
            for (long at = 0; at < capacity; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), capacity - at));
                at += ch.write(zeros, at);
            }
            SyncJournal.force(ch, p, true, 0);
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(p); // a full disk leaves no partial file behind
            throw e;
        }
        CheckpointFile.fsyncDir(dir);
        return new JournalFile(seq, p, ch, capacity);
    }

    /** Background: prepares the next file (a released one renamed, or a new zero-filled one). */
    private void prepareSpare() {
        long seq;
        long capacity;
        lock.lock();
        try {
            if (closed || !spares.isEmpty()) {
                preparing = false;
                return;
            }
            seq = nextSeq++;
            capacity = nextCapacity();
        } finally {
            lock.unlock();
        }
        try {
            JournalFile f = newFile(seq, capacity);
            lock.lock();
            try {
                preparing = false;
                if (closed || !spares.isEmpty()) discard(f);
                else spares.addLast(f);
            } finally {
                lock.unlock();
            }
        } catch (IOException e) {
            lock.lock();
            try {
                preparing = false;
            } finally {
                lock.unlock();
            }
            log.warn("Could not prepare the next journal file in {}; the roll will create it", dir, e);
        }
    }

    /**
     * Keeps a released file as a spare (up to {@link #maxSpares}): its header is zeroed (a stale
     * one would only lead the replay to entries older than every checkpoint) and it is renamed to the next sequence
     * number, the directory fsynced. Saves zero-filling a new file. Returns false when it was not kept.
     */
    private boolean recycle(JournalFile f) {
        long seq;
        lock.lock();
        try {
            if (closed || spares.size() >= maxSpares() || f.capacity != config.fileBytes()) return false;
            seq = nextSeq++;
        } finally {
            lock.unlock();
        }
        JournalFile recycled = null;
        try {
            ByteBuffer zeros = ByteBuffer.allocate(HEADER);
            while (zeros.hasRemaining()) f.channel.write(zeros, zeros.position());
            Path p = dir.resolve(String.format("%020d", seq) + SUFFIX);
            Files.move(f.path, p);
            CheckpointFile.fsyncDir(dir);
            recycled = new JournalFile(seq, p, f.channel, f.capacity);
        } catch (IOException e) {
            log.warn("Could not recycle journal file {}", f.path, e);
        }
        lock.lock();
        try {
            if (recycled != null && !closed) {
                spares.addLast(recycled);
                return true;
            }
        } finally {
            lock.unlock();
        }
        if (recycled != null) discard(recycled);
        return recycled != null;
    }

    /**
     * The size of the next new file: four times the current one's, up to {@code strand.wal.journal.file.bytes}, so
     * that a broker writing little (a test's, a quiet one) zero-fills little. Lock held.
     */
    private long nextCapacity() {
        return Math.min(config.fileBytes(), current == null ? FIRST_FILE_BYTES : current.capacity * 4);
    }

    /** Spares kept: enough for the files written between two checkpoints, so that none is zero-filled again. */
    private int maxSpares() {
        return (int) Math.min(64, config.checkpointBytes() / config.fileBytes() + 2);
    }

    private void discard(JournalFile f) {
        try {
            f.channel.close();
            Files.deleteIfExists(f.path);
        } catch (IOException e) {
            log.warn("Could not delete journal file {}", f.path, e);
        }
    }

    // ============================================================================================== sync

    private void syncLoop() {
        while (true) {
            JournalFile f;
            long target;
            lock.lock();
            try {
                while (!closed && failure == null && end == synced) {
                    syncerWaiting = true;
                    writtenCond.awaitUninterruptibly();
                }
                syncerWaiting = false;
                if (failure != null || (closed && end == synced)) return;
                f = current;
                target = end;
            } finally {
                lock.unlock();
            }
            long t0 = System.nanoTime();
            try {
                syncFile(f);
            } catch (ClosedChannelException e) {
                if (!closed) log.debug("Journal file {} closed while syncing: it was fsynced when it rolled", f.path);
            } catch (IOException e) {
                fail("fsync", e);
                return;
            }
            syncTimes.accept(System.nanoTime() - t0);
            synced = target;
            List<GroupCommit> again = null;
            for (GroupCommit gc; (gc = waiting.poll()) != null; ) {
                gc.clearJournalQueued();
                if (gc.journalSynced(target)) {
                    if (again == null) again = new ArrayList<>();
                    again.add(gc); // entries written after this fsync started: the next one covers them
                }
            }
            if (again != null) {
                for (GroupCommit gc : again) {
                    if (gc.markJournalQueued()) waiting.add(gc);
                }
            }
        }
    }

    /**
     * The syncer's fsync of {@code f}, serialised with a roll's ({@link #fileSyncLock}), reporting to the power-cut
     * simulation every byte written before it starts: the file's final end if it rolled, else the journal's end (no
     * roll can complete meanwhile, so that end lies in {@code f}). Serialised, a file's reported durable length only
     * grows, as it does on a disk; unserialised, a roll's report could come first and this smaller one replace it.
     */
    private void syncFile(JournalFile f) throws IOException {
        fileSyncLock.lock();
        try {
            long fileEnd = f.finalEnd;
            SyncJournal.force(f.channel, f.path, false, f.used(fileEnd >= 0 ? fileEnd : end));
        } finally {
            fileSyncLock.unlock();
        }
    }

    private KafkaStorageException fail(String what, IOException e) {
        KafkaStorageException ex = new KafkaStorageException(
                "I/O error in the " + what + " of the journal of " + logDir + ": " + e.getMessage(), e);
        lock.lock();
        try {
            if (failure == null) {
                failure = ex;
                writtenCond.signalAll();
                log.error("{}; the log directory goes offline", ex.getMessage(), e);
                runtime.reportIoError(logDir, ex);
            }
        } finally {
            lock.unlock();
        }
        return failure;
    }

    // ============================================================================================== checkpoints

    /**
     * After the logs were checkpointed: releases the files before the lowest checkpoint position of a log whose
     * entries are past it (the current file stays). A released file is kept as a spare (recycled) while fewer than
     * {@link #maxSpares} are, deleted otherwise. Returns the number of files released.
     */
    int release() {
        List<JournalFile> gone = new ArrayList<>();
        lock.lock();
        try {
            checkpointRequested = false;
            bytesSinceCheckpoint = 0;
            if (!open || closed) return 0;
            long keepFrom = cursors.oldestNeeded(end);
            JournalFile prev = null;
            for (JournalFile f : files.values()) {
                if (prev != null && f.base <= keepFrom) gone.add(prev);
                prev = f;
            }
            for (JournalFile f : gone) files.remove(f.seq);
        } finally {
            lock.unlock();
        }
        for (JournalFile f : gone) {
            if (!recycle(f)) discard(f);
        }
        if (!gone.isEmpty()) {
            try {
                CheckpointFile.fsyncDir(dir);
            } catch (IOException e) {
                log.warn("Could not fsync {} after releasing journal files", dir, e);
            }
        }
        return gone.size();
    }

    /**
     * Files in use and spare, their space, and the bytes from the oldest position a log needs to the end. The cursors
     * are read before the lock (appenders wait on it; a thousand logs' cursors need not hold them up): a checkpoint
     * meanwhile only makes the figure a little high.
     */
    JournalStats stats() {
        long needed = cursors.oldestNeeded(end);
        lock.lock();
        try {
            long bytes = 0;
            for (JournalFile f : files.values()) bytes += f.capacity;
            for (JournalFile f : spares) bytes += f.capacity;
            long first = files.isEmpty() ? end : files.firstEntry().getValue().base;
            return new JournalStats(files.size(), spares.size(), bytes, Math.max(0, end - Math.max(needed, first)));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            writtenCond.signalAll();
        } finally {
            lock.unlock();
        }
        if (syncer != null) {
            try {
                syncer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lock.lock();
        try {
            for (JournalFile f : files.values()) closeQuietly(f);
            for (JournalFile f : spares) closeQuietly(f);
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(JournalFile f) {
        try {
            f.channel.close();
        } catch (IOException e) {
            log.debug("Closing {}", f.path, e);
        }
    }
}
