package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention by time, size and log start, and checkpoints written atomically with the recovery point. */
class RetentionAndCheckpointTest {
    static final TopicPartition TP = new TopicPartition("ret", 0);
    static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path tmp;

    /** 60 batches of 2 records with timestamps T0 + i s, segments of ~4 batches. */
    private PartitionLog filled(Path dir, LogConfig cfg, MockTime time) {
        PartitionLog log = PartitionLog.open(dir, TP, Uuid.randomUuid(), cfg, time);
        for (int i = 0; i < 60; i++) log.appendAsLeader(TestRecords.batch(2, 100, T0 + i * 1000L, i), i / 20);
        return log;
    }

    private static final LogConfig SMALL =
            LogConfig.defaults().withSegmentBytes(1200).withRetentionMs(-1);

    @Test
    void shouldDeleteClosedSegmentsPastRetentionMsBelowTheHighWatermark() throws Exception {
        MockTime time = new MockTime(T0 + 60_000);
        PartitionLog log = filled(tmp.resolve("ret-0"), SMALL.withRetentionMs(30_000), time);
        try {
            int segs = log.numberOfSegments();
            assertTrue(segs > 10);
            assertEquals(
                    0, log.deleteExpiredSegments(time.milliseconds()), "nothing is replicated yet: high watermark 0");
            log.updateHighWatermark(log.logEndOffset());
            FileSlice first = (FileSlice) log.read(0, 100, Long.MAX_VALUE, true).records();
            int deleted = log.deleteExpiredSegments(time.milliseconds());
            assertTrue(deleted > 0);
            // every deleted segment's records are older than now - retention; the first kept one is not entirely
            long start = log.logStartOffset();
            assertEquals(log.segmentsForTest().get(0).baseOffset(), start);
            long newestDeletedTs = T0 + ((start / 2) - 1) * 1000L;
            assertTrue(time.milliseconds() - newestDeletedTs > 30_000);
            assertTrue(time.milliseconds() - log.segmentsForTest().get(0).maxTimestampSoFar() <= 30_000);
            assertThrows(OffsetOutOfRangeException.class, () -> log.read(0, 100, Long.MAX_VALUE, true));
            assertEquals(
                    start,
                    log.offsetForTimestamp(PartitionLog.EARLIEST_TIMESTAMP)
                            .orElseThrow()
                            .offset());
            // a slice handed out before the deletion is still readable (files renamed, closed later)
            assertEquals(0, TestRecords.batches(first).get(0).baseOffset());
            try (Stream<Path> files = Files.list(log.dir())) {
                assertTrue(files.anyMatch(p -> p.toString().endsWith(".log.deleted")));
            }
            // epoch cache: the epoch in force at the new start now starts there
            assertEquals(start, log.epochEntries().get(0).startOffset());
            // the active segment is never deleted, even when everything has expired
            time.advance(1_000_000);
            log.deleteExpiredSegments(time.milliseconds());
            assertEquals(1, log.numberOfSegments());
            assertEquals(120, log.logEndOffset());
        } finally {
            log.close();
        }
    }

    @Test
    void shouldDeleteOldestSegmentsPastRetentionBytes() {
        MockTime time = new MockTime(T0);
        PartitionLog log = filled(tmp.resolve("ret-0"), SMALL.withRetentionBytes(5000), time);
        try {
            log.updateHighWatermark(log.logEndOffset());
            long before = log.sizeInBytes();
            assertTrue(before > 5000);
            log.deleteExpiredSegments(time.milliseconds());
            assertTrue(log.sizeInBytes() >= 5000 || log.numberOfSegments() == 1, "never below retention.bytes");
            long firstSize = log.segmentsForTest().get(0).size();
            assertTrue(log.sizeInBytes() - firstSize < 5000, "no further segment could go");
            assertEquals(120, log.logEndOffset());
        } finally {
            log.close();
        }
    }

