package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log cleaner's seam: closed segments swapped for rewritten ones under the log lock. */
class ReplaceSegmentsTest {
    static final TopicPartition TP = new TopicPartition("rs", 0);
    static final LogConfig CFG = LogConfig.defaults().withSegmentBytes(1500).withIndexIntervalBytes(100);

    @TempDir
    Path tmp;

    @Test
    void shouldServeTheReplacementOfTwoClosedSegmentsAndDeleteThem() throws Exception {
        Path dir = tmp.resolve("rs-0");
        long from;
        long to;
        try (PartitionLog log = PartitionLog.open(dir, TP, Uuid.randomUuid(), CFG)) {
            for (int i = 0; i < 30; i++) log.appendAsLeader(TestRecords.batch(2, 60, 1000 + i, i), 1);
            List<LogSegment> segs = log.segmentsForTest();
            assertTrue(segs.size() >= 4, "segments: " + segs.size());
            LogSegment a = segs.get(1);
            LogSegment b = segs.get(2);
            from = a.baseOffset();
            to = segs.get(3).baseOffset();
            // a "cleaned" copy of a and b without their first batch, at the base offset of what survives
            byte[] restOfA = TestRecords.bytes(
                    log.read(from + 2, Integer.MAX_VALUE, to, true).records());
            byte[] allOfB = TestRecords.bytes(
                    log.read(b.baseOffset(), Integer.MAX_VALUE, to, true).records());
            byte[] kept = ByteBuffer.allocate(restOfA.length + allOfB.length)
                    .put(restOfA)
                    .put(allOfB)
                    .array();
            LogSegment cleaned = LogSegment.create(dir, from + 2, CFG.maxIndexSizeBytes(), 0);
            ByteBuffer data = ByteBuffer.wrap(kept);
            List<BatchHeader> headers = BatchValidator.validate(
                    TP, data.duplicate(), CFG.withSegmentBytes(1 << 20), BatchValidator.Origin.REPLICATION);
            cleaned.append(data, headers, CFG.indexIntervalBytes());
            cleaned.flush();
            long end = log.logEndOffset();

            log.replaceSegments(List.of(a, b), List.of(cleaned));

            assertEquals(segs.size() - 1, log.numberOfSegments());
            assertArrayEquals(
                    kept,
                    TestRecords.bytes(
                            log.read(from, Integer.MAX_VALUE, to, true).records()));
            TestRecords.assertOffsets(
                    log.read(from, Integer.MAX_VALUE, to, true).records(), from + 2, to - 1);
            assertEquals(end, log.logEndOffset());
            assertFalse(Files.exists(LogSegment.logFile(dir, from)), "the old files are renamed for deletion");
            assertTrue(Files.exists(LogSegment.logFile(dir, from + 2)));

            LogSegment active = log.activeSegmentForTest();
            assertThrows(
                    IllegalArgumentException.class,
                    () -> log.replaceSegments(List.of(active), List.of()),
                    "the active segment is never replaced");
            assertThrows(
                    IllegalArgumentException.class,
                    () -> log.replaceSegments(List.of(segs.get(0), segs.get(3)), List.of()),
                    "only consecutive segments");
        }
        try (PartitionLog again = PartitionLog.open(dir, TP, null, CFG)) {
            assertEquals(60, again.logEndOffset());
            TestRecords.assertOffsets(
                    again.read(from, Integer.MAX_VALUE, to, true).records(), from + 2, to - 1);
        }
    }
}
