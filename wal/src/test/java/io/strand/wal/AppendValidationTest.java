package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Append validation: typed rejections, nothing partial ever written. */
class AppendValidationTest {
    static final TopicPartition TP = new TopicPartition("v", 0);

    @TempDir
    Path tmp;

    PartitionLog log;

    @BeforeEach
    void open() {
        log = PartitionLog.open(
                tmp.resolve("v-0"),
                TP,
                Uuid.randomUuid(),
                LogConfig.defaults().withMaxMessageBytes(10_000).withSegmentBytes(64 * 1024));
        log.appendAsLeader(TestRecords.batch(2, 10), 0);
    }

    @AfterEach
    void close() {
        log.close();
    }

    /** Rewrites a batch's CRC after the test changed a CRC-covered field. */
    static void fixCrc(ByteBuffer buf, int batchPos) {
        int size = buf.getInt(batchPos + 8) + 12;
        CRC32C crc = new CRC32C();
        ByteBuffer region = buf.duplicate();
        region.limit(batchPos + size).position(batchPos + 21);
        crc.update(region);
        buf.putInt(batchPos + 17, (int) crc.getValue());
    }

    private void assertRejectedWithoutWriting(Class<? extends Throwable> type, Errors expected, MemoryRecords records)
            throws Exception {
        long end = log.logEndOffset();
        long bytes = Files.size(log.activeSegmentForTest().logFile());
        Throwable t = assertThrows(type, () -> log.appendAsLeader(records, 0));
        assertEquals(expected, Errors.forException(t), t.toString());
        assertEquals(end, log.logEndOffset(), "log end offset unchanged");
        assertEquals(bytes, Files.size(log.activeSegmentForTest().logFile()), "nothing written");
    }

    @Test
    void shouldRejectACrcMismatchAsCorruptMessage() throws Exception {
        MemoryRecords good = TestRecords.batch(3, 100);
        MemoryRecords bad = TestRecords.batch(3, 100);
        bad.buffer().put(bad.buffer().limit() - 5, (byte)
                (bad.buffer().get(bad.buffer().limit() - 5) ^ 0x40));
        // the good first batch is not written either: all or nothing
        assertRejectedWithoutWriting(
                CorruptRecordException.class, Errors.CORRUPT_MESSAGE, TestRecords.concat(good, bad));
    }

    @Test
    void shouldRejectMagicOtherThanTwoAsInvalidRecord() throws Exception {
        MemoryRecords legacy = MemoryRecords.withRecords(
                RecordBatch.MAGIC_VALUE_V1, Compression.NONE, new SimpleRecord(1L, "k".getBytes(), "v".getBytes()));
        assertRejectedWithoutWriting(InvalidRecordException.class, Errors.INVALID_RECORD, legacy);
    }

    @Test
    void shouldRejectABatchAboveMessageMaxBytes() throws Exception {
        assertRejectedWithoutWriting(
                RecordTooLargeException.class, Errors.MESSAGE_TOO_LARGE, TestRecords.batch(2, 6000));
    }

    @Test
    void shouldRejectAnAppendAboveTheSegmentSize() throws Exception {
        MemoryRecords[] parts = new MemoryRecords[10];
        for (int i = 0; i < parts.length; i++) parts[i] = TestRecords.batch(1, 8000);
        assertRejectedWithoutWriting(
                RecordBatchTooLargeException.class, Errors.RECORD_LIST_TOO_LARGE, TestRecords.concat(parts));
    }

    @Test
    void shouldRejectInconsistentCountsAndOffsetDeltas() throws Exception {
        MemoryRecords b = TestRecords.batch(3, 10);
        b.buffer().putInt(23, 5); // last offset delta 5 for 3 records
        fixCrc(b.buffer(), 0);
        assertRejectedWithoutWriting(InvalidRecordException.class, Errors.INVALID_RECORD, b);

        MemoryRecords c = TestRecords.batch(3, 10);
        c.buffer().putInt(57, 2); // count 2, delta 2
        fixCrc(c.buffer(), 0);
        assertRejectedWithoutWriting(InvalidRecordException.class, Errors.INVALID_RECORD, c);
    }