    @Test
    void shouldCheckpointAndReloadTheLogStartOffsetAfterDeleteRecords() throws Exception {
        Path dir = tmp.resolve("ret-0");
        PartitionLog log = filled(dir, SMALL, new MockTime(T0));
        log.updateHighWatermark(70);
        assertThrows(
                OffsetOutOfRangeException.class, () -> log.deleteRecordsBefore(71), "not beyond the high watermark");
        int segs = log.numberOfSegments();
        log.deleteRecordsBefore(41);
        assertEquals(41, log.logStartOffset());
        assertTrue(log.numberOfSegments() < segs, "segments wholly below the new start are gone");
        String cp = Files.readString(dir.resolve(LogCheckpoints.CHECKPOINT_FILE));
        assertTrue(cp.contains("logStartOffset 41"), cp);
        // a read from the new start offset returns the batch holding it
        assertEquals(
                40,
                TestRecords.batches(log.read(41, 1, Long.MAX_VALUE, true).records())
                        .get(0)
                        .baseOffset());
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(40, 1, Long.MAX_VALUE, true));
        // crash: no close, no clean marker; the checkpointed start offset still holds
        byte[] data = TestRecords.bytes(
                log.read(41, Integer.MAX_VALUE, Long.MAX_VALUE, true).records());
        log.flush();
        log.checkpoint();
        PartitionLog again = copyAndOpenAsCrashed(dir, log);
        try {
            assertEquals(41, again.logStartOffset());
            assertEquals(70, again.highWatermark());
            assertEquals(120, again.logEndOffset());
            assertArrayEquals(
                    data,
                    TestRecords.bytes(again.read(41, Integer.MAX_VALUE, Long.MAX_VALUE, true)
                            .records()));
        } finally {
            again.close();
            log.close();
        }
    }

    /** Copies a live log's directory (as a crash would leave it) and opens the copy. */
    private PartitionLog copyAndOpenAsCrashed(Path dir, PartitionLog live) throws Exception {
        Path copy = tmp.resolve("copy").resolve(dir.getFileName());
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                if (!p.getFileName().toString().endsWith(".deleted")) Files.copy(p, copy.resolve(p.getFileName()));
            }
        }
        assertFalse(Files.exists(copy.resolve(LogCheckpoints.CLEAN_SHUTDOWN_FILE)));
        return PartitionLog.open(copy, live.topicPartition(), null, live.config());
    }

    @Test
    void shouldWriteCheckpointsAtomicallyWithTheRecoveryPoint() throws Exception {
        Path dir = tmp.resolve("ret-0");
        PartitionLog log = filled(dir, SMALL, new MockTime(T0));
        try {
            log.awaitDurable(log.logEndOffset()).get();
            log.updateHighWatermark(100);
            log.checkpoint();
            List<String> lines = Files.readAllLines(dir.resolve(LogCheckpoints.CHECKPOINT_FILE));
            assertEquals(List.of("0", "recoveryPoint 120", "highWatermark 100", "logStartOffset 0"), lines);
            assertFalse(Files.exists(dir.resolve(LogCheckpoints.CHECKPOINT_FILE + CheckpointFile.TMP_SUFFIX)));
            assertEquals("0\n3\n0 0\n1 40\n2 80\n", Files.readString(dir.resolve(LeaderEpochCache.FILE_NAME)));
        } finally {
            log.close();
        }
    }

    @Test
    void shouldRunRetentionAndCheckpointsOnTheManagersSchedule() throws Exception {
        MockTime time = new MockTime(T0 + 60_000);
        LogManagerConfig settings = LogManagerConfig.defaults()
                .withTime(time)
                .withRetentionCheckIntervalMs(50)
                .withCheckpointIntervalMs(50)
                .withFileDeleteDelayMs(50);
        try (LogManager m = new LogManager(List.of(tmp), SMALL, settings)) {
            m.startup();
            PartitionLog log = m.getOrCreate(TP, Uuid.randomUuid(), SMALL.withRetentionMs(10_000));
            for (int i = 0; i < 60; i++) log.appendAsLeader(TestRecords.batch(2, 100, T0 + i * 1000L, i), 0);
            log.updateHighWatermark(110);
            Path cp = log.dir().resolve(LogCheckpoints.CHECKPOINT_FILE);
            Wait.waitUntil("retention ran", Duration.ofSeconds(10), () -> log.logStartOffset() > 0);
            Wait.waitUntil(
                    "a checkpoint holds highWatermark 110",
                    Duration.ofSeconds(10),
                    () -> Files.exists(cp) && Files.readString(cp).contains("highWatermark 110"));
            Wait.waitUntil("deleted files removed after the delay", Duration.ofSeconds(10), () -> {
                try (Stream<Path> files = Files.list(log.dir())) {
                    return files.noneMatch(p -> p.toString().endsWith(".deleted"));
                }
            });
        }
    }
}
