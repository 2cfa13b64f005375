package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery from damage: torn tails, flipped bytes, junk, bad indexes. */
class CorruptionTest {
    static final TopicPartition TP = new TopicPartition("c", 0);
    static final LogConfig CFG = LogConfig.defaults().withSegmentBytes(3000).withIndexIntervalBytes(200);

    @TempDir
    Path tmp;

    record Written(Path dir, byte[] all, long end, BatchHeader lastBatch, Path activeFile, List<LogSegment> segments) {}

    /** A log of 40 batches over several segments, closed cleanly. */
    private Written write() throws Exception {
        Path dir = tmp.resolve("c-0");
        PartitionLog log = PartitionLog.open(dir, TP, Uuid.randomUuid(), CFG);
        for (int i = 0; i < 40; i++) log.appendAsLeader(TestRecords.batch(3, 80, 1000 + i, i), 1);
        byte[] all = TestRecords.bytes(readAll(log));
        BatchHeader last = log.activeSegmentForTest().lastBatch();
        Written w = new Written(
                dir, all, log.logEndOffset(), last, log.activeSegmentForTest().logFile(), log.segmentsForTest());
        log.close();
        return w;
    }

    private static org.apache.kafka.common.record.internal.BaseRecords readAll(PartitionLog log) {
        // one read per segment, concatenated
        List<byte[]> parts = new ArrayList<>();
        long off = log.logStartOffset();
        while (off < log.logEndOffset()) {
            FileSlice s = (FileSlice)
                    log.read(off, Integer.MAX_VALUE, Long.MAX_VALUE, true).records();
            parts.add(TestRecords.bytes(s));
            off = s.nextOffset();
        }
        int n = parts.stream().mapToInt(p -> p.length).sum();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(n);
        parts.forEach(b::put);
        b.flip();
        return org.apache.kafka.common.record.internal.MemoryRecords.readableRecords(b);
    }