    @Test
    void shouldRejectRecordsWhoseOffsetDeltasDoNotRunFromZero() throws Exception {
        MemoryRecords b = TestRecords.batch(1, 10);
        // record layout: length varint, attributes, timestamp delta varint, offset delta varint
        int p = 61;
        p++; // length (small, 1 byte)
        p++; // attributes
        p++; // timestamp delta 0 (1 byte)
        assertEquals(0, b.buffer().get(p));
        b.buffer().put(p, (byte) 2); // zig-zag 1
        fixCrc(b.buffer(), 0);
        assertRejectedWithoutWriting(InvalidRecordException.class, Errors.INVALID_RECORD, b);
    }

    @Test
    void shouldRejectTruncatedAndTrailingBytesForALeader() throws Exception {
        MemoryRecords b = TestRecords.batch(3, 100);
        ByteBuffer cut = b.buffer().duplicate();
        cut.limit(cut.limit() - 10);
        assertRejectedWithoutWriting(
                CorruptRecordException.class, Errors.CORRUPT_MESSAGE, MemoryRecords.readableRecords(cut.slice()));
        ByteBuffer tiny = ByteBuffer.allocate(20);
        tiny.putInt(8, 10); // declares a batch smaller than a header
        tiny.put(16, (byte) 2);
        assertRejectedWithoutWriting(
                CorruptRecordException.class, Errors.CORRUPT_MESSAGE, MemoryRecords.readableRecords(tiny));
    }

    @Test
    void shouldValidateCompressedBatches() {
        MemoryRecords gz = MemoryRecords.withRecords(
                Compression.gzip().build(),
                new SimpleRecord(1L, "a".getBytes(), "b".getBytes()),
                new SimpleRecord(2L, "c".getBytes(), "d".getBytes()));
        AppendResult r = log.appendAsLeader(gz, 0);
        assertEquals(2, r.firstOffset());
        assertEquals(3, r.lastOffset());
        List<MutableRecordBatch> read =
                TestRecords.batches(log.read(2, 1000, Long.MAX_VALUE, true).records());
        assertEquals(2, read.get(0).countOrNull());
        assertTrue(read.get(0).isCompressed());
    }

    @Test
    void shouldAcceptAnEmptyAppendAndReadOnlyBuffers() {
        AppendResult r = log.appendAsLeader(MemoryRecords.EMPTY, 0);
        assertEquals(0, r.recordCount());
        assertEquals(2, log.logEndOffset());
        MemoryRecords b = TestRecords.batch(2, 10);
        AppendResult r2 =
                log.appendAsLeader(MemoryRecords.readableRecords(b.buffer().asReadOnlyBuffer()), 0);
        assertEquals(2, r2.firstOffset());
        TestRecords.assertOffsets(log.read(2, 1000, Long.MAX_VALUE, true).records(), 2, 3);
    }

    @Test
    void shouldStampLogAppendTimeWhenTheTopicAsksForIt() {
        log.updateConfig(log.config().withMessageTimestampType(TimestampType.LOG_APPEND_TIME));
        long before = System.currentTimeMillis();
        AppendResult r = log.appendAsLeader(TestRecords.batch(3, 10, 1000L, 1), 5);
        assertTrue(r.logAppendTimeMs() >= before);
        assertEquals(r.logAppendTimeMs(), r.maxTimestamp());
        MutableRecordBatch b = TestRecords.batches(
                        log.read(r.firstOffset(), 1000, Long.MAX_VALUE, true).records())
                .get(0);
        assertEquals(TimestampType.LOG_APPEND_TIME, b.timestampType());
        assertEquals(r.logAppendTimeMs(), b.maxTimestamp());
        assertEquals(5, b.partitionLeaderEpoch());
        b.ensureValid();
        b.forEach(rec -> assertEquals(r.logAppendTimeMs(), rec.timestamp()));
    }

