package io.strand.wal;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * Validates the batches of an append before anything is written, and prepares a leader's batches (Kafka's
 * {@code LogValidator}): LogAppendTime stamping and offset assignment in place. Stateless and thread-safe.
 *
 * <p>Checks, in Kafka's order, with the exception the broker maps through {@code Errors.forException}:
 * <ul>
 *   <li>batch length at least the v2 header, and the batch wholly inside the buffer: {@link CorruptRecordException}
 *       (CORRUPT_MESSAGE) — except that a follower's trailing partial batch is dropped, as Kafka's fetch may cut one;</li>
 *   <li>batch size at most {@code message.max.bytes}: {@link RecordTooLargeException} (MESSAGE_TOO_LARGE);</li>
 *   <li>magic 2: {@link InvalidRecordException} (INVALID_RECORD);</li>
 *   <li>CRC-32C: {@link CorruptRecordException};</li>
 *   <li>offset delta / record count consistent: {@link InvalidRecordException};</li>
 *   <li>a control batch only from the transaction coordinator's path ({@link Origin#COORDINATOR}), which takes
 *       nothing else: {@link InvalidRecordException};</li>
 *   <li>records parse with offset deltas 0..n-1: {@link InvalidRecordException};</li>
 *   <li>on a compacted log ({@code cleanup.policy} with compact), every record of a client's batch has a key:
 *       {@link InvalidRecordException}, as Kafka refuses them (the cleaner could not keep them);</li>
 *   <li>the whole append at most {@code log.segment.bytes}: {@link RecordBatchTooLargeException}.</li>
 * </ul>
 */
final class BatchValidator {
    private BatchValidator() {}

    /** Who appends (Kafka's {@code AppendOrigin}): what a batch must be, and how much is checked. */
    enum Origin {
        /** A leader's append of a producer's data: no control batch. */
        CLIENT,
        /** A leader's append of transaction markers for the transaction coordinator: control batches only. */
        COORDINATOR,
        /** A follower's append of the leader's batches, which keep their offsets: anything the leader wrote. */
        REPLICATION
    }

    /** The bytes of an append, in a buffer the leader may stamp in place (a copy when {@code records} is read-only). */
    static ByteBuffer writableBuffer(MemoryRecords records) {
        ByteBuffer src = records.buffer();
        if (!src.isReadOnly()) return src.duplicate();
        ByteBuffer copy = ByteBuffer.allocate(src.remaining());
        copy.put(src.duplicate()).flip();
        return copy;
    }

