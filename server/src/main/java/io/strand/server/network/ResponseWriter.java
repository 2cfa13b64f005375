package io.strand.server.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.strand.wal.FileSlice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.internals.ByteUtils;

/**
 * Serialises one response (size prefix, header, body) with kafka-clients' generated writers into
 * Netty buffers. Records held in a log segment ({@link FileSlice}) are not copied: they become a
 * {@link SegmentFileRegion} between the buffers before and after them.
 *
 * <p>Not thread-safe; one instance per response.
 */
final class ResponseWriter implements Writable {
    private final ByteBufAllocator alloc;
    private final List<Object> parts = new ArrayList<>();
    private ByteBuf current;
    private ByteBufOutputStream currentOut;

    private ResponseWriter(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** The frame of {@code body} at {@code version} after {@code header}, as buffers and file regions in order. */
    static List<Object> frame(
            ByteBufAllocator alloc, ApiMessage header, short headerVersion, ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, version);
        ResponseWriter w = new ResponseWriter(alloc);
        w.startBuffer(Math.min(size.totalSize() + 4, 64 * 1024));
        w.writeInt(size.totalSize());
        header.write(w, cache, headerVersion);
        body.write(w, cache, version);
        w.finishBuffer();
        return w.parts;
    }

    private void startBuffer(int capacity) {
        current = alloc.ioBuffer(Math.max(capacity, 256));
        currentOut = new ByteBufOutputStream(current);
    }

    private void finishBuffer() {
        if (current != null) {
            if (current.isReadable()) {
                parts.add(current);
            } else {
                current.release();
            }
            current = null;
            currentOut = null;
        }
    }

    private ByteBuf buf() {
        if (current == null) {
            startBuffer(4096);
        }
        return current;
    }

    @Override
    public void writeByte(byte val) {
        buf().writeByte(val);
    }

    @Override
    public void writeShort(short val) {
        buf().writeShort(val);
    }

    @Override
    public void writeInt(int val) {
        buf().writeInt(val);
    }

    @Override
    public void writeLong(long val) {
        buf().writeLong(val);
    }

    @Override
    public void writeDouble(double val) {
        buf().writeDouble(val);
    }

    @Override
    public void writeByteArray(byte[] arr) {
        buf().writeBytes(arr);
    }

    @Override
    public void writeUnsignedVarint(int i) {
        buf();
        try {
            ByteUtils.writeUnsignedVarint(i, currentOut);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeByteBuffer(ByteBuffer src) {
        buf().writeBytes(src.duplicate());
    }

    @Override
    public void writeVarint(int i) {
        buf();
        try {
            ByteUtils.writeVarint(i, currentOut);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeVarlong(long i) {
        buf();
        try {
            ByteUtils.writeVarlong(i, currentOut);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeRecords(BaseRecords records) {
        if (records instanceof FileSlice slice) {
            if (slice.sizeInBytes() > 0) {
                finishBuffer();
                parts.add(new SegmentFileRegion(slice.channel(), slice.position(), slice.sizeInBytes()));
            }
        } else if (records instanceof MemoryRecords memory) {
            writeByteBuffer(memory.buffer());
        } else {
            Writable.super.writeRecords(records);
        }
    }
}
