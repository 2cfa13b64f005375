package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.ChildJvm;
import io.strand.testing.SystemTest;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 6: a child JVM appends with fsync-before-ack and prints every acknowledged batch; the test kills it
 * with SIGKILL ({@link Process#destroyForcibly()}) at random moments, sometimes while it is still starting or
 * recovering. After every kill the reopened log must hold every acknowledged batch byte-for-byte, be readable
 * end to end, and end at a batch boundary.
 */
@SystemTest
class CrashRecoveryTest {
    static final int ROUNDS = 16; // PowerCutRecoveryTest runs the same child under simulated power cuts

    @TempDir
    Path tmp;

    record Ack(long first, long last, long crc) {}

    @Test
    void shouldKeepEveryAcknowledgedBatchAcrossKillNine() throws Exception {
        Path dataDir = tmp.resolve("data");
        Path logDir = dataDir.resolve("crash-0");
        Random rnd = new Random(20240611L);
        Map<Long, Ack> acked = new TreeMap<>();
        int roundsWithAcks = 0;
        int killedBeforeReady = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            List<Ack> acks = new ArrayList<>();
            ChildJvm child = ChildJvm.start(
                    CrashChild.class,
                    tmp.resolve("child-" + round + ".err"),
                    line -> {
                        String[] f = line.split(" ");
                        if (f[0].equals("ACK") && f.length == 5 && f[4].equals("END")) {
                            synchronized (acks) {
                                acks.add(new Ack(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])));
                            }
                        }
                    },
                    dataDir.toString(),
                    Long.toString(round),
                    "4");
            // the kill comes at a random moment on purpose (these sleeps choose it; they wait for nothing)
            boolean early = round % 5 == 0; // now and then, kill it while it starts up or recovers
            if (early) {
                Thread.sleep(50 + rnd.nextInt(400));
            } else {
                child.awaitReady(Duration.ofSeconds(60));
                Thread.sleep(100 + rnd.nextInt(700));
            }
            if (!child.isReady()) killedBeforeReady++;
            child.kill();
            synchronized (acks) {
                for (Ack a : acks) acked.put(a.first(), a);
                if (!acks.isEmpty()) roundsWithAcks++;
            }
            if (Files.exists(logDir)) verify(logDir, acked, round);
        }
        assertTrue(roundsWithAcks >= 10, "rounds that acknowledged appends: " + roundsWithAcks);
        assertTrue(acked.size() > 100, "acknowledged batches: " + acked.size());
        System.out.printf(
                "crash test: %d rounds, %d killed before ready, %d acknowledged batches survived%n",
                ROUNDS, killedBeforeReady, acked.size());
    }

    static void verify(Path logDir, Map<Long, Ack> acked, int round) throws Exception {
        PartitionLog log = PartitionLog.open(logDir, CrashChild.TP, null, CrashChild.CONFIG);
        try {
            long end = log.logEndOffset();
            // every acknowledged batch is there, byte for byte
            for (Ack a : acked.values()) {
                assertTrue(
                        a.last() < end, "round " + round + ": acknowledged batch " + a + " beyond the log end " + end);
                FileSlice s =
                        (FileSlice) log.read(a.first(), 1, Long.MAX_VALUE, true).records();
                MemoryRecords m = s.readIntoMemory();
                MutableRecordBatch b = m.batches().iterator().next();
                assertEquals(a.first(), b.baseOffset(), "round " + round);
                assertEquals(a.last(), b.lastOffset(), "round " + round);
                CRC32 crc = new CRC32();
                ByteBuffer bytes = m.buffer().duplicate();
                bytes.limit(bytes.position() + b.sizeInBytes());
                crc.update(bytes);
                assertEquals(a.crc(), crc.getValue(), "round " + round + ": bytes of batch at offset " + a.first());
            }
            // the whole log reads back: contiguous valid batches ending exactly at the log end offset
            long expected = log.logStartOffset();
            long bytes = 0;
            for (RecordBatch b : log.batchesFrom(expected)) {
                b.ensureValid();
                assertEquals(expected, b.baseOffset(), "round " + round + ": gap or overlap");
                expected = b.nextOffset();
                bytes += b.sizeInBytes();
            }
            assertEquals(end, expected, "round " + round + ": log ends at a batch boundary");
            assertEquals(log.sizeInBytes(), bytes, "round " + round + ": no bytes after the last batch");
        } finally {
            log.close();
        }
        // leave it as a crash would, so that the child recovers on its next start as well
        Files.deleteIfExists(logDir.resolve(LogCheckpoints.CLEAN_SHUTDOWN_FILE));
    }
}
