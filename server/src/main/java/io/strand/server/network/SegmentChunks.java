package io.strand.server.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import java.io.EOFException;
import java.nio.channels.FileChannel;

/**
 * A log-segment region read in chunks, for connections that cannot send a file with zero copy (TLS:
 * the bytes must pass through the SSLEngine). Netty's {@code ChunkedWriteHandler} pulls one chunk at a
 * time while the connection is writable, so a large fetch is never copied into memory whole. Unlike
 * Netty's {@code ChunkedNioFile} it leaves the file channel open: the segment owns it.
 *
 * <p>Not thread-safe: read by the connection's event loop only.
 */
final class SegmentChunks implements ChunkedInput<ByteBuf> {
    private final FileChannel segment;
    private final long start;
    private final long end;
    private final int chunkSize;
    private long position;

    SegmentChunks(FileChannel segment, long position, long count, int chunkSize) {
        this.segment = segment;
        this.start = position;
        this.position = position;
        this.end = position + count;
        this.chunkSize = chunkSize;
    }

    @Override
    public boolean isEndOfInput() {
        return position >= end;
    }

    @Override
    public void close() {
        // the log segment owns the channel
    }

    @Override
    @Deprecated
    public ByteBuf readChunk(ChannelHandlerContext ctx) throws Exception {
        return readChunk(ctx.alloc());
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) throws Exception {
        if (position >= end) {
            return null;
        }
        int size = (int) Math.min(chunkSize, end - position);
        ByteBuf chunk = allocator.heapBuffer(size);
        try {
            while (chunk.writerIndex() < size) {
                int n = chunk.writeBytes(segment, position + chunk.writerIndex(), size - chunk.writerIndex());
                if (n < 0) {
                    throw new EOFException("log segment ends at " + (position + chunk.writerIndex())
                            + " before the fetched region's end " + end);
                }
            }
            position += size;
            return chunk;
        } catch (Exception e) {
            chunk.release();
            throw e;
        }
    }

    @Override
    public long length() {
        return end - start;
    }

    @Override
    public long progress() {
        return position - start;
    }
}
