package io.strand.server.network;

import io.netty.channel.socket.SocketChannel;

/**
 * What a listener's security protocol puts into each new connection's pipeline before {@link
 * SocketServer} adds framing and the request channel: nothing for PLAINTEXT, TLS for SSL and
 * SASL_SSL. Implementations are thread-safe (called on any network thread).
 */
@FunctionalInterface
public interface ChannelSecurity {
    /** No handlers: PLAINTEXT. */
    ChannelSecurity NONE = channel -> {};

    /** Adds this listener's handlers to {@code channel}'s (still empty) pipeline. */
    void initChannel(SocketChannel channel);
}