    private static void flip(Path file, long position) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x5a);
        }
    }

    private static void crashed(Path dir) throws Exception {
        Files.deleteIfExists(dir.resolve(LogCheckpoints.CLEAN_SHUTDOWN_FILE));
    }

    private static byte[] prefix(byte[] all, int n) {
        byte[] p = new byte[n];
        System.arraycopy(all, 0, p, 0, n);
        return p;
    }

    @Test
    void shouldRecoverTheSegmentBeforeARecoveryPointThatIsASegmentBase() throws Exception {
        // a checkpoint taken right after a roll, before the pass that fsyncs the rolled segment's indexes: that
        // segment's index may not be durable, so the loader rebuilds it too
        Written w = write();
        LogSegment last = w.segments().get(w.segments().size() - 1);
        LogSegment before = w.segments().get(w.segments().size() - 2);
        Path index = SegmentIndexes.indexFile(w.dir(), before.baseOffset());
        byte[] intact = Files.readAllBytes(index);
        assertTrue(intact.length > 16, "the segment has index entries");
        try (RandomAccessFile raf = new RandomAccessFile(index.toFile(), "rw")) {
            raf.write(new byte[8]); // its first entry never reached the disk
        }
        CheckpointFile.write(
                w.dir().resolve(LogCheckpoints.CHECKPOINT_FILE),
                new LogCheckpoints.Offsets(last.baseOffset(), w.end(), 0, -1).content());
        crashed(w.dir());
        try (LogCapture logs = new LogCapture()) {
            PartitionLog log = PartitionLog.open(w.dir(), TP, null, CFG);
            try {
                assertTrue(
                        logs.messages("INFO").stream()
                                .anyMatch(
                                        m -> m.contains("Recovering 2 segment(s) from offset " + before.baseOffset())),
                        logs.messages("INFO").toString());
                assertEquals(w.end(), log.logEndOffset());
                assertArrayEquals(w.all(), TestRecords.bytes(readAll(log)));
            } finally {
                log.close();
            }
        }
        assertArrayEquals(intact, Files.readAllBytes(index), "the index rebuilt and trimmed to its entries");
    }

    @Test
    void shouldTruncateExactlyAtAFlippedByteInTheLastBatch() throws Exception {
        Written w = write();
        flip(w.activeFile(), w.lastBatch().position() + 70); // inside the records
        crashed(w.dir());
        try (LogCapture logs = new LogCapture()) {
            PartitionLog log = PartitionLog.open(w.dir(), TP, null, CFG);
            try {
                assertEquals(w.lastBatch().baseOffset(), log.logEndOffset());
                assertEquals(w.lastBatch().position(), Files.size(w.activeFile()));
                byte[] expected = prefix(w.all(), w.all().length - w.lastBatch().sizeInBytes());
                assertArrayEquals(expected, TestRecords.bytes(readAll(log)));
                assertTrue(
                        logs.messages("WARN").stream()
                                .anyMatch(m -> m.contains(w.activeFile().toString())
                                        && m.contains("offset " + w.lastBatch().baseOffset())
                                        && m.contains("CRC")),
                        logs.messages("WARN").toString());
                // appends continue right there
                assertEquals(
                        w.lastBatch().baseOffset(),
                        log.appendAsLeader(TestRecords.batch(1, 1), 2).firstOffset());
            } finally {
                log.close();
            }
        }
    }

    @Test
    void shouldTruncateATornTailAndTrailingJunk() throws Exception {
        Written w = write();
        byte[] half = new byte[40];
        System.arraycopy(w.all(), (int) (w.all().length - w.lastBatch().sizeInBytes()), half, 0, half.length);
        Files.write(w.activeFile(), half, StandardOpenOption.APPEND);
        crashed(w.dir());
        try (LogCapture logs = new LogCapture()) {
            PartitionLog log = PartitionLog.open(w.dir(), TP, null, CFG);
            assertEquals(w.end(), log.logEndOffset());
            assertArrayEquals(w.all(), TestRecords.bytes(readAll(log)));
            assertTrue(logs.messages("WARN").stream()
                    .anyMatch(m -> m.contains(w.activeFile().toString()) && m.contains("torn")));
            log.close();
        }
        Files.write(w.activeFile(), new byte[4096], StandardOpenOption.APPEND); // zeros, like a preallocated tail
        crashed(w.dir());
        PartitionLog log = PartitionLog.open(w.dir(), TP, null, CFG);
        try {
            assertEquals(w.end(), log.logEndOffset());
            assertArrayEquals(w.all(), TestRecords.bytes(readAll(log)));
        } finally {
            log.close();
        }
    }

    @Test
    void shouldDetectACorruptBatchInTheMiddleOfAnOlderSegmentInsteadOfServingIt() throws Exception {
        Written w = write();
        LogSegment older = w.segments().get(1);
        // the second batch of the second segment
        PartitionLog probe = PartitionLog.open(w.dir(), TP, null, CFG);
        BatchHeader victim;
        try {
            LogSegment seg = probe.segmentsForTest().get(1);
            BatchHeader first = seg.readHeader(0);
            victim = seg.readHeader(first.nextPosition());
        } finally {
            probe.close();
        }
        flip(older.logFile(), victim.position() + victim.sizeInBytes() - 3);
        for (boolean clean : new boolean[] {true, false}) {
            if (!clean) crashed(w.dir()); // the recovery point is past this segment: recovery does not scan it
            try (LogCapture logs = new LogCapture()) {
                PartitionLog log = PartitionLog.open(w.dir(), TP, null, CFG);
                try {
                    assertEquals(w.end(), log.logEndOffset());
                    CorruptRecordException e = assertThrows(
                            CorruptRecordException.class,
                            () -> log.read(victim.baseOffset(), Integer.MAX_VALUE, Long.MAX_VALUE, true));
                    assertTrue(
                            e.getMessage().contains(older.logFile().toString())
                                    && e.getMessage().contains("offset " + victim.baseOffset()),
                            e.getMessage());
                    assertTrue(logs.messages("ERROR").stream()
                            .anyMatch(m -> m.contains(older.logFile().toString())));
                    // a read spanning it fails too; reads before and after it work
                    assertThrows(
                            CorruptRecordException.class,
                            () -> log.read(older.baseOffset(), Integer.MAX_VALUE, Long.MAX_VALUE, true));
                    assertEquals(
                            1,
                            TestRecords.batches(log.read(older.baseOffset(), 1, Long.MAX_VALUE, true)
                                            .records())
                                    .size());
                    assertEquals(
                            1,
                            TestRecords.batches(log.read(victim.nextOffset(), 1, Long.MAX_VALUE, true)
                                            .records())
                                    .size());
                    assertThrows(CorruptRecordException.class, () -> {
                        for (RecordBatch b : log.batchesFrom(0)) b.ensureValid();
                    });
                } finally {
                    log.close();
                }
            }
        }
    }

    @Test
    void shouldTruncateAtACorruptBatchInTheMiddleOfTheActiveSegment() throws Exception {
        Written w = write();
        PartitionLog probe = PartitionLog.open(w.dir(), TP, null, CFG);
        LogSegment active = probe.activeSegmentForTest();
        BatchHeader first = active.readHeader(0);
        probe.close();
        assertTrue(first.nextPosition() < w.lastBatch().position(), "at least two batches in the active segment");
        flip(w.activeFile(), first.position() + BatchHeader.LENGTH_OFFSET + 1); // a wild batch length
        crashed(w.dir());
        try (LogCapture logs = new LogCapture()) {
            PartitionLog log = PartitionLog.open(w.dir(), TP, null, CFG);
            try {
                assertEquals(first.baseOffset(), log.logEndOffset());
                assertEquals(0, Files.size(w.activeFile()));
                assertTrue(
                        logs.messages("WARN").stream()
                                .anyMatch(m -> m.contains(w.activeFile().toString())
                                        && m.contains("offset " + first.baseOffset())),
                        logs.messages("WARN").toString());
            } finally {
                log.close();
            }
        }
    }

    @Test
    void shouldRebuildMissingOrInsaneIndexes() throws Exception {
        Written w = write();
        Path firstIndex = SegmentIndexes.indexFile(w.dir(), 0);
        Path secondTimeIndex =
                SegmentIndexes.timeIndexFile(w.dir(), w.segments().get(1).baseOffset());
        Files.delete(firstIndex);
        Files.write(secondTimeIndex, new byte[36]); // zeros: a preallocated, never-trimmed file
        Files.write(
                SegmentIndexes.indexFile(w.dir(), w.segments().get(2).baseOffset()), new byte[13]); // not whole entries
        try (LogCapture logs = new LogCapture()) {
            PartitionLog log = PartitionLog.open(w.dir(), TP, null, CFG);
            try {
                assertEquals(w.end(), log.logEndOffset());
                assertArrayEquals(w.all(), TestRecords.bytes(readAll(log)));
                for (long off = 0; off < w.end(); off++) {
                    var b = TestRecords.batches(
                                    log.read(off, 1, Long.MAX_VALUE, true).records())
                            .get(0);
                    assertTrue(b.baseOffset() <= off && off <= b.lastOffset());
                }
                assertEquals(30, log.offsetForTimestamp(1010).orElseThrow().offset());
                assertTrue(logs.messages("WARN").stream()
                                .filter(m -> m.contains("Rebuilding indexes"))
                                .count()
                        >= 2);
            } finally {
                log.close();
            }
        }
    }

    @Test
    void shouldRecoverEverythingWhenTheCheckpointIsUnreadable() throws Exception {
        Written w = write();
        Files.writeString(w.dir().resolve(LogCheckpoints.CHECKPOINT_FILE), "garbage");
        flip(w.activeFile(), w.lastBatch().position() + 30);
        crashed(w.dir());
        PartitionLog log = PartitionLog.open(w.dir(), TP, null, CFG);
        try {
            assertEquals(w.lastBatch().baseOffset(), log.logEndOffset());
        } finally {
            log.close();
        }
    }
}
