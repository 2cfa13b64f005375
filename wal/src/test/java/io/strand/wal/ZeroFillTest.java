package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In durable mode the active segment is written ahead with zeros (so that an append's fdatasync writes no file-size
 * metadata): the zeros never reach a reader, a crash leaves them behind and recovery drops them without calling
 * anything truncated, and a rolled or cleanly closed segment's file ends where its batches end.
 */
class ZeroFillTest {
    static final TopicPartition TP = new TopicPartition("zf", 0);

    @TempDir
    Path tmp;

    @Test
    void shouldWriteZerosAheadOfTheActiveSegmentAndNeverServeThem() throws Exception {
        Path dir = tmp.resolve("zf-0");
        try (PartitionLog log = PartitionLog.open(dir, TP, Uuid.randomUuid(), LogConfig.defaults())) {
            byte[] written = appendDurably(log, 20);
            Path active = lastSegmentFile(dir);
            assertTrue(Files.size(active) > written.length, "zeros written ahead: file " + Files.size(active));
            assertTrue(
                    Files.size(active) <= written.length + 64 * 1024, "64 KiB ahead at first: " + Files.size(active));
            byte[] read = TestRecords.bytes(
                    log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records());
            assertEquals(written.length, read.length, "a read stops at the last batch");
        }
        // clean close: the file is cut back to its batches
        Path active = lastSegmentFile(dir);
        try (PartitionLog again = PartitionLog.open(dir, TP, null, LogConfig.defaults())) {
            assertEquals(20, again.logEndOffset());
            assertEquals(segmentBytes(again), Files.size(active));
        }
    }

    @Test
    void shouldRecoverAfterACrashWithoutReportingTheZerosAsDataLost() throws Exception {
        Path dir = tmp.resolve("zf-0");
        try (PartitionLog log = PartitionLog.open(dir, TP, Uuid.randomUuid(), LogConfig.defaults())) {
            appendDurably(log, 30);
            Path copy = copyAsCrashed(dir);
            assertTrue(Files.size(lastSegmentFile(copy)) > segmentBytes(log), "the crash left the zeros");
            try (PartitionLog recovered = PartitionLog.open(copy, TP, null, LogConfig.defaults())) {
                assertEquals(30, recovered.logEndOffset());
                assertEquals(segmentBytes(log), Files.size(lastSegmentFile(copy)), "recovery cut the zeros");
                recovered.appendAsLeader(TestRecords.batch(1, 100, 1000, 99), 0);
                recovered.awaitDurable(recovered.logEndOffset()).get();
                assertEquals(31, recovered.logEndOffset());
                TestRecords.assertOffsets(
                        recovered
                                .read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true)
                                .records(),
                        0,
                        30);
            }
        }
    }

    @Test
    void shouldCutTheZerosOffARolledSegment() throws Exception {
        Path dir = tmp.resolve("zf-0");
        LogConfig cfg = LogConfig.defaults().withSegmentBytes(16 * 1024);
        try (PartitionLog log = PartitionLog.open(dir, TP, Uuid.randomUuid(), cfg)) {
            for (int i = 0; i < 40; i++) {
                log.appendAsLeader(TestRecords.batch(1, 1000), 0);
                log.awaitDurable(log.logEndOffset()).get();
            }
            List<Path> files = segmentFiles(dir);
            assertTrue(files.size() > 1, "rolled: " + files);
            for (Path f : files.subList(0, files.size() - 1)) {
                assertTrue(Files.size(f) <= 16 * 1024, f + " is " + Files.size(f));
                byte[] b = Files.readAllBytes(f);
                assertFalse(
                        b[b.length - 1] == 0 && b[b.length - 2] == 0 && b[b.length - 3] == 0,
                        "zeros at the end of " + f);
            }
        }
    }

    private static byte[] appendDurably(PartitionLog log, int batches) throws Exception {
        for (int i = 0; i < batches; i++) {
            log.appendAsLeader(TestRecords.batch(1, 200, 1000, i), 0);
        }
        log.awaitDurable(log.logEndOffset()).get();
        return TestRecords.bytes(
                log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records());
    }

    private static long segmentBytes(PartitionLog log) {
        return TestRecords.bytes(
                        log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records())
                .length;
    }

    private static Path lastSegmentFile(Path dir) throws Exception {
        List<Path> files = segmentFiles(dir);
        return files.get(files.size() - 1);
    }

    private static List<Path> segmentFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(LogSegment.LOG_SUFFIX))
                    .sorted()
                    .toList();
        }
    }

    /** Copies a live log's directory, as a crash would leave it (no clean-shutdown marker). */
    private Path copyAsCrashed(Path dir) throws Exception {
        Path copy = tmp.resolve("copy").resolve(dir.getFileName());
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) Files.copy(p, copy.resolve(p.getFileName()));
        }
        assertFalse(Files.exists(copy.resolve(LogCheckpoints.CLEAN_SHUTDOWN_FILE)));
        return copy;
    }
}
