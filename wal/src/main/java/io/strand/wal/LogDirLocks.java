package io.strand.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.errors.KafkaStorageException;

/**
 * An exclusive lock on each log directory (the file {@code .lock} in it, as Kafka), held for as long
 * as the logs are open, so that two broker processes never use one directory. The operating system
 * releases the locks when the process dies, however it dies: a process that holds them knows that
 * every earlier user of the directories has ended.
 *
 * <p>Thread-safety: acquired and released by the thread that opens and closes the log manager.
 */
final class LogDirLocks implements AutoCloseable {
    static final String FILE = ".lock";
    /**
     * The lock files this process holds. Checked before opening one again: closing a second channel
     * on a locked file would release the first channel's lock (POSIX locks belong to the process).
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private record Held(Path file, FileLock lock) {}

    private final List<Held> locks;

    private LogDirLocks(List<Held> locks) {
        this.locks = locks;
    }

    /** Locks every directory, or none: throws naming the directory that is in use. */
    static LogDirLocks acquire(List<Path> dirs) {
        List<Held> held = new ArrayList<>();
        try {
            for (Path d : dirs) {
                held.add(lock(d));
            }
            return new LogDirLocks(held);
        } catch (RuntimeException e) {
            new LogDirLocks(held).close();
            throw e;
        }
    }

    private static Held lock(Path dir) {
        Path file = dir.resolve(FILE).toAbsolutePath().normalize();
        if (!HELD.add(file)) {
            throw new KafkaStorageException("log directory " + dir + " is already open in this process");
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new KafkaStorageException("log directory " + dir + " is in use by another process (" + file
                        + " is locked): is another broker running with these log.dirs?");
            }
            return new Held(file, lock);
        } catch (IOException | OverlappingFileLockException e) {
            release(file, channel);
            throw new KafkaStorageException("cannot lock log directory " + dir + " (" + file + "): " + e, e);
        } catch (RuntimeException e) {
            release(file, channel);
            throw e;
        }
    }

    private static void release(Path file, FileChannel channel) {
        try {
            if (channel != null) {
                channel.close(); // releases its lock
            }
        } catch (IOException ignored) {
            // the process's end releases it
        } finally {
            HELD.remove(file);
        }
    }

    @Override
    public void close() {
        for (Held h : locks) {
            release(h.file(), h.lock().channel());
        }
    }
}
