package io.strand.wal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.DefaultRecordsSend;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordsSend;
import org.apache.kafka.common.record.internal.TransferableRecords;

/**
 * A region of one segment file holding whole record batches, sent with zero copy
 * ({@link FileChannel#transferTo}, or Netty's {@code FileRegion} over {@link #channel()}, {@link #position()},
 * {@link #sizeInBytes()}). Implements Kafka's {@link TransferableRecords}, so it can go straight into
 * {@code FetchResponseData.PartitionData.setRecords}.
 *
 * <p>The channel belongs to the segment: do not close it. (Netty's {@code DefaultFileRegion} closes its channel when
 * released; wrap the channel in a region whose {@code deallocate} does nothing.) A segment deleted by retention or
 * truncation is renamed and only closed after {@code file.delete.delay.ms}, so a slice handed out just before stays
 * readable. Immutable and thread-safe.
 */
public final class FileSlice implements TransferableRecords {
    private final Path file;
    private final FileChannel channel;
    private final long position;
    private final int size;
    private final long baseOffset;
    private final long nextOffset;

    FileSlice(Path file, FileChannel channel, long position, int size, long baseOffset, long nextOffset) {
        this.file = file;
        this.channel = channel;
        this.position = position;
        this.size = size;
        this.baseOffset = baseOffset;
        this.nextOffset = nextOffset;
    }

    public FileChannel channel() {
        return channel;
    }

    /** Position of the first byte in the file. */
    public long position() {
        return position;
    }

    @Override
    public int sizeInBytes() {
        return size;
    }

    /** The segment file (its name when the slice was made; retention may rename it later). */
    public Path file() {
        return file;
    }

    /** Base offset of the first batch in the slice. */
    public long firstBatchBaseOffset() {
        return baseOffset;
    }

    /**
     * Where to read next: every batch in the slice ends below it, and the batch after the slice (if any) starts at
     * or above it. For a log without offset gaps it is the last offset in the slice plus one.
     */
    public long nextOffset() {
        return nextOffset;
    }

    @Override
    public int writeTo(TransferableChannel destChannel, int offset, int length) throws IOException {
        if (offset < 0 || length < 0 || offset > size)
            throw new IllegalArgumentException(
                    "offset " + offset + ", length " + length + " outside slice of " + size + " bytes");
        long end = position + size;
        long available = Math.min(channel.size(), end) - position;
        if (available < size)
            throw new KafkaException("Segment file " + file + " was truncated under a slice: " + available + " of "
                    + size + " bytes left at position " + position);
        long count = Math.min(length, size - offset);
        return (int) destChannel.transferFrom(channel, position + offset, count);
    }

    @Override
    public RecordsSend<? extends TransferableRecords> toSend() {
        return new DefaultRecordsSend<>(this);
    }

    /** Copies the slice onto the heap (for tests, TLS transports and in-process followers). */
    public MemoryRecords readIntoMemory() {
        ByteBuffer buf = ByteBuffer.allocate(size);
        try {
            while (buf.hasRemaining()) {
                int n = channel.read(buf, position + buf.position());
                if (n < 0)
                    throw new KafkaException(
                            "Segment file " + file + " ended inside a slice at " + (position + buf.position()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buf.flip();
        return MemoryRecords.readableRecords(buf);
    }

    @Override
    public String toString() {
        return "FileSlice(file=" + file + ", position=" + position + ", size=" + size + ", offsets=" + baseOffset + ".."
                + (nextOffset - 1) + ")";
    }
}
