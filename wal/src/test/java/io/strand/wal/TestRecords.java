package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Builders of record batches for tests. */
final class TestRecords {
    private TestRecords() {}

    /** One uncompressed v2 batch of {@code count} records of {@code valueSize} bytes, timestamps {@code ts}. */
    static MemoryRecords batch(int count, int valueSize, long ts, long seed) {
        Random r = new Random(seed);
        SimpleRecord[] recs = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            byte[] v = new byte[valueSize];
            r.nextBytes(v);
            recs[i] = new SimpleRecord(ts, ("k" + i).getBytes(), v);
        }
        return MemoryRecords.withRecords(Compression.NONE, recs);
    }

    static MemoryRecords batch(int count, int valueSize) {
        return batch(count, valueSize, System.currentTimeMillis(), count * 31L + valueSize);
    }

    /** One batch whose records carry the given timestamps. */
    static MemoryRecords batchWithTimestamps(long... timestamps) {
        SimpleRecord[] recs = new SimpleRecord[timestamps.length];
        for (int i = 0; i < timestamps.length; i++)
            recs[i] = new SimpleRecord(timestamps[i], null, ("v" + i).getBytes());
        return MemoryRecords.withRecords(Compression.NONE, recs);
    }

    /** Several batches in one buffer. */
    static MemoryRecords concat(MemoryRecords... parts) {
        int size = 0;
        for (MemoryRecords p : parts) size += p.sizeInBytes();
        ByteBuffer b = ByteBuffer.allocate(size);
        for (MemoryRecords p : parts) b.put(p.buffer().duplicate());
        b.flip();
        return MemoryRecords.readableRecords(b);
    }

    /** Batches already carrying offsets and an epoch, as a follower receives them. */
    static MemoryRecords withOffsets(long baseOffset, int epoch, int count, long ts) {
        ByteBuffer buf = ByteBuffer.allocate(1024 + count * 64);
        MemoryRecordsBuilder b = MemoryRecords.builder(
                buf,
                RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.NONE,
                TimestampType.CREATE_TIME,
                baseOffset,
                ts,
                RecordBatch.NO_PRODUCER_ID,
                RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE,
                false,
                epoch);
        for (int i = 0; i < count; i++) b.append(ts, null, ("f" + (baseOffset + i)).getBytes());
        return b.build();
    }

    static byte[] bytes(BaseRecords records) {
        MemoryRecords m = records instanceof FileSlice fs ? fs.readIntoMemory() : (MemoryRecords) records;
        ByteBuffer b = m.buffer().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static List<MutableRecordBatch> batches(BaseRecords records) {
        MemoryRecords m = records instanceof FileSlice fs ? fs.readIntoMemory() : (MemoryRecords) records;
        List<MutableRecordBatch> out = new ArrayList<>();
        for (MutableRecordBatch b : m.batches()) {
            b.ensureValid();
            out.add(b);
        }
        return out;
    }

    static void assertOffsets(BaseRecords records, long first, long last) {
        List<MutableRecordBatch> bs = batches(records);
        assertEquals(first, bs.get(0).baseOffset(), "first batch base offset");
        assertEquals(last, bs.get(bs.size() - 1).lastOffset(), "last offset");
        long expected = first;
        for (MutableRecordBatch b : bs) {
            assertEquals(expected, b.baseOffset());
            expected = b.nextOffset();
        }
    }
}
