package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ListOffsets by timestamp through the time index, across segments and restarts. */
class TimestampLookupTest {
    static final TopicPartition TP = new TopicPartition("ts", 0);

    @TempDir
    Path tmp;

    record Rec(long offset, long ts, int epoch) {}

    /** Kafka's rule, by brute force: the first record in offset order whose timestamp is >= target. */
    static Optional<Rec> expected(List<Rec> all, long target) {
        return all.stream().filter(r -> r.ts >= target).findFirst();
    }

    @Test
    void shouldFindTheFirstOffsetAtOrAfterATimestamp() {
        Path dir = tmp.resolve("ts-0");
        LogConfig cfg = LogConfig.defaults().withSegmentBytes(1500).withIndexIntervalBytes(150);
        List<Rec> all = new ArrayList<>();
        Random rnd = new Random(42);
        PartitionLog log = PartitionLog.open(dir, TP, Uuid.randomUuid(), cfg);
        long base = 1_000_000;
        for (int b = 0; b < 60; b++) {
            int n = 1 + rnd.nextInt(4);
            long[] ts = new long[n];
            for (int i = 0; i < n; i++) ts[i] = base + b * 10 + rnd.nextInt(25) - 8; // overlapping, out of order
            int epoch = b / 20;
            AppendResult r = log.appendAsLeader(TestRecords.batchWithTimestamps(ts), epoch);
            for (int i = 0; i < n; i++) all.add(new Rec(r.firstOffset() + i, ts[i], epoch));
        }
        assertTrue(log.numberOfSegments() > 3);
        check(log, all);
        long end = log.logEndOffset();
        log.close();

        PartitionLog clean = PartitionLog.open(dir, TP, null, cfg);
        assertEquals(end, clean.logEndOffset());
        check(clean, all);
        clean.close();

        try {
            Files.delete(dir.resolve(LogCheckpoints.CLEAN_SHUTDOWN_FILE));
            Files.delete(
                    dir.resolve(LogCheckpoints.CHECKPOINT_FILE)); // recover everything, rebuilding every time index
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        PartitionLog recovered = PartitionLog.open(dir, TP, null, cfg);
        try {
            check(recovered, all);
        } finally {
            recovered.close();
        }
    }

    private static void check(PartitionLog log, List<Rec> all) {
        long min = all.stream().mapToLong(Rec::ts).min().orElseThrow();
        long max = all.stream().mapToLong(Rec::ts).max().orElseThrow();
        for (long t = min - 3; t <= max + 3; t++) {
            Optional<Rec> e = expected(all, t);
            Optional<TimestampOffset> got = log.offsetForTimestamp(t);
            assertEquals(e.isPresent(), got.isPresent(), "timestamp " + t);
            if (e.isPresent()) {
                assertEquals(e.get().offset, got.get().offset(), "offset for timestamp " + t);
                assertEquals(e.get().ts, got.get().timestamp(), "timestamp for " + t);
                assertEquals(e.get().epoch, got.get().leaderEpoch(), "epoch for " + t);
            }
        }
        Rec firstMax = all.stream().filter(r -> r.ts == max).findFirst().orElseThrow();
        TimestampOffset m = log.offsetOfMaxTimestamp().orElseThrow();
        assertEquals(firstMax.offset, m.offset());
        assertEquals(max, m.timestamp());
        assertEquals(
                firstMax.offset,
                log.offsetForTimestamp(PartitionLog.MAX_TIMESTAMP).orElseThrow().offset());
        assertEquals(
                log.logStartOffset(),
                log.offsetForTimestamp(PartitionLog.EARLIEST_TIMESTAMP)
                        .orElseThrow()
                        .offset());
        TimestampOffset latest =
                log.offsetForTimestamp(PartitionLog.LATEST_TIMESTAMP).orElseThrow();
        assertEquals(log.logEndOffset(), latest.offset());
        assertEquals(2, latest.leaderEpoch());
    }

    @Test
    void shouldAnswerEmptyForAnEmptyLogAndRespectTheLogStartOffset() {
        PartitionLog log = PartitionLog.open(
                tmp.resolve("ts-1"),
                new TopicPartition("ts", 1),
                Uuid.randomUuid(),
                LogConfig.defaults().withSegmentBytes(1000).withIndexIntervalBytes(1));
        try {
            assertTrue(log.offsetForTimestamp(0).isEmpty());
            assertTrue(log.offsetOfMaxTimestamp().isEmpty());
            for (int i = 0; i < 30; i++) log.appendAsLeader(TestRecords.batchWithTimestamps(100 + i, 100 + i), 0);
            log.updateHighWatermark(log.logEndOffset());
            log.deleteRecordsBefore(21); // inside the batch 20..21
            assertEquals(21, log.offsetForTimestamp(0).orElseThrow().offset());
            assertEquals(21, log.offsetForTimestamp(110).orElseThrow().offset());
            assertEquals(22, log.offsetForTimestamp(111).orElseThrow().offset());
            assertEquals(
                    21,
                    log.offsetForTimestamp(PartitionLog.EARLIEST_TIMESTAMP)
                            .orElseThrow()
                            .offset());
            assertTrue(log.offsetForTimestamp(1000).isEmpty());
        } finally {
            log.close();
        }
    }
}
