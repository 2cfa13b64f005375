package io.strand.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerStateTableTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);

    @TempDir
    Path dir;

    private static RecordBatch batch(long pid, short epoch, int firstSeq, int count, long baseOffset) {
        SimpleRecord[] rs = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            rs[i] = new SimpleRecord(1000L, ("v" + i).getBytes());
        }
        return MemoryRecords.withIdempotentRecords(baseOffset, Compression.NONE, pid, epoch, firstSeq, 0, rs)
                .batches()
                .iterator()
                .next();
    }

    @Test
    void shouldKeepTheLastFiveBatchesAndFindRetries() {
        ProducerStateTable t = new ProducerStateTable(TP, dir);
        for (int i = 0; i < 7; i++) {
            RecordBatch b = batch(5, (short) 0, i * 2, 2, i * 2L);
            t.validate(b, i * 2L, 0);
            t.update(b);
        }
        assertTrue(t.findDuplicate(batch(5, (short) 0, 12, 2, 0)).isPresent(), "the newest");
        assertTrue(t.findDuplicate(batch(5, (short) 0, 4, 2, 0)).isPresent(), "the fifth newest");
        assertTrue(t.findDuplicate(batch(5, (short) 0, 2, 2, 0)).isEmpty(), "older than five");
        assertEquals(
                12,
                t.findDuplicate(batch(5, (short) 0, 12, 2, 99)).orElseThrow().firstOffset());
    }

    @Test
    void shouldRefuseGapsOldEpochsAndNewEpochsNotStartingAtZero() {
        ProducerStateTable t = new ProducerStateTable(TP, dir);
        RecordBatch first = batch(5, (short) 1, 0, 3, 0);
        t.validate(first, 0, 0);
        t.update(first);
        assertThrows(OutOfOrderSequenceException.class, () -> t.validate(batch(5, (short) 1, 4, 1, 3), 3, 0));
        assertThrows(InvalidProducerEpochException.class, () -> t.validate(batch(5, (short) 0, 3, 1, 3), 3, 0));
        assertThrows(OutOfOrderSequenceException.class, () -> t.validate(batch(5, (short) 2, 1, 1, 3), 3, 0));
        t.validate(batch(5, (short) 2, 0, 1, 3), 3, 0);
        t.validate(batch(5, (short) 1, 3, 1, 3), 3, 0);
    }

    @Test
    void shouldLetAProducerItMayHaveForgottenResumeAnywhere() {
        ProducerStateTable t = new ProducerStateTable(TP, dir);
        assertThrows(
                OutOfOrderSequenceException.class,
                () -> t.validate(batch(9, (short) 0, 17, 1, 0), 0, 0),
                "never seen, nothing forgotten: must start at 0");
        t.validate(batch(9, (short) 0, 17, 1, 50), 50, 40); // the log no longer starts at 0
        RecordBatch b = batch(7, (short) 0, 0, 1, 0);
        t.update(b);
        assertEquals(1, t.expire(1000L + 10_000, 5_000));
        t.validate(batch(9, (short) 0, 17, 1, 1), 1, 0); // producers were expired
    }

    @Test
    void shouldRoundTripThroughASnapshot() {
        ProducerStateTable t = new ProducerStateTable(TP, dir);
        for (int i = 0; i < 3; i++) {
            t.update(batch(5, (short) 0, i, 1, i));
        }
        t.takeSnapshot();
        ProducerStateTable loaded = new ProducerStateTable(TP, dir);
        assertEquals(3, loaded.loadSnapshot(0, 3));
        assertTrue(loaded.findDuplicate(batch(5, (short) 0, 2, 1, 0)).isPresent());
        assertEquals(0, new ProducerStateTable(TP, dir).loadSnapshot(0, 2), "a snapshot beyond the log end is ignored");
    }

    private static RecordBatch txnBatch(long pid, short epoch, int firstSeq, int count, long baseOffset) {
        SimpleRecord[] rs = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            rs[i] = new SimpleRecord(1000L, ("v" + i).getBytes());
        }
        return MemoryRecords.withTransactionalRecords(baseOffset, Compression.NONE, pid, epoch, firstSeq, 0, rs)
                .batches()
                .iterator()
                .next();
    }

    private static RecordBatch marker(long pid, short epoch, boolean commit, int coordinatorEpoch, long offset) {
        return MemoryRecords.withEndTransactionMarker(
                        offset,
                        1000L,
                        0,
                        pid,
                        epoch,
                        new org.apache.kafka.common.record.internal.EndTransactionMarker(
                                commit
                                        ? org.apache.kafka.common.record.internal.ControlRecordType.COMMIT
                                        : org.apache.kafka.common.record.internal.ControlRecordType.ABORT,
                                coordinatorEpoch))
                .batches()
                .iterator()
                .next();
    }

    @Test
    void shouldHoldTheLastStableOffsetAtTheOldestOpenTransactionAndIndexAborts() {
        ProducerStateTable t = new ProducerStateTable(TP, dir);
        t.update(txnBatch(1, (short) 0, 0, 2, 0)); // producer 1: offsets 0-1
        t.update(txnBatch(2, (short) 0, 0, 1, 2)); // producer 2: offset 2
        t.update(txnBatch(1, (short) 0, 2, 1, 3)); // producer 1 again: offset 3
        assertEquals(0, t.transactions().lastStableOffset(4), "held at producer 1's first record");
        assertEquals(null, t.update(marker(1, (short) 0, true, 0, 4)), "a commit is not indexed");
        assertEquals(0, t.transactions().lastStableOffset(4), "the commit marker is not below the high watermark yet");
        assertEquals(2, t.transactions().lastStableOffset(5), "now producer 2's transaction holds it");
        io.strand.wal.AbortedTxn aborted = t.update(marker(2, (short) 0, false, 0, 5));
        assertEquals(new io.strand.wal.AbortedTxn(2, 2, 5, 6), aborted);
        assertEquals(6, t.transactions().lastStableOffset(6), "nothing open: the high watermark");
        assertEquals(0, t.transactions().openCount());
    }

    @Test
    void shouldKeepOpenTransactionsAcrossASnapshotAndRefuseStaleMarkers() {
        ProducerStateTable t = new ProducerStateTable(TP, dir);
        t.update(txnBatch(7, (short) 3, 0, 2, 10));
        t.update(marker(9, (short) 0, true, 5, 12)); // another producer's marker sets its coordinator epoch
        t.takeSnapshot();
        ProducerStateTable loaded = new ProducerStateTable(TP, dir);
        assertEquals(13, loaded.loadSnapshot(0, 13));
        assertEquals(10, loaded.transactions().lastStableOffset(13), "the open transaction survives the snapshot");
        assertThrows(
                InvalidProducerEpochException.class,
                () -> loaded.validateMarker(7, (short) 2, 0),
                "a marker of a fenced epoch");
        assertThrows(
                org.apache.kafka.common.errors.TransactionCoordinatorFencedException.class,
                () -> loaded.validateMarker(9, (short) 0, 4),
                "a marker of an older coordinator");
        assertThrows(
                org.apache.kafka.common.errors.InvalidTxnStateException.class,
                () -> loaded.validate(batch(7, (short) 3, 2, 1, 13), 13, 0),
                "a non-transactional batch inside an open transaction");
        loaded.expire(Long.MAX_VALUE, 1);
        assertEquals(
                java.util.List.of(7L),
                loaded.producers().stream().map(e -> e.producerId).toList(),
                "a producer with an open transaction is not expired");
    }
}
