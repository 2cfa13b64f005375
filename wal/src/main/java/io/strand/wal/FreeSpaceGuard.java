package io.strand.wal;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The free-space floor of the log directories ({@code log.dir.free.bytes.min}, {@code
 * log.dir.free.percent.min}): an append that would leave its log directory's file system below the
 * floor is refused before anything is written ({@link LogDirFullException}), so the disk never runs
 * full under the logs and nothing goes offline; appends go through again by themselves once space is
 * freed (retention, DeleteRecords, an operator). The usable space is read from the file system
 * (statfs) at most every {@value #REFRESH_MS} ms per directory, and at every append once it is near
 * the floor.
 *
 * <p>Thread-safe: appenders of all partitions call {@link #ensureRoom} concurrently.
 */
final class FreeSpaceGuard {
    private static final Logger log = LoggerFactory.getLogger(FreeSpaceGuard.class);
    static final long REFRESH_MS = 100;
    /** Within this much of the floor, every append measures again. */
    private static final long NEAR_BYTES = 64L << 20;

    /** No floor. */
    static final FreeSpaceGuard NONE = new FreeSpaceGuard(0, 0);

    private final long minBytes;
    private final int minPercent;
    private final ConcurrentHashMap<Path, Measured> measured = new ConcurrentHashMap<>();

    private record Measured(long usable, long floor, long atMs, boolean below) {}

    FreeSpaceGuard(long minBytes, int minPercent) {
        this.minBytes = minBytes;
        this.minPercent = minPercent;
    }

    /** Throws if writing {@code bytes} more into {@code logDir} would take it below the floor. */
    void ensureRoom(Path logDir, TopicPartition tp, long bytes) {
        if (minBytes <= 0 && minPercent <= 0) {
            return;
        }
        long now = System.currentTimeMillis();
        Measured m = measured.get(logDir);
        if (m == null || now - m.atMs() >= REFRESH_MS || m.usable() - bytes < m.floor() + NEAR_BYTES) {
            m = measure(logDir, now, m);
        }
        if (m.usable() - bytes < m.floor()) {
            throw new LogDirFullException("log directory " + logDir + " has " + m.usable() + " bytes free, "
                    + "below the floor of " + m.floor() + " bytes (log.dir.free.bytes.min / log.dir.free.percent.min)"
                    + " after an append of " + bytes + " bytes to " + tp + ": appends wait for space to be freed");
        }
    }

    private Measured measure(Path logDir, long now, Measured before) {
        try {
            FileStore store = Files.getFileStore(logDir);
            long usable = store.getUsableSpace();
            long floor = Math.max(minBytes, store.getTotalSpace() / 100 * minPercent);
            boolean below = usable < floor;
            Measured m = new Measured(usable, floor, now, below);
            measured.put(logDir, m);
            if (before != null && before.below() != below) {
                if (below) {
                    log.warn(
                            "Log directory {} is below its free-space floor ({} bytes free, floor {}): refusing appends",
                            logDir,
                            usable,
                            floor);
                } else {
                    log.info(
                            "Log directory {} is above its free-space floor again ({} bytes free, floor {}): appends resume",
                            logDir,
                            usable,
                            floor);
                }
            }
            return m;
        } catch (IOException e) {
            // not measurable: do not refuse for that (a real I/O error shows on the write itself)
            return new Measured(Long.MAX_VALUE, 0, now, false);
        }
    }

    /** Whether {@code logDir} was below its floor when last measured. */
    boolean below(Path logDir) {
        Measured m = measured.get(logDir);
        return m != null && m.below();
    }
}
