package io.strand.server.security.tls;

import com.codahale.metrics.Meter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.strand.server.network.ConnectionPrincipal;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits behind a connection's {@link SslHandler}: once the handshake is done it sets the connection's
 * principal on an SSL listener (the client certificate's, or ANONYMOUS without one; on SASL_SSL the
 * SASL exchange sets it later), before the first request reaches the request channel. A failed
 * handshake — no, an untrusted or an expired client certificate, a plaintext client on the TLS
 * port — is logged once with its reason and counted ({@code network.tls-handshake-failures}), and
 * the connection closed; other connections are untouched.
 *
 * <p>One instance per connection; confined to its event loop.
 */
final class TlsSessionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TlsSessionHandler.class);

    private final ListenerTls tls;
    private final Meter failures;
    private boolean handshakeDone;
    private boolean failureLogged;

    TlsSessionHandler(ListenerTls tls, Meter failures) {
        this.tls = tls;
        this.failures = failures;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                established(ctx);
            } else {
                failed(ctx, done.cause());
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!handshakeDone) {
            established(ctx); // data cannot come before the handshake's end; should the event come later
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        Throwable tlsCause = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (tlsCause instanceof SSLException) {
            failed(ctx, tlsCause); // the handshake or a record failed: the SslHandler closes the connection
            ctx.close();
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    private void established(ChannelHandlerContext ctx) {
        if (handshakeDone) {
            return;
        }
        handshakeDone = true;
        SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        if (tls.securityProtocol() == SecurityProtocol.SSL) {
            KafkaPrincipal principal = tls.principal(session, remote.getAddress());
            ConnectionPrincipal.set(ctx.channel(), principal);
            log.debug(
                    "TLS connection from {} on listener {}: {} {}, principal {}",
                    remote,
                    tls.listenerName(),
                    session.getProtocol(),
                    session.getCipherSuite(),
                    principal);
        } else {
            log.debug(
                    "TLS connection from {} on listener {}: {} {}",
                    remote,
                    tls.listenerName(),
                    session.getProtocol(),
                    session.getCipherSuite());
        }
    }

    private void failed(ChannelHandlerContext ctx, Throwable cause) {
        if (failureLogged) {
            return;
        }
        failureLogged = true;
        if (cause instanceof ClosedChannelException) {
            log.debug(
                    "Connection from {} closed during the TLS handshake",
                    ctx.channel().remoteAddress());
            return;
        }
        if (handshakeDone) { // after the handshake: a broken record, not an authentication
            log.info(
                    "TLS connection from {} on listener {} failed: {}",
                    ctx.channel().remoteAddress(),
                    tls.listenerName(),
                    ListenerTls.reason(cause));
            return;
        }
        failures.mark();
        String reason = cause instanceof NotSslRecordException
                ? "it did not speak TLS (a plaintext client on a TLS port?)"
                : ListenerTls.reason(cause);
        log.info(
                "Failed authentication with {} on listener {} (TLS handshake failed): {}",
                ctx.channel().remoteAddress(),
                tls.listenerName(),
                reason);
    }
}
