package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Truncation keeps indexes, epoch cache, high watermark and durability consistent. */
class TruncationTest {
    static final TopicPartition TP = new TopicPartition("tr", 0);
    static final LogConfig CFG = LogConfig.defaults().withSegmentBytes(2000).withIndexIntervalBytes(100);

    @TempDir
    Path tmp;

    Path dir;
    PartitionLog log;

    @BeforeEach
    void open() {
        dir = tmp.resolve("tr-0");
        log = PartitionLog.open(dir, TP, Uuid.randomUuid(), CFG);
        // 50 batches of 2 records, epochs 1 (offsets 0..39), 2 (40..79), 3 (80..99)
        for (int i = 0; i < 50; i++)
            log.appendAsLeader(TestRecords.batch(2, 60, 1000 + i, i), i < 20 ? 1 : i < 40 ? 2 : 3);
        log.updateHighWatermark(90);
    }

    @AfterEach
    void close() {
        log.close();
    }

    @Test
    void shouldTruncateInsideAnOlderSegmentAndAppendAgain() throws Exception {
        int before = log.numberOfSegments();
        assertTrue(before > 3);
        byte[] prefix =
                TestRecords.bytes(log.read(0, Integer.MAX_VALUE, 50, true).records());
        log.truncateTo(50);
        assertEquals(50, log.logEndOffset());
        assertEquals(50, log.highWatermark(), "high watermark never above the log end");
        assertTrue(log.numberOfSegments() < before);
        assertEquals(List.of(new EpochEntry(1, 0), new EpochEntry(2, 40)), log.epochEntries());
        assertEquals(new EpochEndOffset(2, 50), log.endOffsetForEpoch(2));
        assertEquals(EpochEndOffset.UNDEFINED, log.endOffsetForEpoch(3), "epoch 3 is gone: above every known epoch");
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(51, 100, Long.MAX_VALUE, true));
        // a new leader epoch continues at 50; reads across the old boundary are consistent
        for (int i = 0; i < 30; i++) log.appendAsLeader(TestRecords.batch(2, 60, 5000 + i, 100 + i), 4);
        assertEquals(110, log.logEndOffset());
        for (long off = 0; off < 110; off++) {
            var bs = TestRecords.batches(log.read(off, 1, Long.MAX_VALUE, true).records());
            assertTrue(bs.get(0).baseOffset() <= off && off <= bs.get(0).lastOffset());
            assertEquals(off < 40 ? 1 : off < 50 ? 2 : 4, bs.get(0).partitionLeaderEpoch());
        }
        assertEquals(50, log.offsetForTimestamp(5000).orElseThrow().offset(), "time index rebuilt past the cut");
        assertEquals(50, log.offsetForTimestamp(1030).orElseThrow().offset(), "no record from the dropped tail");
        assertArrayEquals(
                prefix,
                TestRecords.bytes(log.read(0, Integer.MAX_VALUE, 50, true).records()));
        // and all of it survives a restart
        log.close();
        log = PartitionLog.open(dir, TP, null, CFG);
        assertEquals(110, log.logEndOffset());
        assertEquals(List.of(new EpochEntry(1, 0), new EpochEntry(2, 40), new EpochEntry(4, 50)), log.epochEntries());
        assertArrayEquals(
                prefix,
                TestRecords.bytes(log.read(0, Integer.MAX_VALUE, 50, true).records()));
    }

    @Test
    void shouldTruncateAtASegmentBoundary() {
        LogSegment third = log.segmentsForTest().get(2);
        long base = third.baseOffset();
        log.truncateTo(base);
        assertEquals(base, log.logEndOffset());
        assertEquals(3, log.numberOfSegments(), "the segment at the cut stays, empty, as the active one");
        assertEquals(0, log.activeSegmentForTest().size());
        assertEquals(base, log.appendAsLeader(TestRecords.batch(1, 10), 9).firstOffset());
    }

    @Test
    void shouldDropTheWholeBatchContainingAMidBatchOffset() {
        log.truncateTo(31); // batch 30..31
        assertEquals(30, log.logEndOffset());
    }

    @Test
    void shouldFailDurableWaitersAboveTheCut() throws Exception {
        log.updateConfig(CFG.withFsyncBeforeAck(false).withFlushIntervalMessages(Long.MAX_VALUE));
        log.updateConfig(CFG); // durable again: a flush is due
        log.awaitDurable(100).get(10, TimeUnit.SECONDS);
        MemoryRecords more = TestRecords.batch(2, 10);
        // block the flusher by holding no lock: just truncate right after an append and check the future's outcome
        AppendResult r = log.appendAsLeader(more, 3);
        CompletableFuture<Void> f = log.awaitDurable(r.nextOffset());
        log.truncateTo(100);
        try {
            f.get(10, TimeUnit.SECONDS); // it may have been fsynced before the truncation
        } catch (ExecutionException e) {
            assertInstanceOf(LogTruncatedException.class, e.getCause());
        }
        assertTrue(log.durableEndOffset() <= log.logEndOffset());
        assertEquals(100, log.logEndOffset());
        CompletableFuture<Void> beyond = log.awaitDurable(150);
        ExecutionException e = assertThrows(ExecutionException.class, () -> beyond.get(5, TimeUnit.SECONDS));
        assertInstanceOf(LogTruncatedException.class, e.getCause());
    }

    @Test
    void shouldTruncateFullyAndStartAtANewOffset() throws Exception {
        log.truncateFullyAndStartAt(500);
        assertEquals(500, log.logStartOffset());
        assertEquals(500, log.logEndOffset());
        assertEquals(500, log.highWatermark());
        assertEquals(1, log.numberOfSegments());
        assertTrue(log.epochEntries().isEmpty());
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(10, 100, Long.MAX_VALUE, true));
        assertTrue(log.read(500, 100, Long.MAX_VALUE, true).isEmpty());
        MemoryRecords f = TestRecords.withOffsets(500, 7, 3, 9000L);
        log.appendAsFollower(f);
        assertEquals(503, log.logEndOffset());
        assertEquals(List.of(new EpochEntry(7, 500)), log.epochEntries());
        log.close();
        log = PartitionLog.open(dir, TP, null, CFG);
        assertEquals(500, log.logStartOffset());
        assertEquals(503, log.logEndOffset());
        try (var files = Files.list(dir)) {
            assertTrue(
                    files.noneMatch(p -> p.getFileName().toString().startsWith("00000000000000000000")),
                    "old segments gone after restart");
        }
    }

    @Test
    void shouldTruncateFullyWhenTheTargetIsBelowTheFirstSegment() {
        log.updateHighWatermark(100);
        log.deleteRecordsBefore(60);
        long first = log.segmentsForTest().get(0).baseOffset();
        assertTrue(first > 10);
        log.truncateTo(10);
        assertEquals(10, log.logStartOffset());
        assertEquals(10, log.logEndOffset());
    }
}
