package io.strand.server.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.strand.server.ListenerConfig;
import io.strand.server.metrics.BrokerMetrics;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the broker's listeners with Netty (epoll where available) and gives every accepted
 * connection its pipeline: the listener's {@link ChannelSecurity} handlers (TLS), then {@link
 * KafkaFrameDecoder} and {@link RequestChannel}, both consulting the connection's {@link
 * ConnectionAuthenticator} (SASL on SASL_PLAINTEXT and SASL_SSL listeners); the broker's client
 * quotas ({@link RequestThrottler}) throttle every connection.
 */
public final class SocketServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SocketServer.class);

    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final Class<? extends ServerSocketChannel> channelClass;
    private final List<Channel> bound = new ArrayList<>();

    private final UnansweredRequests unanswered;

    /** With {@code unanswered} keeping what its connections leave unanswered when it closes. */
    public SocketServer(int networkThreads, UnansweredRequests unanswered) {
        this.unanswered = unanswered;
        IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        channelClass = Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        acceptors = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("strand-acceptor", true), io);
        workers = new MultiThreadIoEventLoopGroup(networkThreads, new DefaultThreadFactory("strand-network", true), io);
    }

    /**
     * Binds one listener, whose connections first get {@code security}'s handlers; returns the bound
     * address (the port is real when 0 was asked for).
     */
    public InetSocketAddress bind(
            ListenerConfig.Listener listener,
            ChannelSecurity security,
            ApiHandlers handlers,
            Executor requestPool,
            BrokerMetrics metrics,
            int maxFrameBytes,
            int maxInFlight,
            ConnectionAuthenticator.Factory authenticators,
            RequestThrottler throttler)
            throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        security.initChannel(ch);
                        ConnectionAuthenticator authenticator = authenticators.create(ch.remoteAddress());
                        ch.pipeline().addLast("frame", new KafkaFrameDecoder(maxFrameBytes, authenticator));
                        ch.pipeline()
                                .addLast(
                                        "requests",
                                        new RequestChannel(
                                                handlers,
                                                requestPool,
                                                listener.name(),
                                                listener.securityProtocol(),
                                                metrics,
                                                maxInFlight,
                                                authenticator,
                                                throttler,
                                                unanswered));
                    }
                });
        Channel ch = b.bind(listener.host(), listener.port()).sync().channel();
        bound.add(ch);
        InetSocketAddress addr = (InetSocketAddress) ch.localAddress();
        log.info("Listening for {} on {} ({})", listener.name(), addr, Epoll.isAvailable() ? "epoll" : "nio");
        return addr;
    }

    @Override
    public void close() {
        unanswered.stopping();
        for (Channel ch : bound) {
            ch.close().awaitUninterruptibly();
        }
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
