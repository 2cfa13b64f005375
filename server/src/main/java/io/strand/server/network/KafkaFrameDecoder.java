package io.strand.server.network;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Framing only: a 4-byte big-endian size, then exactly that many bytes. A size above
 * {@code socket.request.max.bytes} (or below zero) is rejected before anything is allocated, and
 * the connection is closed by {@link RequestChannel#exceptionCaught}. A connection that ends in
 * the middle of a frame is logged.
 */
public final class KafkaFrameDecoder extends LengthFieldBasedFrameDecoder {
    private static final Logger log = LoggerFactory.getLogger(KafkaFrameDecoder.class);

    public KafkaFrameDecoder(int maxFrameBytes) {
        super(maxFrameBytes, 0, 4, 0, 4, true);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        int partial = actualReadableBytes();
        if (partial > 0) {
            log.warn(
                    "Connection from {} closed in the middle of a request frame: {} bytes of a partial frame dropped",
                    ctx.channel().remoteAddress(),
                    partial);
        }
        super.channelInactive(ctx);
    }
}
