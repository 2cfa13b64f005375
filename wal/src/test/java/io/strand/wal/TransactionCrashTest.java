package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.ChildJvm;
import io.strand.testing.SystemTest;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aborted-transaction index through crashes, as {@link CrashRecoveryTest} does for the data: a child JVM
 * ({@link TxnCrashChild}) runs transactions and records its aborted ones, and is killed with SIGKILL
 * ({@link Process#destroyForcibly()}) at a random moment; every other round the test then tears the last ABORT
 * marker of the active segment (as a power loss could) before reopening. After every kill the reopened log holds
 * exactly the acknowledged aborted transactions whose markers survived, each entry pointing at its ABORT marker, and
 * none past the recovered end.
 */
@SystemTest
class TransactionCrashTest {
    static final int ROUNDS = 6;
    static final int MAX_EXTRA_ROUNDS = 6;

    @TempDir
    Path tmp;

    @Test
    void shouldKeepTheAbortedTransactionsOfTheRecoveredLogAcrossKillNineAndTornTails() throws Exception {
        Path dataDir = tmp.resolve("data");
        Path logDir = dataDir.resolve("txncrash-0");
        Random rnd = new Random(20261207L);
        Map<Long, AbortedTxn> acked = new TreeMap<>();
        int tornRounds = 0;
        int removedEntries = 0;
        int rounds = 0;
        // up to MAX_EXTRA_ROUNDS more when a round to tear found no ABORT marker in the active segment
        // (a kill soon after a roll): at least two torn rounds are what the test is for
        for (int round = 1; round <= ROUNDS || (tornRounds < 2 && round <= ROUNDS + MAX_EXTRA_ROUNDS); round++) {
            rounds = round;
            List<AbortedTxn> acks = new ArrayList<>();
            ChildJvm child = ChildJvm.start(
                    TxnCrashChild.class,
                    tmp.resolve("child-" + round + ".err"),
                    line -> {
                        String[] f = line.split(" ");
                        if (f[0].equals("ABORT") && f.length == 5 && f[4].equals("END")) {
                            long last = Long.parseLong(f[3]);
                            synchronized (acks) {
                                acks.add(new AbortedTxn(Long.parseLong(f[1]), Long.parseLong(f[2]), last, last + 1));
                            }
                        }
                    },
                    dataDir.toString(),
                    Long.toString(round));
            child.awaitReady(Duration.ofSeconds(60));
            // the kill comes at a random moment on purpose (this sleep chooses it; it waits for nothing)
            Thread.sleep(200 + rnd.nextInt(600));
            child.kill();
            synchronized (acks) {
                for (AbortedTxn a : acks) acked.put(a.lastOffset(), a);
            }
            // every other round, and every round once the torn ones fall behind that
            long torn = round % 2 == 0 || tornRounds * 2 < round - 1 ? tearLastAbortMarker(logDir) : -1;
            if (torn >= 0) tornRounds++;
            removedEntries += verify(logDir, acked, round, torn);
        }
        assertTrue(tornRounds >= 2, "rounds with a torn ABORT marker: " + tornRounds);
        assertTrue(removedEntries >= 1, "entries removed by recovery: " + removedEntries);
        assertTrue(acked.size() > 20, "acknowledged aborted transactions: " + acked.size());
        System.out.printf(
                "transaction crash test: %d rounds, %d torn, %d entries removed by recovery, %d acknowledged aborts kept%n",
                rounds, tornRounds, removedEntries, acked.size());
    }

    /** Cuts the active segment inside its last ABORT marker; returns the marker's offset, or -1 if it has none. */
    private static long tearLastAbortMarker(Path logDir) throws Exception {
        Path active;
        try (Stream<Path> files = Files.list(logDir)) {
            active = files.filter(f -> f.getFileName().toString().endsWith(LogSegment.LOG_SUFFIX))
                    .max(Path::compareTo)
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(active);
        MemoryRecords all = MemoryRecords.readableRecords(ByteBuffer.wrap(bytes, 0, dataEnd(bytes)));
        long position = 0;
        long cutAt = -1;
        long offset = -1;
        for (MutableRecordBatch b : all.batches()) {
            if (b.isControlBatch()
                    && ControlRecordType.parse(b.iterator().next().key()) == ControlRecordType.ABORT) {
                cutAt = position + 20;
                offset = b.baseOffset();
            }
            position += b.sizeInBytes();
        }
        if (cutAt < 0) return -1;
        try (FileChannel ch = FileChannel.open(active, StandardOpenOption.WRITE)) {
            ch.truncate(cutAt);
        }
        return offset;
    }

    /** Where the batches of a segment file end: the active segment is followed by zeros written ahead. */
    private static int dataEnd(byte[] segment) {
        ByteBuffer b = ByteBuffer.wrap(segment);
        int pos = 0;
        while (pos + 12 <= segment.length && b.getInt(pos + 8) > 0) pos += 12 + b.getInt(pos + 8);
        return Math.min(pos, segment.length);
    }

    /** Checks the reopened log; returns the number of entries recovery removed. */
    private static int verify(Path logDir, Map<Long, AbortedTxn> acked, int round, long torn) throws Exception {
        int removed = 0;
        try (LogCapture logs = new LogCapture()) {
            PartitionLog log = PartitionLog.open(logDir, TxnCrashChild.TP, null, TxnCrashChild.CONFIG);
            try {
                long end = log.logEndOffset();
                if (torn >= 0) assertEquals(torn, end, "round " + round + ": recovered up to the torn marker");
                List<AbortedTxn> entries = log.abortedTransactions(0, Long.MAX_VALUE);
                long previous = -1;
                for (AbortedTxn t : entries) {
                    String what = "round " + round + ": " + t;
                    assertTrue(t.lastOffset() < end, what + " beyond the log end " + end);
                    assertTrue(t.lastOffset() > previous, what + " out of order");
                    previous = t.lastOffset();
                    RecordBatch b = TestRecords.batches(log.read(t.lastOffset(), 1, Long.MAX_VALUE, true)
                                    .records())
                            .get(0);
                    assertEquals(t.lastOffset(), b.baseOffset(), what);
                    assertTrue(b.isControlBatch(), what + ": no marker there");
                    assertEquals(t.producerId(), b.producerId(), what);
                    assertEquals(
                            ControlRecordType.ABORT,
                            ControlRecordType.parse(b.iterator().next().key()),
                            what);
                }
                // the acknowledged aborts whose markers were torn away are gone; every other one is there
                acked.values().removeIf(a -> a.lastOffset() >= end);
                for (AbortedTxn a : acked.values())
                    assertTrue(entries.contains(a), "round " + round + ": acknowledged " + a + " missing");
                for (String m : logs.messages("WARN"))
                    if (m.startsWith("Removed ") && m.contains("aborted transaction"))
                        removed += Integer.parseInt(m.split(" ")[1]);
            } finally {
                log.close();
            }
        }
        // leave it as a crash would, so that the child recovers on its next start as well
        Files.deleteIfExists(logDir.resolve(LogCheckpoints.CLEAN_SHUTDOWN_FILE));
        return removed;
    }
}
