package io.strand.wal.cleaner;

import static io.strand.wal.cleaner.CompactedLogs.COMPACTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.wal.LogConfig;
import io.strand.wal.LogManager;
import io.strand.wal.LogManagerConfig;
import io.strand.wal.PartitionLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file states a crash can leave at each step of the cleaner's swap (see {@code SegmentSwap}), rebuilt file by
 * file from a log before and after a real cleaning of a group of several segments: whatever the step, the reopened
 * log reads exactly as before the cleaning or exactly as after it.
 */
class SegmentSwapCrashStatesTest {
    static final TopicPartition TP = new TopicPartition("swap", 0);
    static final Uuid ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");
    static final String BASE = "00000000000000000000";

    @TempDir
    Path tmp;

    Path before;
    Path after;
    List<CompactedLogs.Entry> contentBefore;
    List<CompactedLogs.Entry> contentAfter;
    /** Base offsets of the old segments the first cleaned segment replaced. */
    TreeSet<Long> replaced;

    @BeforeEach
    void cleanOnce() throws Exception {
        Path data = tmp.resolve("data");
        LogConfig small = COMPACTED.withSegmentBytes(2048);
        LogManager logs = new LogManager(List.of(data), small, LogManagerConfig.defaults());
        logs.startup();
        PartitionLog log = logs.getOrCreate(TP, ID, small);
        LogCleanerTest.overwrite(log, 10, 40);
        logs.close();
        before = copy(data.resolve(TP.toString()), tmp.resolve("before"));
        contentBefore = read(before);

        LogConfig grouping = COMPACTED.withSegmentBytes(64 * 1024); // cleaned groups of many segments
        logs = new LogManager(List.of(data), grouping, LogManagerConfig.defaults());
        logs.startup();
        log = logs.getOrCreate(TP, ID, grouping);
        log.updateHighWatermark(log.logEndOffset());
        LogCleaner cleaner = new LogCleaner(logs, CleanerConfig.defaults(), Time.SYSTEM);
        assertEquals(1, cleaner.cleanAllNow());
        logs.close();
        after = copy(data.resolve(TP.toString()), tmp.resolve("after"));
        try (Stream<Path> files = Files.list(after)) {
            files.filter(p -> p.toString().endsWith(".deleted")).forEach(SegmentSwapCrashStatesTest::delete);
        }
        contentAfter = read(after);
        assertTrue(contentAfter.size() < contentBefore.size());
        TreeSet<Long> afterBases = bases(after);
        long next = afterBases.higher(0L);
        replaced = new TreeSet<>(bases(before).headSet(next));
        assertTrue(replaced.size() >= 3, "a group of several segments: " + replaced);
    }

    @Test
    void shouldDropAnUnfinishedCleaning() throws Exception {
        Path dir = copy(before, tmp.resolve("state"));
        for (String s : suffixes()) copyIfExists(after.resolve(BASE + s), dir.resolve(BASE + s + ".cleaned"));
        assertEquals(contentBefore, read(dir));
    }

    @Test
    void shouldCompleteADecidedSwapWhoseOldSegmentsAreAllThere() throws Exception {
        Path dir = copy(before, tmp.resolve("state"));
        for (String s : suffixes()) copyIfExists(after.resolve(BASE + s), dir.resolve(BASE + s + ".swap"));
        assertEquals(contentAfter, read(dir));
    }

    @Test
    void shouldCompleteASwapCutWhileTheOldSegmentsWereRenamed() throws Exception {
        Path dir = copy(before, tmp.resolve("state"));
        for (String s : suffixes()) copyIfExists(after.resolve(BASE + s), dir.resolve(BASE + s + ".swap"));
        // the first old segment's index files are renamed already, its log file not yet; the second one is done
        move(dir.resolve(BASE + ".index"), dir.resolve(BASE + ".index.deleted"));
        String second = String.format("%020d", replaced.higher(0L));
        for (String s : List.of(".index", ".timeindex", ".txnindex", ".log"))
            if (Files.exists(dir.resolve(second + s)))
                move(dir.resolve(second + s), dir.resolve(second + s + ".deleted"));
        assertEquals(contentAfter, read(dir));
    }

    @Test
    void shouldCompleteASwapCutWhileTheCleanedFilesTookTheirNames() throws Exception {
        Path dir = copy(before, tmp.resolve("state"));
        for (long b : replaced) {
            String name = String.format("%020d", b);
            for (String s : suffixes()) {
                if (Files.exists(dir.resolve(name + s)))
                    move(dir.resolve(name + s), dir.resolve(name + s + ".deleted"));
            }
        }
        // the cleaned offset index has its final name already, the time index and the log file not yet
        copyIfExists(after.resolve(BASE + ".index"), dir.resolve(BASE + ".index"));
        copyIfExists(after.resolve(BASE + ".timeindex"), dir.resolve(BASE + ".timeindex.swap"));
        copyIfExists(after.resolve(BASE + ".log"), dir.resolve(BASE + ".log.swap"));
        assertEquals(contentAfter, read(dir));
    }

    private static List<String> suffixes() {
        return List.of(".index", ".timeindex", ".txnindex", ".log");
    }

    private static List<CompactedLogs.Entry> read(Path dir) {
        Path logDir = dir.resolveSibling(dir.getFileName() + "-logs").resolve(TP.toString());
        try {
            copy(dir, logDir);
            try (PartitionLog log = PartitionLog.open(logDir, TP, ID, COMPACTED)) {
                try (Stream<Path> files = Files.list(logDir)) {
                    assertTrue(files.map(Path::toString).noneMatch(n -> n.endsWith(".swap") || n.endsWith(".cleaned")));
                }
                return CompactedLogs.read(log);
            }
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static TreeSet<Long> bases(Path dir) throws IOException {
        TreeSet<Long> out = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".log"))
                    .forEach(n -> out.add(Long.parseLong(n.substring(0, n.indexOf('.')))));
        }
        return out;
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList())
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return to;
    }

    private static void copyIfExists(Path from, Path to) throws IOException {
        if (Files.exists(from)) Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
