package io.strand.wal;

import java.nio.ByteBuffer;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The fixed 61-byte header of a Kafka v2 record batch, parsed from the log or from an append buffer, plus the
 * batch's position. Offsets into the header follow Kafka's {@code DefaultRecordBatch}.
 */
record BatchHeader(
        long position,
        long baseOffset,
        int sizeInBytes,
        int partitionLeaderEpoch,
        byte magic,
        int crc,
        short attributes,
        int lastOffsetDelta,
        long baseTimestamp,
        long maxTimestamp,
        int recordCount) {

    static final int BASE_OFFSET_OFFSET = 0;
    static final int LENGTH_OFFSET = 8;
    static final int PARTITION_LEADER_EPOCH_OFFSET = 12;
    static final int MAGIC_OFFSET = 16;
    static final int CRC_OFFSET = 17;
    static final int ATTRIBUTES_OFFSET = 21;
    static final int LAST_OFFSET_DELTA_OFFSET = 23;
    static final int BASE_TIMESTAMP_OFFSET = 27;
    static final int MAX_TIMESTAMP_OFFSET = 35;
    static final int RECORDS_COUNT_OFFSET = 57;
    /** Size of the v2 batch header; also the smallest valid batch. */
    static final int HEADER_SIZE = 61;
    /** Base offset and length: what precedes the part of the batch that its length counts. */
    static final int LOG_OVERHEAD = 12;

    static final int TIMESTAMP_TYPE_MASK = 0x08;
    static final int CONTROL_FLAG_MASK = 0x20;
    static final int COMPRESSION_CODEC_MASK = 0x07;

    /** Parses the header at {@code buf}'s absolute index {@code at}; the caller has checked that 61 bytes are there. */
    static BatchHeader parse(ByteBuffer buf, int at, long position) {
        return new BatchHeader(
                position,
                buf.getLong(at + BASE_OFFSET_OFFSET),
                buf.getInt(at + LENGTH_OFFSET) + LOG_OVERHEAD,
                buf.getInt(at + PARTITION_LEADER_EPOCH_OFFSET),
                buf.get(at + MAGIC_OFFSET),
                buf.getInt(at + CRC_OFFSET),
                buf.getShort(at + ATTRIBUTES_OFFSET),
                buf.getInt(at + LAST_OFFSET_DELTA_OFFSET),
                buf.getLong(at + BASE_TIMESTAMP_OFFSET),
                buf.getLong(at + MAX_TIMESTAMP_OFFSET),
                buf.getInt(at + RECORDS_COUNT_OFFSET));
    }

    long lastOffset() {
        return baseOffset + lastOffsetDelta;
    }

    long nextOffset() {
        return lastOffset() + 1;
    }

    long nextPosition() {
        return position + sizeInBytes;
    }

    TimestampType timestampType() {
        return (attributes & TIMESTAMP_TYPE_MASK) == 0 ? TimestampType.CREATE_TIME : TimestampType.LOG_APPEND_TIME;
    }

    boolean isCompressed() {
        return (attributes & COMPRESSION_CODEC_MASK) != 0;
    }

    /** A control batch: a transaction marker (COMMIT / ABORT) written for the transaction coordinator. */
    boolean isControlBatch() {
        return (attributes & CONTROL_FLAG_MASK) != 0;
    }

    /** Unsigned CRC as Kafka reports it. */
    long checksum() {
        return crc & 0xffffffffL;
    }

    /** True if every field is zero: not a batch but the zeros a segment is written ahead with. */
    boolean isZeroed() {
        return baseOffset == 0
                && sizeInBytes == LOG_OVERHEAD
                && partitionLeaderEpoch == 0
                && magic == 0
                && crc == 0
                && attributes == 0
                && lastOffsetDelta == 0
                && baseTimestamp == 0
                && maxTimestamp == 0
                && recordCount == 0;
    }

    /** True if the header alone is structurally plausible (magic 2, length, offset delta, count). */
    boolean isStructurallyValid() {
        return magic == RecordBatch.MAGIC_VALUE_V2
                && sizeInBytes >= HEADER_SIZE
                && lastOffsetDelta >= 0
                && recordCount >= 0
                && baseOffset >= 0;
    }
}
