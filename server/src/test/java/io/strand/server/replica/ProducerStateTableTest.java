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
}
