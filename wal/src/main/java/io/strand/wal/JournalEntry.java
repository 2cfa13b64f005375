package io.strand.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.apache.kafka.common.Uuid;

/**
 * One entry of the {@link WriteAheadJournal}, and its byte format (big-endian):
 *
 * <pre>
 * crc32c      int32   of every byte after this field
 * length      int32   bytes after this field
 * position    int64   the entry's journal position (file base + offset in the file): a stale entry of a recycled
 *                     file, or zeros, never match it
 * type        int8    1 = APPEND (payload: Kafka v2 batches, byte for byte), 2 = ABORTED_TXN (payload: producer id,
 *                     first offset, last offset, last stable offset, four int64), 3 = TRUNCATE to baseOffset,
 *                     4 = RESTART (emptied, starting at baseOffset); the last two without payload
 * topicId     16 bytes (zeros for a log without one)
 * log         int16 length + UTF-8 bytes: the partition log's directory name ({@code <topic>-<partition>})
 * baseOffset  int64   first offset the payload covers
 * payload
 * </pre>
 *
 * <p>Immutable; the codec methods are stateless.
 */
record JournalEntry(long position, byte type, Uuid topicId, String log, long baseOffset, ByteBuffer payload) {
    static final byte APPEND = 1;
    static final byte ABORTED_TXN = 2;
    /** The log was truncated to {@code baseOffset} (no payload). */
    static final byte TRUNCATE = 3;
    /** The log was emptied and restarts at {@code baseOffset} (no payload). */
    static final byte RESTART = 4;

    /** A journal file's header: magic "SJNL", version, padding, the position of the file's first entry. */
    static final int FILE_HEADER = 16;

    private static final int MAGIC = 0x534a4e4c;
    private static final short VERSION = 1;
    private static final int PREFIX = 8; // crc + length
    private static final int FIXED = 8 + 1 + 16 + 2 + 8;

    /** The header of an entry whose payload is {@code payloadBytes} long; the crc covers {@code payload} too. */
    static ByteBuffer header(
            long position, byte type, Uuid topicId, byte[] logName, long baseOffset, ByteBuffer payload) {
        ByteBuffer h = ByteBuffer.allocate(PREFIX + FIXED + logName.length);
        h.putInt(0).putInt(FIXED + logName.length + payload.remaining());
        h.putLong(position).put(type);
        Uuid id = topicId == null ? Uuid.ZERO_UUID : topicId;
        h.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        h.putShort((short) logName.length).put(logName).putLong(baseOffset);
        h.flip();
        CRC32C crc = new CRC32C();
        crc.update(h.array(), PREFIX, h.limit() - PREFIX);
        crc.update(payload.duplicate());
        h.putInt(0, (int) crc.getValue());
        return h;
    }

    /** The header of a journal file whose first entry lies at {@code base}. */
    static ByteBuffer fileHeader(long base) {
        return ByteBuffer.allocate(FILE_HEADER)
                .putInt(MAGIC)
                .putShort(VERSION)
                .putShort((short) 0)
                .putLong(base)
                .flip();
    }

    /** The position of the file's first entry, or -1 when its header is not valid (zeros, or a short file). */
    static long readFileHeader(FileChannel ch) throws IOException {
        if (ch.size() < FILE_HEADER) return -1;
        ByteBuffer h = ByteBuffer.allocate(FILE_HEADER);
        while (h.hasRemaining()) if (ch.read(h, h.position()) < 0) return -1;
        h.flip();
        if (h.getInt() != MAGIC || h.getShort() != VERSION) return -1;
        h.getShort();
        return h.getLong();
    }

    static byte[] nameBytes(String logName) {
        return logName.getBytes(StandardCharsets.UTF_8);
    }

    static ByteBuffer abortedTxnPayload(AbortedTxn txn) {
        return ByteBuffer.allocate(32)
                .putLong(txn.producerId())
                .putLong(txn.firstOffset())
                .putLong(txn.lastOffset())
                .putLong(txn.lastStableOffset())
                .flip();
    }

    AbortedTxn abortedTxn() {
        ByteBuffer p = payload.duplicate();
        return new AbortedTxn(p.getLong(), p.getLong(), p.getLong(), p.getLong());
    }

    /** Bytes this entry takes in the file. */
    int size() {
        return PREFIX + FIXED + nameBytes(log).length + payload.remaining();
    }

    /**
     * The entry at {@code offsetInFile} of {@code ch}, if a whole valid one is there for journal position
     * {@code expectedPosition}; empty at the end of the journal (zeros, a torn or stale entry, the end of the file).
     */
    static Optional<JournalEntry> read(FileChannel ch, long offsetInFile, long expectedPosition) throws IOException {
        long fileSize = ch.size();
        if (offsetInFile + PREFIX + FIXED > fileSize) return Optional.empty();
        ByteBuffer prefix = ByteBuffer.allocate(PREFIX);
        readFully(ch, prefix, offsetInFile);
        int crc = prefix.getInt(0);
        int length = prefix.getInt(4);
        if (length < FIXED || offsetInFile + PREFIX + length > fileSize) return Optional.empty();
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(ch, body, offsetInFile + PREFIX);
        CRC32C c = new CRC32C();
        c.update(body.array(), 0, length);
        if ((int) c.getValue() != crc) return Optional.empty();
        long position = body.getLong();
        if (position != expectedPosition) return Optional.empty();
        byte type = body.get();
        Uuid topicId = new Uuid(body.getLong(), body.getLong());
        int nameLen = body.getShort() & 0xffff;
        if (nameLen > body.remaining() - 8) return Optional.empty();
        byte[] name = new byte[nameLen];
        body.get(name);
        long base = body.getLong();
        ByteBuffer payload = body.slice();
        return Optional.of(
                new JournalEntry(position, type, topicId, new String(name, StandardCharsets.UTF_8), base, payload));
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) throw new IOException("unexpected end of journal file");
        }
        buf.flip();
    }
}
