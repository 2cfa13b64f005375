package io.strand.wal.cleaner;

import static io.strand.wal.cleaner.CompactedLogs.COMPACTED;
import static io.strand.wal.cleaner.CompactedLogs.keyed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.wal.CompactionConfig;
import io.strand.wal.LogConfig;
import io.strand.wal.LogManager;
import io.strand.wal.LogManagerConfig;
import io.strand.wal.PartitionLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log cleaner on real logs of a {@link LogManager}: what survives a cleaning, and what does not. */
class LogCleanerTest {
    static final TopicPartition TP = new TopicPartition("compacted", 0);

    @TempDir
    Path tmp;

    LogManager logs;
    LogCleaner cleaner;

    @BeforeEach
    void start() {
        open(CleanerConfig.defaults());
    }

    void open(CleanerConfig cfg) {
        logs = new LogManager(List.of(tmp), COMPACTED, LogManagerConfig.defaults());
        logs.startup();
        cleaner = new LogCleaner(logs, cfg, Time.SYSTEM);
    }

    @AfterEach
    void stop() {
        cleaner.close();
        logs.close();
    }

    PartitionLog log(LogConfig cfg) {
        return logs.getOrCreate(TP, Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ"), cfg);
    }

    /** Appends {@code rounds} batches writing every one of {@code keys} keys; the value says which round. */
    static Map<Long, String> overwrite(PartitionLog log, int keys, int rounds) {
        Map<Long, String> written = new HashMap<>();
        for (int r = 0; r < rounds; r++) {
            String[] kv = new String[keys * 2];
            for (int k = 0; k < keys; k++) {
                kv[2 * k] = "key-" + k;
                kv[2 * k + 1] = "round-" + r + "-" + "x".repeat(40);
            }
            long first =
                    log.appendAsLeader(keyed(System.currentTimeMillis(), kv), 0).firstOffset();
            for (int k = 0; k < keys; k++) written.put(first + k, kv[2 * k + 1]);
        }
        log.updateHighWatermark(log.logEndOffset());
        return written;
    }

    @Test
    void shouldKeepOnlyTheLatestValueOfEachKeyAtItsOriginalOffset() throws Exception {
        PartitionLog log = log(COMPACTED);
        Map<Long, String> written = overwrite(log, 20, 60);
        long sizeBefore = log.sizeInBytes();
        long end = log.logEndOffset();

        assertEquals(1, cleaner.cleanAllNow());

        List<CompactedLogs.Entry> after = CompactedLogs.read(log);
        long active = log.cleanable().activeSegmentBaseOffset();
        Set<String> seenBelowActive = new HashSet<>();
        long previous = -1;
        for (CompactedLogs.Entry e : after) {
            assertTrue(e.offset() > previous, "offsets increase: " + e);
            previous = e.offset();
            assertEquals(written.get(e.offset()), e.value(), "each record is at its original offset");
            if (e.offset() < active) assertTrue(seenBelowActive.add(e.key()), "one record per key: " + e);
        }
        Map<String, CompactedLogs.Entry> latest = CompactedLogs.latest(after);
        assertEquals(20, latest.size());
        for (CompactedLogs.Entry e : latest.values()) assertTrue(e.value().startsWith("round-59-"), e.toString());
        assertTrue(log.sizeInBytes() < sizeBefore / 4, "shrank from " + sizeBefore + " to " + log.sizeInBytes());
        assertEquals(end, log.logEndOffset());
        assertEquals(0, cleaner.cleanAllNow(), "nothing dirty is left");

        cleaner.close();
        logs.close();
        open(CleanerConfig.defaults());
        PartitionLog again = log(COMPACTED);
        assertEquals(after, CompactedLogs.read(again), "the cleaned log reopens as it was");
        try (Stream<Path> files = Files.list(again.dir())) {
            assertTrue(files.noneMatch(
                    p -> p.toString().endsWith(".cleaned") || p.toString().endsWith(".swap")));
        }
    }

    @Test
    void shouldCleanInSeveralPassesWhenTheKeyMapIsSmall() throws Exception {
        cleaner.close();
        logs.close();
        // 4096 slots at a 0.9 load factor: 3686 keys per pass
        open(CleanerConfig.defaults().withDedupeBufferSize(4096L * 24));
        PartitionLog log = log(COMPACTED.withSegmentBytes(64 * 1024));
        for (int r = 0; r < 3; r++) {
            for (int b = 0; b < 100; b++) {
                String[] kv = new String[100];
                for (int k = 0; k < 50; k++) {
                    kv[2 * k] = "key-" + (b * 50 + k);
                    kv[2 * k + 1] = "r" + r;
                }
                log.appendAsLeader(keyed(System.currentTimeMillis(), kv), 0);
            }
        }
        log.updateHighWatermark(log.logEndOffset());
        int passes = 0;
        while (cleaner.cleanAllNow() > 0) passes++;
        assertTrue(passes >= 2, "5000 keys need more than one pass of a 3686-key map: " + passes);
        Map<String, CompactedLogs.Entry> latest = CompactedLogs.latest(CompactedLogs.read(log));
        assertEquals(5000, latest.size());
        long active = log.cleanable().activeSegmentBaseOffset();
        Set<String> keys = new HashSet<>();
        for (CompactedLogs.Entry e : CompactedLogs.read(log)) {
            if (e.offset() < active) assertTrue(keys.add(e.key()), "one record per key below the active segment: " + e);
        }
        for (CompactedLogs.Entry e : latest.values()) assertEquals("r2", e.value());
    }

    @Test
    void shouldKeepTombstonesForDeleteRetentionThenRemoveThemAtALaterCleaning() throws Exception {
        LogConfig cfg = COMPACTED.withCompaction(COMPACTED.compaction().withDeleteRetentionMs(300));
        PartitionLog log = log(cfg);
        overwrite(log, 10, 20);
        log.appendAsLeader(keyed(System.currentTimeMillis(), "key-3", null, "key-7", null), 0);
        overwrite(log, 0, 0);
        fillOtherKeys(log, "a");
        cleaner.cleanAllNow();
        Map<String, CompactedLogs.Entry> latest = CompactedLogs.latest(CompactedLogs.read(log));
        assertTrue(latest.containsKey("key-3"), "the tombstone is still there after the first cleaning");
        assertNull(latest.get("key-3").value());

        Thread.sleep(400);
        fillOtherKeys(log, "b");
        cleaner.cleanAllNow();
        latest = CompactedLogs.latest(CompactedLogs.read(log));
        assertFalse(latest.containsKey("key-3"), "tombstones go after delete.retention.ms: " + latest.keySet());
        assertFalse(latest.containsKey("key-7"));
        assertEquals(8 + 30, latest.size());
    }

    /** Rolls past whatever was written with enough other keys to make the log dirty again. */
    private static void fillOtherKeys(PartitionLog log, String tag) {
        for (int b = 0; b < 30; b++)
            log.appendAsLeader(keyed(System.currentTimeMillis(), "other-" + b, tag + "-" + "y".repeat(200)), 0);
        log.updateHighWatermark(log.logEndOffset());
    }

    @Test
    void shouldNeverCleanAtOrAboveTheHighWatermark() throws Exception {
        PartitionLog log = log(COMPACTED);
        overwrite(log, 10, 40);
        long hw = 100;
        log.updateHighWatermark(hw);
        cleaner.cleanAllNow();
        List<CompactedLogs.Entry> after = CompactedLogs.read(log);
        long fromHw = after.stream().filter(e -> e.offset() >= hw).count();
        assertEquals(log.logEndOffset() - hw, fromHw, "nothing at or above the high watermark was removed");
    }

    @Test
    void shouldLeaveADeleteOnlyLogAloneAndCompactItOnceItsPolicySaysSo() throws Exception {
        LogConfig deleteOnly = COMPACTED.withCompaction(CompactionConfig.deleteOnly());
        PartitionLog log = log(deleteOnly);
        overwrite(log, 10, 40);
        long size = log.sizeInBytes();
        assertEquals(0, cleaner.cleanAllNow());
        assertEquals(size, log.sizeInBytes());
        log.updateConfig(COMPACTED);
        assertEquals(1, cleaner.cleanAllNow());
        assertTrue(log.sizeInBytes() < size);
    }

    @Test
    void shouldReportItsStateForOperators() throws Exception {
        PartitionLog log = log(COMPACTED);
        overwrite(log, 10, 40);
        LogCleaner.Status before = cleaner.status().get(0);
        assertEquals("compact", before.cleanupPolicy());
        assertTrue(before.dirtyRatio() > 0.9, "all dirty: " + before);
        cleaner.cleanAllNow();
        LogCleaner.Status after = cleaner.status().get(0);
        assertEquals(0.0, after.dirtyRatio(), 1e-9);
        assertTrue(after.lastCleanedMs() > 0);
        assertTrue(cleaner.bytesCleaned() > 0);
        assertEquals(log.cleanable().activeSegmentBaseOffset(), after.firstDirtyOffset());
    }

    @Test
    void shouldMarkALogWithACorruptBatchUncleanableAndNotTryItAgain() throws Exception {
        PartitionLog log = log(COMPACTED);
        overwrite(log, 10, 40);
        Path dir = log.dir();
        cleaner.close();
        logs.close();
        Path first = dir.resolve("00000000000000000000.log");
        byte[] bytes = Files.readAllBytes(first);
        bytes[200] ^= 0x5a; // inside the records of the first batch: its CRC no longer matches
        Files.write(first, bytes);
        open(CleanerConfig.defaults());
        log = log(COMPACTED);
        log.updateHighWatermark(log.logEndOffset());
        long size = log.sizeInBytes();

        assertEquals(0, cleaner.cleanAllNow());
        assertEquals(1, cleaner.uncleanablePartitionsCount());
        LogCleaner.Status status = cleaner.status().get(0);
        assertTrue(status.uncleanableReason().orElseThrow().contains("CRC"), status.toString());
        assertEquals(0, cleaner.cleanAllNow(), "not tried again");
        assertEquals(size, log.sizeInBytes(), "the log is left as it was");
        assertTrue(log.cleanable().isUsable(), "and keeps being served");
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".cleaned")), "the cleaned segment was deleted");
        }
    }

    @Test
    void shouldRefuseTheSwapWhenTheLogWasTruncatedOrLostSegmentsMeanwhile() throws Exception {
        PartitionLog log = log(COMPACTED);
        overwrite(log, 10, 60);
        io.strand.wal.CleanableLog c = log.cleanable();
        List<io.strand.wal.CleanableSegment> segs = c.segments(0, Long.MAX_VALUE);
        assertTrue(segs.size() >= 4, "segments: " + segs.size());

        long truncations = c.truncations();
        io.strand.wal.CleanedSegment cleaned = c.newCleanedSegment(segs.get(2).baseOffset());
        cleaned.finish(System.currentTimeMillis());
        log.truncateTo(log.logEndOffset() - 5);
        assertFalse(c.replace(segs.subList(2, 3), cleaned, truncations), "truncated meanwhile");

        cleaned = c.newCleanedSegment(segs.get(0).baseOffset());
        cleaned.finish(System.currentTimeMillis());
        log.updateHighWatermark(log.logEndOffset());
        log.deleteRecordsBefore(segs.get(1).baseOffset());
        log.deleteExpiredSegments(System.currentTimeMillis());
        assertFalse(c.replace(segs.subList(0, 2), cleaned, c.truncations()), "its first segment went meanwhile");
        try (Stream<Path> files = Files.list(log.dir())) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".cleaned")), "refused cleaned segments are deleted");
        }
        assertEquals(1, cleaner.cleanAllNow(), "and the next cleaning goes ahead");
    }

    @Test
    void shouldLeaveRecordsYoungerThanTheMinCompactionLagAlone() throws Exception {
        LogConfig lagged = COMPACTED.withCompaction(COMPACTED.compaction().withMinCompactionLagMs(3_600_000));
        PartitionLog log = log(lagged);
        overwrite(log, 10, 40); // timestamps: now
        long size = log.sizeInBytes();
        assertEquals(0, cleaner.cleanAllNow(), "nothing is an hour old");
        assertEquals(size, log.sizeInBytes());
        log.updateConfig(lagged.withCompaction(lagged.compaction().withMinCompactionLagMs(1)));
        Thread.sleep(5);
        assertEquals(1, cleaner.cleanAllNow());
        assertTrue(log.sizeInBytes() < size);
    }

    @Test
    void shouldCleanALogWhoseOldestDirtyRecordPassedTheMaxCompactionLagWhateverItsDirtyRatio() throws Exception {
        LogConfig strict = COMPACTED.withCompaction(COMPACTED.compaction().withMinCleanableDirtyRatio(0.99));
        PartitionLog log = log(strict);
        overwrite(log, 10, 40);
        assertEquals(1, cleaner.cleanDueNow(), "all dirty: ratio 1");
        overwrite(log, 10, 8); // a little dirt on a clean log
        assertEquals(0, cleaner.cleanDueNow(), "below min.cleanable.dirty.ratio");
        Thread.sleep(20);
        log.updateConfig(strict.withCompaction(strict.compaction().withMaxCompactionLagMs(10)));
        assertEquals(1, cleaner.cleanDueNow(), "overdue by max.compaction.lag.ms");
    }

    @Test
    void shouldNotCleanAgainAndAgainWhileNothingNewIsCleanable() throws Exception {
        PartitionLog log = log(COMPACTED);
        overwrite(log, 10, 60);
        long unstable = log.cleanable().segments(0, Long.MAX_VALUE).get(2).baseOffset() + 25; // mid-segment
        log.cleanable().setHints(new io.strand.wal.CleanerHints() {
            @Override
            public long firstUnstableOffset() {
                return unstable; // an open transaction's first offset, say
            }

            @Override
            public Map<Long, LastProducerEntry> activeProducers() {
                return Map.of();
            }
        });
        assertEquals(1, cleaner.cleanDueNow());
        long cleanings = cleaner.cleanings();
        assertEquals(0, cleaner.cleanDueNow(), "nothing below the unstable offset is dirty now");
        assertEquals(0, cleaner.cleanAllNow());
        assertEquals(cleanings, cleaner.cleanings());
        LogCleaner.Status status = cleaner.status().get(0);
        assertTrue(status.firstDirtyOffset() <= unstable, status.toString());
    }
}
