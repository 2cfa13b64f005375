package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.Wait;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transactions in the log: control batches (transaction markers) and the aborted-transaction index. */
class TransactionsTest {
    static final TopicPartition TP = new TopicPartition("txn", 0);
    static final LogConfig CFG = LogConfig.defaults();

    @TempDir
    Path tmp;

    /** A transaction marker as the server builds it: kafka-clients' builder, base offset 0. */
    static MemoryRecords marker(ControlRecordType type, long producerId) {
        return MemoryRecords.withEndTransactionMarker(
                0L, System.currentTimeMillis(), 0, producerId, (short) 3, new EndTransactionMarker(type, 7));
    }

    private PartitionLog open(String name, LogConfig cfg) {
        return PartitionLog.open(tmp.resolve(name), TP, Uuid.randomUuid(), cfg);
    }

    @Test
    void shouldRefuseControlBatchesFromClientsWithoutWritingAnything() throws Exception {
        try (PartitionLog log = open("txn-0", CFG)) {
            log.appendAsLeader(TestRecords.batch(2, 10), 1);
            long bytes = Files.size(log.activeSegmentForTest().logFile());
            for (MemoryRecords records : List.of(
                    marker(ControlRecordType.ABORT, 5),
                    TestRecords.concat(TestRecords.batch(1, 10), marker(ControlRecordType.COMMIT, 5)))) {
                InvalidRecordException e =
                        assertThrows(InvalidRecordException.class, () -> log.appendAsLeader(records, 1));
                assertEquals(Errors.INVALID_RECORD, Errors.forException(e));
                assertTrue(
                        e.getMessage()
                                .contains(
                                        "control batches are written by the partition leader for the transaction coordinator only"),
                        e.getMessage());
            }
            assertEquals(2, log.logEndOffset());
            assertEquals(bytes, Files.size(log.activeSegmentForTest().logFile()), "nothing written");

            InvalidRecordException e = assertThrows(
                    InvalidRecordException.class, () -> log.appendControlAsLeader(TestRecords.batch(1, 10), 1));
            assertEquals(Errors.INVALID_RECORD, Errors.forException(e));
            assertThrows(
                    InvalidRecordException.class,
                    () -> log.appendControlAsLeader(
                            TestRecords.concat(marker(ControlRecordType.ABORT, 5), TestRecords.batch(1, 10)), 1),
                    "all or nothing");
            assertEquals(2, log.logEndOffset());
            assertEquals(bytes, Files.size(log.activeSegmentForTest().logFile()));
        }
    }

