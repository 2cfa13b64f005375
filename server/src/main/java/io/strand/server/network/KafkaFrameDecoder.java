package io.strand.server.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Framing only: a 4-byte big-endian size, then exactly that many bytes. A size above
 * {@code socket.request.max.bytes} (or below zero), or above the smaller limit the connection's
 * {@link ConnectionAuthenticator} sets before it has authenticated, is rejected before anything is
 * allocated, and the connection is closed by {@link RequestChannel#exceptionCaught}; nothing after
 * it is read. A connection that ends in the middle of a frame is logged.
 */
public final class KafkaFrameDecoder extends LengthFieldBasedFrameDecoder {
    private static final Logger log = LoggerFactory.getLogger(KafkaFrameDecoder.class);

    private final int maxFrameBytes;
    private final ConnectionAuthenticator authenticator;
    private boolean refused;

    public KafkaFrameDecoder(int maxFrameBytes) {
        this(maxFrameBytes, ConnectionAuthenticator.NONE);
    }

    public KafkaFrameDecoder(int maxFrameBytes, ConnectionAuthenticator authenticator) {
        super(maxFrameBytes, 0, 4, 0, 4, true);
        this.maxFrameBytes = maxFrameBytes;
        this.authenticator = authenticator;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (refused) {
            in.skipBytes(in.readableBytes());
            return null;
        }
        if (in.readableBytes() >= 4) {
            int size = in.getInt(in.readerIndex());
            int limit = authenticator.maxFrameBytes(maxFrameBytes);
            if (limit < maxFrameBytes && size > limit) {
                refused = true;
                in.skipBytes(in.readableBytes());
                throw new TooLongFrameException("a frame of " + size + " bytes before authentication (at most " + limit
                        + " bytes are accepted until then)");
            }
        }
        return super.decode(ctx, in);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        int partial = actualReadableBytes();
        if (partial > 0 && !refused) {
            log.warn(
                    "Connection from {} closed in the middle of a request frame: {} bytes of a partial frame dropped",
                    ctx.channel().remoteAddress(),
                    partial);
        }
        super.channelInactive(ctx);
    }
}