    @Test
    void shouldMapReadErrorsToKafkaCodes() {
        assertEquals(
                Errors.OFFSET_OUT_OF_RANGE,
                Errors.forException(
                        assertThrows(OffsetOutOfRangeException.class, () -> log.read(99, 100, Long.MAX_VALUE, true))));
    }

    @Test
    void shouldAppendFollowerBatchesWithTheLeadersOffsetsAndEpochs() {
        PartitionLog f = PartitionLog.open(
                tmp.resolve("v-1"), new TopicPartition("v", 1), Uuid.randomUuid(), LogConfig.defaults());
        try {
            MemoryRecords m =
                    TestRecords.concat(TestRecords.withOffsets(0, 3, 4, 100L), TestRecords.withOffsets(4, 5, 2, 200L));
            byte[] sent = TestRecords.bytes(m);
            AppendResult r = f.appendAsFollower(m);
            assertEquals(0, r.firstOffset());
            assertEquals(5, r.lastOffset());
            assertEquals(6, f.logEndOffset());
            assertEquals(List.of(new EpochEntry(3, 0), new EpochEntry(5, 4)), f.epochEntries());
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    sent,
                    TestRecords.bytes(f.read(0, 10_000, Long.MAX_VALUE, true).records()));
            // below the log end: rejected
            assertThrows(
                    UnexpectedAppendOffsetException.class,
                    () -> f.appendAsFollower(TestRecords.withOffsets(3, 5, 1, 300L)));
            // a trailing partial batch (as a fetch may return) is dropped
            MemoryRecords next =
                    TestRecords.concat(TestRecords.withOffsets(6, 5, 1, 300L), TestRecords.withOffsets(7, 5, 1, 300L));
            ByteBuffer cut = next.buffer().duplicate();
            cut.limit(cut.limit() - 7);
            AppendResult r2 = f.appendAsFollower(MemoryRecords.readableRecords(cut.slice()));
            assertEquals(6, r2.lastOffset());
            assertEquals(7, f.logEndOffset());
            // above the log end: a gap the leader's cleaner left (compaction), accepted as Kafka does
            f.appendAsFollower(TestRecords.withOffsets(10, 5, 1, 300L));
            assertEquals(11, f.logEndOffset());
            assertEquals(
                    10,
                    TestRecords.batches(f.read(8, 10_000, Long.MAX_VALUE, true).records())
                            .get(0)
                            .baseOffset(),
                    "a read in the gap gets the next batch");
        } finally {
            f.close();
        }
    }

    @Test
    void shouldRefuseRecordsWithoutKeysOnACompactedLogAsKafkaDoes() {
        log.updateConfig(
                log.config().withCompaction(CompactionConfig.deleteOnly().withPolicy("compact")));
        for (Compression c : List.of(Compression.NONE, Compression.gzip().build())) {
            MemoryRecords keyless = MemoryRecords.withRecords(
                    c,
                    new SimpleRecord(1L, "k".getBytes(), "v".getBytes()),
                    new SimpleRecord(1L, null, "v".getBytes()));
            InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> log.appendAsLeader(keyless, 0));
            assertTrue(e.getMessage().startsWith("Compacted topic cannot accept message without key"), e.getMessage());
            assertEquals(Errors.INVALID_RECORD, Errors.forException(e));
        }
        long end = log.logEndOffset();
        log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1L, "k".getBytes(), null)), 0);
        assertEquals(end + 1, log.logEndOffset(), "a tombstone has a key: accepted");
        log.updateConfig(log.config().withCompaction(CompactionConfig.deleteOnly()));
        log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1L, null, "v".getBytes())), 0);
        assertEquals(end + 2, log.logEndOffset(), "keyless records are fine on a delete-only log");
    }
}
