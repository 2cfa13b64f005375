package io.strand.wal;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
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
 * <p>A directory is <em>below its floor</em> from the first refused append (or a measurement under
 * the floor) until a measurement finds the floor plus a margin free again ({@link #resumeMargin}), so
 * that the broker's report of it (and the leadership moves that follow) do not flap around the floor.
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
    private volatile Runnable onChange = () -> {};
    /** Whether any directory was below its floor when last measured (asked for every partition of every fetch). */
    private volatile boolean anyBelow;

    /** The last measurement of one directory. */
    record Measured(long usable, long floor, long atMs, boolean below) {}

    FreeSpaceGuard(long minBytes, int minPercent) {
        this.minBytes = minBytes;
        this.minPercent = minPercent;
    }

    boolean enabled() {
        return minBytes > 0 || minPercent > 0;
    }

    /** Runs (on the thread that noticed it) whenever a directory goes below its floor or back above it. */
    void onChange(Runnable listener) {
        this.onChange = listener;
    }

    /** Throws if writing {@code bytes} more into {@code logDir} would take it below the floor. */
    void ensureRoom(Path logDir, TopicPartition tp, long bytes) {
        if (!enabled()) {
            return;
        }
        long now = System.currentTimeMillis();
        Measured m = measured.get(logDir);
        if (m == null || now - m.atMs() >= REFRESH_MS || m.usable() - bytes < m.floor() + NEAR_BYTES) {
            m = measure(logDir, now);
        }
        if (m.usable() - bytes < m.floor()) {
            if (!m.below()) {
                update(logDir, new Measured(m.usable(), m.floor(), now, true), m);
            }
            throw new LogDirFullException("log directory " + logDir + " has " + m.usable() + " bytes free, "
                    + "below the floor of " + m.floor() + " bytes (log.dir.free.bytes.min / log.dir.free.percent.min)"
                    + " after an append of " + bytes + " bytes to " + tp + ": appends wait for space to be freed");
        }
    }

    /** Measures {@code logDir} now (the log manager's periodic check). */
    void remeasure(Path logDir) {
        if (enabled()) {
            measure(logDir, System.currentTimeMillis());
        }
    }

    private Measured measure(Path logDir, long now) {
        Measured before = measured.get(logDir);
        try {
            FileStore store = Files.getFileStore(logDir);
            long usable = store.getUsableSpace();
            long floor = Math.max(minBytes, store.getTotalSpace() / 100 * minPercent);
            boolean wasBelow = before != null && before.below();
            boolean below = wasBelow ? usable < floor + resumeMargin(floor) : usable < floor;
            Measured m = new Measured(usable, floor, now, below);
            update(logDir, m, before);
            return m;
        } catch (IOException e) {
            // not measurable: do not refuse for that (a real I/O error shows on the write itself)
            return new Measured(Long.MAX_VALUE, 0, now, false);
        }
    }

    /** How far above the floor a directory below it must get before it counts as above again. */
    static long resumeMargin(long floor) {
        return Math.max(1L << 20, Math.min(16L << 20, floor / 8));
    }

    private void update(Path logDir, Measured m, Measured before) {
        measured.put(logDir, m);
        // from the map after the put: whichever update puts last also sets this last
        anyBelow = measured.values().stream().anyMatch(Measured::below);
        boolean wasBelow = before != null && before.below();
        if (wasBelow == m.below()) {
            return;
        }
        if (m.below()) {
            log.warn(
                    "Log directory {} is below its free-space floor ({} bytes free, floor {}): refusing appends",
                    logDir,
                    m.usable(),
                    m.floor());
        } else {
            log.info(
                    "Log directory {} is above its free-space floor again ({} bytes free, floor {}): appends resume",
                    logDir,
                    m.usable(),
                    m.floor());
        }
        onChange.run();
    }

    /** Whether any directory was below its floor when last measured. */
    boolean anyBelow() {
        return anyBelow;
    }

    /** Whether {@code logDir} was below its floor when last measured. */
    boolean below(Path logDir) {
        if (!anyBelow) {
            return false;
        }
        Measured m = measured.get(logDir);
        return m != null && m.below();
    }

    /** The last measurement of {@code logDir}, if any. */
    Optional<Measured> last(Path logDir) {
        return Optional.ofNullable(measured.get(logDir));
    }
}
