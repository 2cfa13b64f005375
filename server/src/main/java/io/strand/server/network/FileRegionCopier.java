package io.strand.server.network;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Turns the zero-copy regions of fetch responses ({@link SegmentFileRegion}) into {@link
 * SegmentChunks} for a {@code ChunkedWriteHandler} nearer the head of the pipeline, on connections
 * whose bytes must be transformed before they reach the socket (TLS). PLAINTEXT connections do not
 * have it and keep {@code sendfile}. Everything else passes untouched.
 *
 * <p>Stateless and {@link io.netty.channel.ChannelHandler.Sharable}.
 */
@io.netty.channel.ChannelHandler.Sharable
public final class FileRegionCopier extends ChannelOutboundHandlerAdapter {
    /** One chunk: four TLS records' worth. */
    static final int CHUNK_BYTES = 64 * 1024;

    public static final FileRegionCopier INSTANCE = new FileRegionCopier();

    private FileRegionCopier() {}

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof SegmentFileRegion region) {
            SegmentChunks chunks = region.chunks(CHUNK_BYTES);
            region.release();
            ctx.write(chunks, promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