    /**
     * {@code LogAppendTime} topics: stamps {@code now} as every batch's max timestamp (Kafka's
     * {@code setMaxTimestamp}, which recomputes the CRC) and returns the re-read headers.
     */
    static List<BatchHeader> stampLogAppendTime(ByteBuffer buf, List<BatchHeader> batches, long now) {
        List<BatchHeader> out = new ArrayList<>(batches.size());
        for (BatchHeader h : batches) {
            ByteBuffer slice = buf.duplicate();
            int at = buf.position() + (int) h.position();
            slice.limit(at + h.sizeInBytes()).position(at);
            MutableRecordBatch b =
                    MemoryRecords.readableRecords(slice.slice()).batchIterator().next();
            b.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, now);
            out.add(BatchHeader.parse(buf, at, h.position()));
        }
        return out;
    }

    /**
     * Leader: stamps base offsets from {@code firstOffset} and the partition leader epoch in place (in {@code buf},
     * whose batches start at {@code dataStart}) and returns the headers as written. Log lock held.
     */
    static List<BatchHeader> assignOffsets(
            ByteBuffer buf, int dataStart, List<BatchHeader> batches, long firstOffset, int leaderEpoch) {
        List<BatchHeader> assigned = new ArrayList<>(batches.size());
        long next = firstOffset;
        for (BatchHeader h : batches) {
            int at = dataStart + (int) h.position();
            buf.putLong(at + BatchHeader.BASE_OFFSET_OFFSET, next);
            buf.putInt(at + BatchHeader.PARTITION_LEADER_EPOCH_OFFSET, leaderEpoch);
            BatchHeader a = new BatchHeader(
                    h.position(),
                    next,
                    h.sizeInBytes(),
                    leaderEpoch,
                    h.magic(),
                    h.crc(),
                    h.attributes(),
                    h.lastOffsetDelta(),
                    h.baseTimestamp(),
                    h.maxTimestamp(),
                    h.recordCount());
            assigned.add(a);
            next = a.nextOffset();
        }
        return assigned;
    }

    /**
     * Returns the headers of the batches in {@code buf} (from its position to its limit), with positions relative
     * to {@code buf.position()}. A follower's trailing partial batch is excluded (check the last header's end).
     */
    static List<BatchHeader> validate(TopicPartition tp, ByteBuffer buf, LogConfig config, Origin origin) {
        boolean leader = origin != Origin.REPLICATION;
        List<BatchHeader> result = new ArrayList<>();
        int start = buf.position();
        int end = buf.limit();
        int pos = start;
        long expectedNext = -1;
        while (pos < end) {
            int remaining = end - pos;
            if (remaining < BatchHeader.LOG_OVERHEAD) {
                if (!leader) break;
                throw new CorruptRecordException(
                        "Trailing " + remaining + " bytes after the last batch of an append to " + tp);
            }
            int size = buf.getInt(pos + BatchHeader.LENGTH_OFFSET) + BatchHeader.LOG_OVERHEAD;
            if (remaining > BatchHeader.MAGIC_OFFSET
                    && size > BatchHeader.MAGIC_OFFSET
                    && buf.get(pos + BatchHeader.MAGIC_OFFSET) != RecordBatch.MAGIC_VALUE_V2)
                throw new InvalidRecordException(
                        "Record batch in an append to " + tp + " has magic " + buf.get(pos + BatchHeader.MAGIC_OFFSET)
                                + "; only magic 2 (Kafka 0.11+ record batches) is accepted");
            if (size < BatchHeader.HEADER_SIZE)
                throw new CorruptRecordException("Record batch size " + size + " in an append to " + tp
                        + " is smaller than the minimum of " + BatchHeader.HEADER_SIZE);
            if (size > config.maxMessageBytes())
                throw new RecordTooLargeException("The record batch size in the append to " + tp + " is " + size
                        + " bytes which exceeds the maximum configured value of " + config.maxMessageBytes() + ".");
            if (size > remaining) {
                if (!leader) break;
                throw new CorruptRecordException("Record batch of " + size + " bytes in an append to " + tp
                        + " is cut off after " + remaining + " bytes");
            }
            byte magic = buf.get(pos + BatchHeader.MAGIC_OFFSET);
            if (magic != RecordBatch.MAGIC_VALUE_V2)
                throw new InvalidRecordException("Record batch in an append to " + tp + " has magic " + magic
                        + "; only magic 2 (Kafka 0.11+ record batches) is accepted");
            BatchHeader h = BatchHeader.parse(buf, pos, pos - start);
            if (!crcMatches(buf, pos, size, h.crc()))
                throw new CorruptRecordException("Record batch in an append to " + tp + " at offset " + h.baseOffset()
                        + " fails its CRC-32C check");
            if (h.lastOffsetDelta() < 0 || h.recordCount() < 0)
                throw new InvalidRecordException("Record batch in an append to " + tp + " has last offset delta "
                        + h.lastOffsetDelta() + " and record count " + h.recordCount());
            if (leader) {
                if (h.recordCount() == 0)
                    throw new InvalidRecordException("Record batch in an append to " + tp + " holds no records");
                if ((long) h.lastOffsetDelta() + 1 != h.recordCount())
                    throw new InvalidRecordException("Inconsistent batch offset range and record count in an append to "
                            + tp + ": last offset delta " + h.lastOffsetDelta() + ", count " + h.recordCount());
                if (h.isControlBatch() != (origin == Origin.COORDINATOR))
                    throw new InvalidRecordException(
                            "Record batch in an append to " + tp + " is " + (h.isControlBatch() ? "" : "not ")
                                    + "a control batch: control batches are written by the partition leader for the"
                                    + " transaction coordinator only");
                validateRecords(tp, buf, pos, size, h, config.compact() && !h.isControlBatch());
            } else {
                if (h.baseOffset() < 0 || h.baseOffset() < expectedNext)
                    throw new InvalidRecordException("Follower append to " + tp + " has out-of-order batch at offset "
                            + h.baseOffset() + " (expected at least " + expectedNext + ")");
                expectedNext = h.nextOffset();
            }
            result.add(h);
            pos += size;
        }
        long total = result.isEmpty() ? 0 : result.get(result.size() - 1).nextPosition();
        if (total > config.segmentBytes())
            throw new RecordBatchTooLargeException("The append to " + tp + " of " + total
                    + " bytes exceeds the segment size of " + config.segmentBytes() + " bytes");
        return result;
    }

    static boolean crcMatches(ByteBuffer buf, int batchPos, int size, int expected) {
        CRC32C crc = new CRC32C();
        ByteBuffer region = buf.duplicate();
        region.limit(batchPos + size).position(batchPos + BatchHeader.ATTRIBUTES_OFFSET);
        crc.update(region);
        return (int) crc.getValue() == expected;
    }

    /**
     * Checks that the records fill the batch exactly and that their offset deltas run 0..n-1. Uncompressed batches
     * are walked in place (record length, offset delta, key and value lengths, header count); compressed batches are
     * decompressed through Kafka's iterator.
     */
    private static void validateRecords(
            TopicPartition tp, ByteBuffer buf, int pos, int size, BatchHeader h, boolean keysRequired) {
        if (!h.isCompressed()) {
            walkUncompressed(tp, buf, pos, size, h, keysRequired);
            return;
        }
        ByteBuffer slice = buf.duplicate();
        slice.limit(pos + size).position(pos);
        MutableRecordBatch batch =
                MemoryRecords.readableRecords(slice.slice()).batchIterator().next();
        long expectedOffset = batch.baseOffset();
        int n = 0;
        try (CloseableIterator<Record> it = batch.skipKeyValueIterator(BufferSupplier.NO_CACHING)) {
            while (it.hasNext()) {
                Record r = it.next();
                if (r.offset() != expectedOffset)
                    throw invalid(
                            tp,
                            h,
                            "offset delta " + (r.offset() - batch.baseOffset()) + " where "
                                    + (expectedOffset - batch.baseOffset()) + " was expected");
                if (keysRequired && !r.hasKey()) throw keyless(tp);
                expectedOffset++;
                n++;
            }
        } catch (InvalidRecordException e) {
            throw e;
        } catch (KafkaException | BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new InvalidRecordException(
                    "Malformed record in a batch at offset " + h.baseOffset() + " in an append to " + tp + ": "
                            + e.getMessage(),
                    e);
        }
        if (n != h.recordCount()) throw invalid(tp, h, h.recordCount() + " records declared but " + n + " found");
    }

    /** Kafka's message for a record without a key sent to a compacted topic. */
    private static InvalidRecordException keyless(TopicPartition tp) {
        return new InvalidRecordException(
                "Compacted topic cannot accept message without key in topic partition " + tp + ".");
    }

    private static InvalidRecordException invalid(TopicPartition tp, BatchHeader h, String what) {
        return new InvalidRecordException(
                "Malformed record batch at offset " + h.baseOffset() + " in an append to " + tp + ": " + what);
    }

    private static void walkUncompressed(
            TopicPartition tp, ByteBuffer buf, int batchPos, int size, BatchHeader h, boolean keysRequired) {
        int end = batchPos + size;
        int p = batchPos + BatchHeader.HEADER_SIZE;
        int count = h.recordCount();
        for (int i = 0; i < count; i++) {
            if (p >= end) throw invalid(tp, h, "record " + i + " of " + count + " is missing");
            long v = varint(buf, p, end);
            int length = value(v);
            p = next(v);
            int recordEnd = p + length;
            if (v == -1L || length < 1 || recordEnd > end || recordEnd < 0)
                throw invalid(tp, h, "record " + i + " has length " + length + " beyond the batch");
            p++; // attributes
            p = skipVarlong(buf, p, recordEnd, tp, h); // timestamp delta
            v = varint(buf, p, recordEnd);
            if (v == -1L || value(v) != i)
                throw invalid(tp, h, "record " + i + " has offset delta " + (v == -1L ? "(malformed)" : value(v)));
            p = next(v);
            v = varint(buf, p, recordEnd);
            int keyLength = value(v);
            p = next(v);
            if (v == -1L || keyLength < -1 || (keyLength > 0 && (p += keyLength) > recordEnd))
                throw invalid(tp, h, "record " + i + " has key length " + keyLength);
            if (keysRequired && keyLength < 0) throw keyless(tp);
            v = varint(buf, p, recordEnd);
            int valueLength = value(v);
            p = next(v);
            if (v == -1L || valueLength < -1 || (valueLength > 0 && (p += valueLength) > recordEnd))
                throw invalid(tp, h, "record " + i + " has value length " + valueLength);
            v = varint(buf, p, recordEnd);
            int headers = value(v);
            p = next(v);
            if (v == -1L || headers < 0 || p > recordEnd || (headers == 0 && p != recordEnd))
                throw invalid(tp, h, "record " + i + " has " + headers + " headers and does not end at its length");
            p = recordEnd;
        }
        if (p != end) throw invalid(tp, h, (end - p) + " bytes after the last of " + count + " records");
    }

    /**
     * Reads a zig-zag varint at {@code p} that must end before {@code limit}: returns the position after it in the
     * low 32 bits and the value in the high 32 bits, or -1 when malformed.
     */
    private static long varint(ByteBuffer buf, int p, int limit) {
        int raw = 0;
        int shift = 0;
        while (true) {
            if (p >= limit || shift > 28) return -1L;
            byte b = buf.get(p++);
            raw |= (b & 0x7f) << shift;
            if (b >= 0) break;
            shift += 7;
        }
        int value = (raw >>> 1) ^ -(raw & 1);
        return ((long) value << 32) | (p & 0xffffffffL);
    }

    private static int value(long packed) {
        return (int) (packed >> 32);
    }

    /** Position after a packed varint; a malformed one (-1) gives a position past any limit. */
    private static int next(long packed) {
        return packed == -1L ? Integer.MAX_VALUE : (int) packed;
    }

    private static int skipVarlong(ByteBuffer buf, int p, int limit, TopicPartition tp, BatchHeader h) {
        for (int n = 0; n < 10; n++) {
            if (p >= limit) break;
            if (buf.get(p++) >= 0) return p;
        }
        throw invalid(tp, h, "malformed varlong at position " + p);
    }
}
