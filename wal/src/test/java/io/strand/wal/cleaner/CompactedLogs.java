package io.strand.wal.cleaner;

import io.strand.wal.CompactionConfig;
import io.strand.wal.LogConfig;
import io.strand.wal.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Helpers of the cleaner tests: keyed batches, and the log read back as offset → (key, value). */
final class CompactedLogs {
    private CompactedLogs() {}

    static final LogConfig COMPACTED = LogConfig.defaults()
            .withSegmentBytes(4096)
            .withIndexIntervalBytes(256)
            .withCompaction(CompactionConfig.deleteOnly().withPolicy("compact").withDeleteRetentionMs(3_600_000));

    /** A key and value (null: a tombstone) at an offset. */
    record Entry(long offset, String key, String value) {}

    static MemoryRecords keyed(long ts, String... keyValues) {
        SimpleRecord[] recs = new SimpleRecord[keyValues.length / 2];
        for (int i = 0; i < recs.length; i++) {
            String v = keyValues[2 * i + 1];
            recs[i] = new SimpleRecord(
                    ts,
                    keyValues[2 * i].getBytes(StandardCharsets.UTF_8),
                    v == null ? null : v.getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, recs);
    }

    /** Every record of the log, in offset order. */
    static List<Entry> read(PartitionLog log) {
        List<Entry> out = new ArrayList<>();
        for (RecordBatch b : log.batchesFrom(log.logStartOffset())) {
            if (b.isControlBatch()) continue;
            for (Record r : b) out.add(new Entry(r.offset(), str(r.key()), r.hasValue() ? str(r.value()) : null));
        }
        return out;
    }

    /** The latest entry of each key. */
    static Map<String, Entry> latest(List<Entry> entries) {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Entry e : entries) out.put(e.key(), e);
        return out;
    }

    static String str(ByteBuffer b) {
        if (b == null) return null;
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, StandardCharsets.UTF_8);
    }
}
