package io.strand.tools.launcher;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock that keeps two {@code start}/{@code stop} commands off one cluster dir at the same time:
 * an exclusive {@link FileChannel#tryLock()} on {@code D/.lock}, held until {@link #close()} (or
 * until the launcher's JVM ends). The processes the launcher starts do not inherit it.
 *
 * <p>Held by one command on the calling thread.
 */
final class DirLock implements AutoCloseable {
    private final FileChannel channel;

    private DirLock(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * @throws ClusterException when another command holds the lock
     */
    static DirLock acquire(Path lockFile, Path dir) throws IOException, ClusterException {
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this JVM
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new ClusterException("another strand-cluster command is working on " + dir);
        }
        return new DirLock(channel);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
