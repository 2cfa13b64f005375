package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTest {
    static final TopicPartition TP = new TopicPartition("orders", 3);

    @TempDir
    Path tmp;

    private final List<PartitionLog> opened = new ArrayList<>();

    PartitionLog open(LogConfig cfg) {
        PartitionLog l = PartitionLog.open(tmp.resolve("orders-3"), TP, Uuid.randomUuid(), cfg);
        opened.add(l);
        return l;
    }

    @AfterEach
    void closeAll() {
        for (PartitionLog l : opened) l.close();
    }

    @Test
    void shouldAssignOffsetsAndReadBackTheSameBytes() {
        PartitionLog log = open(LogConfig.defaults());
        MemoryRecords b1 = TestRecords.batch(5, 100);
        MemoryRecords b2 = TestRecords.batch(3, 50);
        AppendResult r1 = log.appendAsLeader(b1, 7);
        AppendResult r2 = log.appendAsLeader(b2, 7);
        assertEquals(0, r1.firstOffset());
        assertEquals(4, r1.lastOffset());
        assertEquals(5, r2.firstOffset());
        assertEquals(7, r2.lastOffset());
        assertEquals(8, log.logEndOffset());
        assertEquals(5, r1.recordCount());
        assertEquals(b1.sizeInBytes(), r1.validBytes());

        LogReadResult read = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, false);
        assertInstanceOf(FileSlice.class, read.records());
        List<MutableRecordBatch> batches = TestRecords.batches(read.records());
        assertEquals(2, batches.size());
        assertEquals(7, batches.get(0).partitionLeaderEpoch());
        // the caller's buffers were stamped in place and are what the log holds, byte for byte
        byte[] expected = TestRecords.bytes(TestRecords.concat(b1, b2));
        assertArrayEquals(expected, TestRecords.bytes(read.records()));
        assertEquals(8, read.logEndOffset());
        assertEquals(0, read.logStartOffset());
    }

    @Test
    void shouldStartReadsAtTheBatchContainingAMidBatchOffset() {
        PartitionLog log = open(LogConfig.defaults());
        for (int i = 0; i < 10; i++) log.appendAsLeader(TestRecords.batch(10, 20), 0);
        LogReadResult r = log.read(35, Integer.MAX_VALUE, Long.MAX_VALUE, false);
        TestRecords.assertOffsets(r.records(), 30, 99);
        r = log.read(39, Integer.MAX_VALUE, 60, false);
        TestRecords.assertOffsets(r.records(), 30, 59);
        r = log.read(99, Integer.MAX_VALUE, Long.MAX_VALUE, false);
        TestRecords.assertOffsets(r.records(), 90, 99);
    }

    @Test
    void shouldHonourMaxBytesAndMinOneBatchAndMaxOffset() {
        PartitionLog log = open(LogConfig.defaults());
        MemoryRecords b = TestRecords.batch(10, 100);
        int size = b.sizeInBytes();
        log.appendAsLeader(b, 0);
        for (int i = 0; i < 4; i++) log.appendAsLeader(TestRecords.batch(10, 100), 0);
        assertEquals(0, log.read(0, size - 1, Long.MAX_VALUE, false).records().sizeInBytes());
        TestRecords.assertOffsets(log.read(0, size - 1, Long.MAX_VALUE, true).records(), 0, 9);
        TestRecords.assertOffsets(
                log.read(0, size * 2 + 5, Long.MAX_VALUE, false).records(), 0, 19);
        // never a batch whose last offset reaches maxOffsetExclusive (the high watermark)
        assertEquals(0, log.read(0, Integer.MAX_VALUE, 9, true).records().sizeInBytes());
        TestRecords.assertOffsets(log.read(0, Integer.MAX_VALUE, 25, true).records(), 0, 19);
        // at the end: empty; beyond or below: out of range
        assertEquals(0, log.read(50, 1000, Long.MAX_VALUE, true).records().sizeInBytes());
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(51, 1000, Long.MAX_VALUE, true));
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(-1, 1000, Long.MAX_VALUE, true));
    }

    @Test
    void shouldRollSegmentsAndReadAcrossTheirBoundaries() {
        PartitionLog log = open(LogConfig.defaults().withSegmentBytes(4096).withIndexIntervalBytes(256));
        List<Long> firsts = new ArrayList<>();
        for (int i = 0; i < 100; i++)
            firsts.add(log.appendAsLeader(TestRecords.batch(3, 60), 1).firstOffset());
        assertTrue(log.numberOfSegments() > 5, "segments: " + log.numberOfSegments());
        for (LogSegment s : log.segmentsForTest()) assertTrue(s.size() <= 4096);
        // every offset, in particular segment base offsets and the offsets just before them, reads from its batch
        for (long off = 0; off < 300; off++) {
            LogReadResult r = log.read(off, 1, Long.MAX_VALUE, true);
            List<MutableRecordBatch> bs = TestRecords.batches(r.records());
            assertEquals(1, bs.size());
            assertTrue(bs.get(0).baseOffset() <= off && off <= bs.get(0).lastOffset(), "offset " + off);
        }
        for (LogSegment s : log.segmentsForTest()) {
            long base = s.baseOffset();
            TestRecords.assertOffsets(log.read(base, 1, Long.MAX_VALUE, true).records(), base, base + 2);
            if (base > 0)
                TestRecords.assertOffsets(
                        log.read(base - 1, 1, Long.MAX_VALUE, true).records(), base - 3, base - 1);
        }
        // a read stops at the end of a segment
        LogSegment second = log.segmentsForTest().get(1);
        LogReadResult r = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, false);
        assertEquals(second.baseOffset(), ((FileSlice) r.records()).nextOffset());
        assertEquals(300, log.logEndOffset());
    }

    @Test
    void shouldReopenAfterCleanCloseWithoutRecovery() throws Exception {
        Path dir = tmp.resolve("orders-3");
        LogConfig cfg = LogConfig.defaults().withSegmentBytes(2048);
        PartitionLog log = PartitionLog.open(dir, TP, Uuid.randomUuid(), cfg);
        for (int i = 0; i < 40; i++) log.appendAsLeader(TestRecords.batch(2, 50), 4);
        byte[] all = TestRecords.bytes(
                log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, false).records());
        int segs = log.numberOfSegments();
        log.close();
        assertTrue(Files.exists(dir.resolve(LogCheckpoints.CLEAN_SHUTDOWN_FILE)));

        PartitionLog again = PartitionLog.open(dir, TP, null, cfg);
        opened.add(again);
        assertEquals(80, again.logEndOffset());
        assertEquals(segs, again.numberOfSegments());
        assertArrayEquals(
                all,
                TestRecords.bytes(
                        again.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, false).records()));
        // the marker stays until the first write, then goes
        assertTrue(Files.exists(dir.resolve(LogCheckpoints.CLEAN_SHUTDOWN_FILE)));
        again.appendAsLeader(TestRecords.batch(2, 50), 4);
        assertFalse(Files.exists(dir.resolve(LogCheckpoints.CLEAN_SHUTDOWN_FILE)));
        assertEquals(82, again.logEndOffset());
    }

    @Test
    void shouldRecoverAfterUncleanStop() throws Exception {
        Path dir = tmp.resolve("orders-3");
        LogConfig cfg = LogConfig.defaults().withSegmentBytes(2048);
        PartitionLog log = PartitionLog.open(dir, TP, Uuid.randomUuid(), cfg);
        for (int i = 0; i < 40; i++) log.appendAsLeader(TestRecords.batch(2, 50), 4);
        byte[] all = TestRecords.bytes(
                log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, false).records());
        log.close();
        Files.delete(dir.resolve(LogCheckpoints.CLEAN_SHUTDOWN_FILE));
        PartitionLog again = PartitionLog.open(dir, TP, null, cfg);
        opened.add(again);
        assertEquals(80, again.logEndOffset());
        assertArrayEquals(
                all,
                TestRecords.bytes(
                        again.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, false).records()));
        assertEquals(List.of(new EpochEntry(4, 0)), again.epochEntries());
    }

    @Test
    void shouldMakeAppendsDurableWithGroupCommit() throws Exception {
        PartitionLog log = open(LogConfig.defaults());
        assertTrue(log.config().fsyncBeforeAck());
        List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        log.addDurableListener(seen::add);
        AppendResult r = log.appendAsLeader(TestRecords.batch(5, 10), 0);
        log.awaitDurable(r.nextOffset()).get(10, TimeUnit.SECONDS);
        assertTrue(log.durableEndOffset() >= 5);
        assertTrue(log.awaitDurable(3).isDone());
        // listeners are called on the flusher thread, right after the futures complete
        Wait.waitUntil(
                "a listener saw offset 5",
                Duration.ofSeconds(10),
                () -> !seen.isEmpty() && seen.get(seen.size() - 1) == 5L);
    }

    @Test
    void shouldReportLogEndAsDurableInRelaxedMode() {
        PartitionLog log = open(LogConfig.defaults().withFsyncBeforeAck(false));
        AppendResult r = log.appendAsLeader(TestRecords.batch(5, 10), 0);
        assertEquals(5, log.durableEndOffset());
        assertTrue(log.awaitDurable(r.nextOffset()).isDone());
    }
}
