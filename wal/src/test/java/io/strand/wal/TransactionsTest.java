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
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
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
}
