package io.strand.wal.cleaner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.ChildJvm;
import io.strand.testing.SystemTest;
import io.strand.wal.PartitionLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a process whose log cleaner is at work: a child JVM ({@link CleanerCrashChild}) appends keyed records
 * with fsync-before-ack while its (throttled) cleaner keeps cleaning, and is killed with SIGKILL at random moments,
 * many rounds. After every kill the log must open with neither {@code .cleaned} nor {@code .swap} files left, read
 * back as valid batches with increasing offsets, hold every acknowledged record that no later record of its key
 * superseded (at its offset, with its value), and never hold a record at an offset with other content than what
 * was acknowledged there.
 */
@SystemTest
class CleanerCrashTest {
    static final int ROUNDS = 14;

    @TempDir
    Path tmp;

    record Ack(long offset, String key, String value) {}

    @Test
    void shouldLeaveEitherTheOldOrTheCleanedSegmentsWhateverTheMomentOfAKillNine() throws Exception {
        Path dataDir = tmp.resolve("data");
        Path logDir = dataDir.resolve(CleanerCrashChild.TP.toString());
        Random rnd = new Random(20261207L);
        Map<Long, Ack> acked = new HashMap<>();
        int killsMidCleaning = 0;
        long cleanings = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            List<Ack> acks = new ArrayList<>();
            AtomicLong roundCleanings = new AtomicLong();
            ChildJvm child = ChildJvm.start(
                    CleanerCrashChild.class,
                    tmp.resolve("child-" + round + ".err"),
                    line -> {
                        String[] f = line.split(" ");
                        if (f[0].equals("CLEANINGS")) {
                            roundCleanings.set(Long.parseLong(f[1]));
                        } else if (f[0].equals("ACK") && f.length == 5 && f[4].equals("END")) {
                            synchronized (acks) {
                                acks.add(new Ack(Long.parseLong(f[1]), f[2], f[3].equals("-") ? null : f[3]));
                            }
                        }
                    },
                    dataDir.toString(),
                    Long.toString(round));
            child.awaitReady(Duration.ofSeconds(60));
            // the kill comes at a random moment on purpose (this sleep chooses it; it waits for nothing)
            Thread.sleep(round <= 2 ? 2500 : 300 + rnd.nextInt(1500));
            child.kill();
            synchronized (acks) {
                for (Ack a : acks) acked.put(a.offset(), a);
            }
            cleanings += roundCleanings.get();
            if (hasCleanerFiles(logDir)) killsMidCleaning++;
            verify(logDir, acked, round);
        }
        System.out.printf(
                "cleaner crash test: %d rounds, %d killed mid-cleaning, %d cleanings, %d acknowledged records%n",
                ROUNDS, killsMidCleaning, cleanings, acked.size());
        assertTrue(cleanings >= ROUNDS / 2, "the cleaner cleaned: " + cleanings);
        assertTrue(killsMidCleaning >= 1, "some kills hit a cleaning in progress: " + killsMidCleaning);
    }

    private static boolean hasCleanerFiles(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .anyMatch(n -> n.endsWith(".cleaned") || n.endsWith(".swap"));
        }
    }

    private static void verify(Path logDir, Map<Long, Ack> acked, int round) throws Exception {
        Map<Long, CompactedLogs.Entry> byOffset = new HashMap<>();
        Map<String, Long> lastOffsetOfKey = new HashMap<>();
        try (PartitionLog log = PartitionLog.open(logDir, CleanerCrashChild.TP, null, CleanerCrashChild.CONFIG)) {
            assertFalse(hasCleanerFiles(logDir), "round " + round + ": the loader finished or dropped the cleaning");
            long previous = -1;
            for (RecordBatch b : log.batchesFrom(log.logStartOffset())) {
                b.ensureValid();
                assertTrue(b.baseOffset() > previous, "round " + round + ": offsets increase at " + b.baseOffset());
                previous = b.lastOffset();
            }
            for (CompactedLogs.Entry e : CompactedLogs.read(log)) {
                byOffset.put(e.offset(), e);
                lastOffsetOfKey.merge(e.key(), e.offset(), Math::max);
            }
        }
        Map<String, Ack> latestAcked = new HashMap<>();
        for (Ack a : acked.values()) {
            CompactedLogs.Entry e = byOffset.get(a.offset());
            if (e != null) {
                assertEquals(a.key(), e.key(), "round " + round + ": key at offset " + a.offset());
                assertEquals(a.value(), prefix(e.value()), "round " + round + ": value at offset " + a.offset());
            }
            latestAcked.merge(a.key(), a, (x, y) -> x.offset() > y.offset() ? x : y);
        }
        for (Ack a : latestAcked.values()) {
            long last = lastOffsetOfKey.getOrDefault(a.key(), -1L);
            if (a.value() == null && last < a.offset()) continue; // a tombstone may go once its retention passed
            assertTrue(
                    last >= a.offset(),
                    "round " + round + ": the latest acknowledged record of " + a.key() + " at " + a.offset()
                            + " is lost (last in the log: " + last + ")");
            if (last == a.offset()) assertTrue(byOffset.containsKey(a.offset()));
        }
    }

    private static String prefix(String v) {
        return v == null ? null : v.substring(0, v.indexOf("-p"));
    }
}