    @Test
    void shouldAppendMarkersAsLeaderAndAsFollower() throws Exception {
        byte[] leaderBytes;
        try (PartitionLog log = open("txn-0", CFG.withMessageTimestampType(TimestampType.LOG_APPEND_TIME))) {
            log.appendAsLeader(TestRecords.batch(3, 10), 4);
            AppendResult r = log.appendControlAsLeader(marker(ControlRecordType.ABORT, 42), 5);
            assertEquals(3, r.firstOffset());
            assertEquals(3, r.lastOffset());
            assertTrue(r.logAppendTimeMs() > 0, "LOG_APPEND_TIME stamped as for data");
            r = log.appendControlAsLeader(
                    TestRecords.concat(marker(ControlRecordType.COMMIT, 43), marker(ControlRecordType.ABORT, 44)), 5);
            assertEquals(4, r.firstOffset());
            assertEquals(5, r.lastOffset());
            log.appendAsLeader(TestRecords.batch(1, 10), 5);
            assertEquals(7, log.logEndOffset());
            assertEquals(List.of(new EpochEntry(4, 0), new EpochEntry(5, 3)), log.epochEntries());

            List<MutableRecordBatch> batches = TestRecords.batches(
                    log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records());
            assertEquals(5, batches.size());
            assertFalse(batches.get(0).isControlBatch());
            long[] producers = {42, 43, 44};
            ControlRecordType[] types = {ControlRecordType.ABORT, ControlRecordType.COMMIT, ControlRecordType.ABORT};
            for (int i = 0; i < 3; i++) {
                MutableRecordBatch b = batches.get(1 + i);
                assertTrue(b.isControlBatch());
                assertTrue(b.isTransactional());
                assertEquals(3 + i, b.baseOffset());
                assertEquals(5, b.partitionLeaderEpoch());
                assertEquals(producers[i], b.producerId());
                Record rec = b.iterator().next();
                assertEquals(types[i], ControlRecordType.parse(rec.key()));
                assertEquals(7, EndTransactionMarker.deserialize(rec).coordinatorEpoch());
            }
            assertFalse(batches.get(4).isControlBatch());
            leaderBytes = TestRecords.bytes(
                    log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records());
        }

        try (PartitionLog follower = open("txn-1", CFG)) {
            AppendResult r = follower.appendAsFollower(MemoryRecords.readableRecords(ByteBuffer.wrap(leaderBytes)));
            assertEquals(0, r.firstOffset());
            assertEquals(6, r.lastOffset());
            assertArrayEquals(
                    leaderBytes,
                    TestRecords.bytes(follower.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true)
                            .records()));
            assertEquals(List.of(new EpochEntry(4, 0), new EpochEntry(5, 3)), follower.epochEntries());
        }
    }

    // ============================================================================================== the index

    static final LogConfig SMALL = CFG.withSegmentBytes(2000).withIndexIntervalBytes(100);

    /** Appends an ABORT marker for {@code producerId}; returns its offset. */
    private static long abort(PartitionLog log, long producerId) {
        return log.appendControlAsLeader(marker(ControlRecordType.ABORT, producerId), 1)
                .firstOffset();
    }

    private static long data(PartitionLog log) {
        return log.appendAsLeader(TestRecords.batch(3, 60), 1).firstOffset();
    }

    /**
     * {@code count} transactions over several segments, each recorded as the broker would right after its marker:
     * every third commits, every fourth overlaps the next producer's (which starts before it ends and ends after it,
     * so that the first one's last stable offset is the second's first offset). Returns the aborted ones, in order.
     */
    private static List<AbortedTxn> writeTransactions(PartitionLog log, int count, long firstProducerId) {
        List<AbortedTxn> aborted = new ArrayList<>();
        long pid = firstProducerId;
        for (int i = 0; i < count; i++) {
            long p1 = pid++;
            long first = data(log);
            if (i % 4 == 0) {
                long p2 = pid++;
                long first2 = data(log);
                data(log);
                long last1 = abort(log, p1);
                aborted.add(recorded(log, new AbortedTxn(p1, first, last1, first2)));
                data(log);
                long last2 = abort(log, p2);
                aborted.add(recorded(log, new AbortedTxn(p2, first2, last2, last2 + 1)));
            } else if (i % 3 == 0) {
                data(log);
                log.appendControlAsLeader(marker(ControlRecordType.COMMIT, p1), 1);
            } else {
                data(log);
                long last = abort(log, p1);
                aborted.add(recorded(log, new AbortedTxn(p1, first, last, last + 1)));
            }
        }
        return aborted;
    }

    private static AbortedTxn recorded(PartitionLog log, AbortedTxn t) {
        log.appendAbortedTransaction(t);
        return t;
    }

    private static List<AbortedTxn> expected(List<AbortedTxn> all, long start, long upper) {
        return all.stream()
                .filter(t -> t.lastOffset() >= start && t.firstOffset() < upper)
                .sorted(Comparator.comparingLong(AbortedTxn::lastOffset))
                .toList();
    }

    private static List<Path> liveTxnIndexes(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(TransactionIndex.SUFFIX))
                    .sorted()
                    .toList();
        }
    }

    private static long txnIndexBytes(Path dir) throws Exception {
        long total = 0;
        for (Path p : liveTxnIndexes(dir)) total += Files.size(p);
        return total;
    }

    @Test
    void shouldKeepAbortedTransactionsAcrossRollsAndRestartsAndIgnoreDuplicates() throws Exception {
        Path dir = tmp.resolve("txn-0");
        List<AbortedTxn> aborted;
        try (PartitionLog log = PartitionLog.open(dir, TP, Uuid.randomUuid(), SMALL)) {
            aborted = writeTransactions(log, 12, 100);
            log.roll();
            aborted.addAll(writeTransactions(log, 4, 200));
            assertTrue(log.numberOfSegments() >= 5, "segments: " + log.numberOfSegments());
            assertEquals(aborted, log.abortedTransactions(0, Long.MAX_VALUE));
            // each entry in the index of the segment that holds its marker; no file for a segment without one
            for (LogSegment seg : log.segmentsForTest()) {
                List<AbortedTxn> mine = seg.indexes().txnIndex().entries();
                for (AbortedTxn t : mine)
                    assertTrue(log.segmentsForTest().stream()
                                    .filter(s -> s.baseOffset() <= t.lastOffset())
                                    .reduce((a, b) -> b)
                                    .orElseThrow()
                            == seg);
                assertEquals(!mine.isEmpty(), Files.exists(TransactionIndex.file(dir, seg.baseOffset())));
            }
        }
        long bytes = txnIndexBytes(dir);
        assertEquals(aborted.size() * 34L, bytes);
        try (PartitionLog log = PartitionLog.open(dir, TP, null, SMALL)) {
            assertEquals(aborted, log.abortedTransactions(0, Long.MAX_VALUE));
            // the broker rebuilding its producer state adds every entry again: nothing changes
            for (AbortedTxn t : aborted) log.appendAbortedTransaction(t);
            AbortedTxn last = aborted.get(aborted.size() - 1);
            log.appendAbortedTransaction(new AbortedTxn(1, 0, last.lastOffset(), 0));
            assertEquals(bytes, txnIndexBytes(dir));
            assertEquals(aborted, log.abortedTransactions(0, Long.MAX_VALUE));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> log.appendAbortedTransaction(new AbortedTxn(1, 0, log.logEndOffset(), 0)),
                    "the marker must be in the log");
            assertThrows(
                    IllegalArgumentException.class,
                    () -> log.appendAbortedTransaction(new AbortedTxn(1, 5, 4, 0)),
                    "first offset above the last");
            // and the log goes on
            aborted.addAll(writeTransactions(log, 3, 300));
            assertEquals(aborted, log.abortedTransactions(0, Long.MAX_VALUE));
        }
        try (PartitionLog log = PartitionLog.open(dir, TP, null, SMALL)) {
            assertEquals(aborted, log.abortedTransactions(0, Long.MAX_VALUE));
        }
        PartitionLog closed = PartitionLog.open(dir, TP, null, SMALL);
        closed.close();
        assertThrows(KafkaStorageException.class, () -> closed.abortedTransactions(0, 10));
        assertThrows(KafkaStorageException.class, () -> closed.appendAbortedTransaction(aborted.get(0)));
    }

    @Test
    void shouldCollectTheEntriesOverlappingARangeAcrossSegments() throws Exception {
        try (PartitionLog log = open("txn-0", SMALL)) {
            List<AbortedTxn> aborted = writeTransactions(log, 24, 100);
            long end = log.logEndOffset();
            assertTrue(log.numberOfSegments() >= 8, "segments: " + log.numberOfSegments());
            long spanning = aborted.stream()
                    .filter(t -> log.segmentsForTest().stream()
                            .anyMatch(s -> s.baseOffset() > t.firstOffset() && s.baseOffset() <= t.lastOffset()))
                    .count();
            assertTrue(spanning > 0, "some transactions span a segment boundary");
            for (long start = 0; start <= end; start += 3) {
                for (long upper = start; upper <= end + 1; upper += 7)
                    assertEquals(
                            expected(aborted, start, upper),
                            log.abortedTransactions(start, upper),
                            "[" + start + ", " + upper + ")");
            }
        }
    }

    @Test
    void shouldDropTheEntriesOfTruncatedMarkers() throws Exception {
        Path dir = tmp.resolve("txn-0");
        List<AbortedTxn> all = new ArrayList<>();
        try (PartitionLog log = PartitionLog.open(dir, TP, Uuid.randomUuid(), SMALL)) {
            List<AbortedTxn> aborted = writeTransactions(log, 20, 100);
            int segments = log.numberOfSegments();
            // inside an older segment, just at a marker: that transaction goes too
            AbortedTxn cut = aborted.get(aborted.size() / 2);
            log.truncateTo(cut.lastOffset());
            assertTrue(log.numberOfSegments() < segments);
            List<AbortedTxn> kept = expected(aborted, 0, Long.MAX_VALUE).stream()
                    .filter(t -> t.lastOffset() < cut.lastOffset())
                    .toList();
            assertEquals(kept, log.abortedTransactions(0, Long.MAX_VALUE));
            // just after a marker: it stays
            AbortedTxn before = kept.get(kept.size() - 1);
            log.truncateTo(before.lastOffset() + 1);
            assertEquals(kept, log.abortedTransactions(0, Long.MAX_VALUE));
            // the same offsets again, other transactions
            all.addAll(kept);
            all.addAll(writeTransactions(log, 4, 500));
            assertEquals(all, log.abortedTransactions(0, Long.MAX_VALUE));
        }
        try (PartitionLog reopened = PartitionLog.open(dir, TP, null, SMALL)) {
            assertEquals(all, reopened.abortedTransactions(0, Long.MAX_VALUE));
            reopened.truncateFullyAndStartAt(1000);
            assertEquals(List.of(), reopened.abortedTransactions(0, Long.MAX_VALUE));
            assertEquals(List.of(), liveTxnIndexes(dir));
            writeTransactions(reopened, 1, 900);
            assertEquals(
                    1000, reopened.abortedTransactions(0, Long.MAX_VALUE).get(0).firstOffset());
        }
    }

    @Test
    void shouldDeleteTheIndexesWithTheirSegments() throws Exception {
        LogManagerConfig settings = LogManagerConfig.defaults().withFileDeleteDelayMs(50);
        try (LogManager m = new LogManager(List.of(tmp), SMALL, settings)) {
            m.startup();
            PartitionLog log = m.getOrCreate(TP, Uuid.randomUuid(), SMALL);
            Path dir = log.dir();
            List<AbortedTxn> aborted = writeTransactions(log, 20, 100);
            log.updateHighWatermark(log.logEndOffset());
            List<LogSegment> segs = log.segmentsForTest();
            // DeleteRecords into the fourth segment: the first three go with their indexes
            log.deleteRecordsBefore(segs.get(3).baseOffset() + 1);
            assertEquals(segs.get(3).baseOffset(), log.segmentsForTest().get(0).baseOffset());
            for (int i = 0; i < 3; i++)
                assertFalse(Files.exists(TransactionIndex.file(dir, segs.get(i).baseOffset())));
            assertEquals(
                    expected(aborted, log.logStartOffset(), Long.MAX_VALUE),
                    log.abortedTransactions(log.logStartOffset(), Long.MAX_VALUE));
            // retention by size: every closed segment
            log.updateConfig(SMALL.withRetentionBytes(1));
            assertTrue(log.deleteExpiredSegments(System.currentTimeMillis()) > 0);
            long firstKept = log.segmentsForTest().get(0).baseOffset();
            for (LogSegment s : segs)
                if (s.baseOffset() < firstKept)
                    assertFalse(Files.exists(TransactionIndex.file(dir, s.baseOffset())), s.toString());
            assertEquals(log.logStartOffset(), firstKept);
            assertEquals(
                    expected(aborted, firstKept, Long.MAX_VALUE),
                    log.abortedTransactions(log.logStartOffset(), Long.MAX_VALUE));
            Wait.waitUntil("the deleted index files are removed after the delay", Duration.ofSeconds(10), () -> {
                try (Stream<Path> files = Files.list(dir)) {
                    return files.noneMatch(p -> p.toString().endsWith(".deleted"));
                }
            });
            // partition deletion takes the rest
            m.delete(TP);
            Wait.waitUntil("the log directory is removed", Duration.ofSeconds(10), () -> {
                try (Stream<Path> files = Files.list(tmp)) {
                    return files.noneMatch(p -> p.getFileName().toString().startsWith("txn-0"));
                }
            });
        }
    }

    @Test
    void shouldServeTheIndexesThatReplacementSegmentsCarry() throws Exception {
        Path dir = tmp.resolve("txn-0");
        List<AbortedTxn> after;
        try (PartitionLog log = PartitionLog.open(dir, TP, Uuid.randomUuid(), SMALL)) {
            List<AbortedTxn> aborted = writeTransactions(log, 16, 100);
            List<LogSegment> segs = log.segmentsForTest();
            LogSegment a = segs.get(1);
            LogSegment b = segs.get(2);
            long from = a.baseOffset();
            long to = segs.get(3).baseOffset();
            List<AbortedTxn> old = new ArrayList<>(a.indexes().txnIndex().entries());
            old.addAll(b.indexes().txnIndex().entries());
            assertFalse(old.isEmpty());
            // a "cleaned" copy of a and b without a's first batch, carrying the entries of the markers it keeps
            long base = a.readHeader(0).nextOffset();
            byte[] restOfA = TestRecords.bytes(
                    log.read(base, Integer.MAX_VALUE, to, true).records());
            byte[] allOfB = TestRecords.bytes(
                    log.read(b.baseOffset(), Integer.MAX_VALUE, to, true).records());
            ByteBuffer data = ByteBuffer.allocate(restOfA.length + allOfB.length)
                    .put(restOfA)
                    .put(allOfB)
                    .flip();
            CleanableLog cleanable = log.cleanable();
            List<CleanableSegment> olds = cleanable.segments(from, to);
            assertEquals(2, olds.size());
            CleanedSegment cleaned = cleanable.newCleanedSegment(from);
            cleaned.append(data);
            for (AbortedTxn t : old) if (t.lastOffset() >= base) cleaned.addAbortedTransaction(t);
            cleaned.finish(System.currentTimeMillis());

            assertTrue(cleanable.replace(olds, cleaned, cleanable.truncations()));

            after = aborted.stream()
                    .filter(t -> t.lastOffset() < from || t.lastOffset() >= base)
                    .toList();
            assertEquals(after, log.abortedTransactions(0, Long.MAX_VALUE));
            assertFalse(Files.exists(TransactionIndex.file(dir, b.baseOffset())), "renamed for deletion");
            assertTrue(Files.exists(TransactionIndex.file(dir, from)), "the cleaned segment's, under the old name");
        }
        try (PartitionLog again = PartitionLog.open(dir, TP, null, SMALL)) {
            assertEquals(after, again.abortedTransactions(0, Long.MAX_VALUE));
        }
    }

    @Test
    void shouldFsyncAnEntryWhoseMarkerIsAlreadyBelowTheRecoveryPoint() throws Exception {
        try (PartitionLog log = open("txn-0", SMALL)) {
            long first = data(log);
            long last = abort(log, 7);
            log.awaitDurable(last + 1).get();
            assertTrue(log.recoveryPoint() > last);
            log.appendAbortedTransaction(new AbortedTxn(7, first, last, last + 1));
            assertFalse(log.activeSegmentForTest().indexes().txnIndex().needsFlush(), "fsynced at once");
        }
        // relaxed mode, nothing fsynced since the open: the next fsync of the segment takes it
        try (PartitionLog log = open("txn-1", CFG.withFsyncBeforeAck(false))) {
            long first2 = data(log);
            long last2 = abort(log, 8);
            assertTrue(log.recoveryPoint() <= last2);
            log.appendAbortedTransaction(new AbortedTxn(8, first2, last2, last2 + 1));
            TransactionIndex idx = log.activeSegmentForTest().indexes().txnIndex();
            assertTrue(idx.needsFlush());
            log.flush();
            assertFalse(idx.needsFlush());
            assertTrue(log.recoveryPoint() > last2);
        }
    }

    @Test
    void shouldDropEntriesPastTheRecoveredEndAfterATornTail() throws Exception {
        Path dir = tmp.resolve("txn-0");
        List<AbortedTxn> aborted;
        Path active;
        BatchHeader lastMarker;
        try (PartitionLog log = PartitionLog.open(dir, TP, Uuid.randomUuid(), SMALL)) {
            aborted = writeTransactions(log, 10, 100);
            data(log);
            long first = data(log);
            long last = abort(log, 999);
            aborted.add(recorded(log, new AbortedTxn(999, first, last, last + 1)));
            active = log.activeSegmentForTest().logFile();
            lastMarker = log.activeSegmentForTest().lastBatch();
            assertEquals(last, lastMarker.baseOffset());
        }
        // a crash: the marker's batch torn, a torn entry after the last one in the index
        try (FileChannel ch = FileChannel.open(active, StandardOpenOption.WRITE)) {
            ch.truncate(lastMarker.position() + 30);
        }
        Files.write(TransactionIndex.file(dir, baseOf(active)), new byte[12], StandardOpenOption.APPEND);
        Files.delete(dir.resolve(LogCheckpoints.CLEAN_SHUTDOWN_FILE));
        try (LogCapture logs = new LogCapture();
                PartitionLog log = PartitionLog.open(dir, TP, null, SMALL)) {
            assertEquals(lastMarker.baseOffset(), log.logEndOffset());
            assertEquals(aborted.subList(0, aborted.size() - 1), log.abortedTransactions(0, Long.MAX_VALUE));
            assertTrue(
                    logs.messages("WARN").stream().anyMatch(m -> m.contains("Removed 1 aborted transaction")),
                    logs.messages("WARN").toString());
            assertTrue(logs.messages("WARN").stream().anyMatch(m -> m.contains("incomplete entry of 12 bytes")));
            // the marker is written again, the entry with it
            long last = abort(log, 999);
            assertEquals(lastMarker.baseOffset(), last);
            log.appendAbortedTransaction(aborted.get(aborted.size() - 1));
            assertEquals(aborted, log.abortedTransactions(0, Long.MAX_VALUE));
        }
    }

    private static long baseOf(Path logFile) {
        String name = logFile.getFileName().toString();
        return Long.parseLong(name.substring(0, name.indexOf('.')));
    }
}
