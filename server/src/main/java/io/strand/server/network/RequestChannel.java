package io.strand.server.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.strand.server.concurrent.OrderedExecutor;
import io.strand.server.metrics.BrokerMetrics;
import io.strand.server.metrics.RequestMetrics;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.RequestAndSize;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's request pipeline: decodes each frame into the API's generated request class,
 * runs its handler on the request pool in arrival order, and writes responses in request order.
 * A frame that does not decode, an unknown API key or an unsupported version closes this
 * connection only, with a logged reason; ApiVersions at a version newer than ours is answered
 * with UNSUPPORTED_VERSION and our versions, as the protocol defines. The connection's
 * {@link ConnectionAuthenticator} sees every frame first: it names the principal of each request and
 * may answer a request itself (the SASL exchange, in its turn among the responses) or close the
 * connection. Client quotas ({@link RequestThrottler}) see each request before and after its
 * handler; a throttled response goes out at once with its {@code throttle_time_ms}, and nothing more
 * is read from the connection until that time has passed.
 *
 * <p>Threading: Netty callbacks and {@link #inFlight} are confined to the channel's event loop;
 * handlers run on the request pool through a per-connection {@link OrderedExecutor}.
 */
public final class RequestChannel extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RequestChannel.class);

    private final ApiHandlers handlers;
    private final OrderedExecutor serial;
    private final String listenerName;
    private final BrokerMetrics metrics;
    private final int maxInFlight;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private String connectionId = "?";
    /** The security protocol of the listener this connection came on. */
    private final SecurityProtocol securityProtocol;
    /** The SASL exchange and who it authenticated; none: the principal is the channel's (TLS, or ANONYMOUS). */
    private final ConnectionAuthenticator authenticator;
    /** A response that closes the connection is queued: nothing read after it is served. */
    private boolean closing;
    /** Client quotas: what each request used, and how long to read nothing more after it. */
    private final RequestThrottler throttler;
    /** No reads from this connection before this {@link System#nanoTime()} (a quota throttle); 0: none. */
    private long throttledUntilNanos;
    /** Where this connection's unanswered requests go if it closes because the broker stops. */
    private final UnansweredRequests unanswered;

    /** A request whose response (if any) has not been written yet. */
    private static final class InFlight {
        final RequestHeader header;
        final long receivedNanos;
        boolean done;
        ApiMessage response; // null + done = no response (acks=0)
        String closeReason; // set: close the connection instead of answering
        boolean closeAfter; // close the connection once the response is written
        byte[] rawToken; // a raw SASL token to write size-prefixed instead of a response (header null)
        short responseVersion;
        /** The request's bytes, which its parsed form reads until the handler is done; null: none kept. */
        private ByteBuf frame;

        private final AtomicBoolean frameReleased = new AtomicBoolean();
        // the request's phases (RequestMetrics): set on the request thread, read on the event loop after
        // the hand-over through ctx.executor(), which orders them
        String requestName;
        long startNanos;
        long handledNanos;
        long completedNanos;

        InFlight(RequestHeader header, long receivedNanos) {
            this.header = header;
            this.receivedNanos = receivedNanos;
            this.responseVersion = header == null ? 0 : header.apiVersion();
            if (header != null) {
                this.requestName = header.apiKey().name;
            }
        }

        /** Releases the request's bytes, once: the handler is done, or the request will never be handled. */
        void releaseFrame() {
            if (frame != null && frameReleased.compareAndSet(false, true)) {
                frame.release();
            }
        }

        /** Answered on the event loop as it was read (authentication, a too-new ApiVersions). */
        void answeredAtOnce() {
            startNanos = receivedNanos;
            handledNanos = System.nanoTime();
            completedNanos = handledNanos;
        }
    }

    public RequestChannel(
            ApiHandlers handlers,
            Executor requestPool,
            String listenerName,
            SecurityProtocol securityProtocol,
            BrokerMetrics metrics,
            int maxInFlight,
            ConnectionAuthenticator authenticator,
            RequestThrottler throttler,
            UnansweredRequests unanswered) {
        this.handlers = handlers;
        this.unanswered = unanswered;
        this.throttler = throttler;
        this.authenticator = authenticator;
        this.securityProtocol = securityProtocol;
        this.serial = new OrderedExecutor(requestPool, "requests of " + listenerName + " connection");
        this.listenerName = listenerName;
        this.metrics = metrics;
        this.maxInFlight = maxInFlight;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        connectionId = ctx.channel().localAddress() + "-" + ctx.channel().remoteAddress();
        metrics.connectionOpened();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        metrics.connectionClosed();
        if (unanswered.isStopping()) {
            for (InFlight slot : inFlight) {
                if (!slot.done) {
                    unanswered.adopt(slot::releaseFrame);
                }
            }
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        long received = System.nanoTime();
        int requestBytes = frame.readableBytes();
        metrics.bytesIn(frame.readableBytes() + 4);
        if (closing) {
            frame.release();
            return;
        }
        ByteBuffer buf = frame.nioBuffer();
        if (authenticator.expectsRawToken()) {
            ConnectionAuthenticator.Verdict v = authenticator.onRawToken(buf, received);
            frame.release();
            answerHere(ctx, new InFlight(null, received), v);
            return;
        }
        RequestHeader header;
        try {
            header = RequestHeader.parse(buf);
        } catch (RuntimeException e) {
            frame.release();
            closeBecause(ctx, "cannot parse the request header (" + e.getMessage() + ")");
            return;
        }
        frame.touch(header); // with Netty's leak detector on, a leaked frame's record names its request
        ConnectionAuthenticator.Verdict verdict = authenticator.onRequest(header, buf, received);
        if (verdict != ConnectionAuthenticator.Pass.INSTANCE) {
            frame.release();
            answerHere(ctx, new InFlight(header, received), verdict);
            return;
        }
        ApiKeys api = header.apiKey();
        short version = header.apiVersion();
        ApiHandler<?> handler = handlers.get(api).orElse(null);
        if (handler == null) {
            frame.release();
            closeBecause(ctx, "API " + api + " (key " + api.id + ") is not supported by this broker");
            return;
        }
        InFlight slot = new InFlight(header, received);
        if (api == ApiKeys.API_VERSIONS && version > handler.latestVersion()) {
            // KIP-511: answer with v0 and our versions so that the client can pick one
            frame.release();
            slot.responseVersion = 0;
            slot.response = unsupportedApiVersions();
            slot.answeredAtOnce();
            slot.done = true;
            inFlight.add(slot);
            drain(ctx);
            return;
        }
        if (version < handler.oldestParsableVersion() || version > handler.latestVersion()) {
            frame.release();
            closeBecause(
                    ctx,
                    api + " version " + version + " is not supported (supported: " + handler.oldestVersion() + "-"
                            + handler.latestVersion() + ")");
            return;
        }
        inFlight.add(slot);
        if (inFlight.size() >= maxInFlight) {
            ctx.channel().config().setAutoRead(false);
        }
        RequestContext rc = new RequestContext(
                header,
                connectionId,
                (InetSocketAddress) ctx.channel().remoteAddress(),
                listenerName,
                securityProtocol,
                authenticator.principal() != null ? authenticator.principal() : ConnectionPrincipal.of(ctx.channel()),
                received);
        slot.frame = frame;
        // a request that arrives while the broker stops may be dropped instead of run: its frame is released then
        serial.execute(() -> process(ctx, slot, rc, handler, buf, requestBytes), slot::releaseFrame);
    }

    /** Queues what the authenticator answered in the request's turn, or closes the connection. */
    private void answerHere(ChannelHandlerContext ctx, InFlight slot, ConnectionAuthenticator.Verdict verdict) {
        if (verdict instanceof ConnectionAuthenticator.Close c) {
            closing = true;
            closeBecause(ctx, c.reason());
            return;
        } else if (verdict instanceof ConnectionAuthenticator.Respond r) {
            slot.response = r.response();
            slot.closeAfter = r.thenClose();
        } else if (verdict instanceof ConnectionAuthenticator.RespondRaw r) {
            slot.rawToken = r.token();
            slot.closeAfter = r.thenClose();
        } else {
            throw new IllegalStateException("a passed request is not answered here");
        }
        closing = slot.closeAfter;
        slot.answeredAtOnce();
        slot.done = true;
        inFlight.add(slot);
        drain(ctx);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void process(
            ChannelHandlerContext ctx,
            InFlight slot,
            RequestContext rc,
            ApiHandler handler,
            ByteBuffer buf,
            int requestBytes) {
        slot.startNanos = System.nanoTime();
        RequestAndSize parsed;
        try {
            parsed = AbstractRequest.parseRequest(rc.apiKey(), rc.apiVersion(), new ByteBufferAccessor(buf));
            if (buf.hasRemaining()) {
                throw new IllegalArgumentException(buf.remaining() + " bytes left over after the request body");
            }
        } catch (RuntimeException e) {
            slot.releaseFrame();
            ctx.executor()
                    .execute(() -> closeBecause(
                            ctx,
                            "malformed " + rc.apiKey() + " v" + rc.apiVersion() + " request (correlation id "
                                    + rc.correlationId() + "): " + e.getMessage()));
            return;
        }
        AbstractRequest request = parsed.request;
        if (request instanceof FetchRequest fetch) {
            slot.requestName = RequestMetrics.requestName(ApiKeys.FETCH, fetch.replicaId() >= 0);
        }
        CompletionStage<? extends ApiMessage> stage;
        try {
            throttler.beforeHandling(rc, request.data());
            stage = handler.handle(rc, request.data());
        } catch (RuntimeException e) {
            stage = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        slot.handledNanos = System.nanoTime();
        long handlerNanos = slot.handledNanos - slot.startNanos;
        stage.whenComplete((response, error) -> {
            slot.completedNanos = System.nanoTime();
            ApiMessage answer = response;
            String close = null;
            if (error != null) {
                Throwable cause =
                        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof CloseConnectionException) {
                    close = cause.getMessage();
                }
                Errors code = Errors.forException(cause);
                if (code == Errors.UNKNOWN_SERVER_ERROR) {
                    log.error(
                            "{} request from {} (client {}, correlation id {}) failed",
                            rc.apiKey(),
                            rc.remoteAddress(),
                            rc.clientId(),
                            rc.correlationId(),
                            cause);
                }
                try {
                    answer = request.getErrorResponse(0, cause).data();
                } catch (RuntimeException e) {
                    // a request whose error response cannot be built: close rather than leave it unanswered
                    log.error("Cannot build the {} error response for {}", rc.apiKey(), cause, e);
                    close = "no error response for " + rc.apiKey() + " (" + e + ")";
                }
            }
            int throttleMs = 0;
            if (close == null) {
                try {
                    RequestThrottler.Throttled t =
                            throttler.afterHandling(rc, request.data(), requestBytes, handlerNanos, answer);
                    answer = t.response();
                    throttleMs = t.throttleTimeMs();
                } catch (RuntimeException e) {
                    log.error("Client quotas failed on {} from {}; not throttled", rc.apiKey(), rc.remoteAddress(), e);
                }
            }
            slot.releaseFrame();
            ApiMessage finalAnswer = close == null ? answer : null;
            String closeReason = close;
            int finalThrottleMs = throttleMs;
            ctx.executor().execute(() -> {
                slot.response = finalAnswer;
                slot.closeReason = closeReason;
                slot.done = true;
                if (finalThrottleMs > 0) {
                    throttle(ctx, finalThrottleMs);
                }
                drain(ctx);
            });
        });
    }

    /** Writes every response at the head of the queue that is ready; later ones wait for earlier ones. */
    private void drain(ChannelHandlerContext ctx) {
        boolean wrote = false;
        while (!inFlight.isEmpty() && inFlight.peek().done) {
            InFlight slot = inFlight.poll();
            if (slot.header == null) { // a raw SASL token's answer
                if (slot.rawToken != null && ctx.channel().isActive()) {
                    ByteBuf out = ctx.alloc().buffer(4 + slot.rawToken.length);
                    out.writeInt(slot.rawToken.length).writeBytes(slot.rawToken);
                    metrics.bytesOut(out.readableBytes());
                    ctx.write(out, ctx.voidPromise());
                    wrote = true;
                }
                if (slot.closeAfter) {
                    closeAfterWrites(ctx);
                    return;
                }
                continue;
            }
            long dequeued = System.nanoTime();
            if (slot.closeReason != null
                    || slot.response == null
                    || !ctx.channel().isActive()) {
                recordTimes(slot, dequeued, -1);
            }
            if (slot.closeReason != null && ctx.channel().isActive()) {
                log.info(
                        "Closing the connection from {} instead of answering {} (correlation id {}): {}",
                        ctx.channel().remoteAddress(),
                        slot.header.apiKey(),
                        slot.header.correlationId(),
                        slot.closeReason);
                if (wrote) {
                    ctx.flush();
                }
                ctx.close();
                return;
            }
            if (slot.response == null || !ctx.channel().isActive()) {
                continue;
            }
            ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(slot.header.correlationId());
            short headerVersion = slot.header.apiKey().responseHeaderVersion(slot.responseVersion);
            List<Object> parts;
            try {
                parts = ResponseWriter.frame(ctx.alloc(), header, headerVersion, slot.response, slot.responseVersion);
            } catch (RuntimeException e) {
                log.error(
                        "Cannot serialise the {} v{} response to {} (correlation id {}); closing the connection",
                        slot.header.apiKey(),
                        slot.responseVersion,
                        ctx.channel().remoteAddress(),
                        slot.header.correlationId(),
                        e);
                ctx.close();
                return;
            }
            for (int i = 0; i < parts.size(); i++) {
                Object part = parts.get(i);
                if (part instanceof ByteBuf b) {
                    metrics.bytesOut(b.readableBytes());
                } else if (part instanceof io.netty.channel.FileRegion r) {
                    metrics.bytesOut(r.count());
                }
                if (i < parts.size() - 1) {
                    ctx.write(part, ctx.voidPromise());
                } else {
                    // the last part written: the response is on the socket (ResponseSendTimeMs, TotalTimeMs)
                    ctx.write(part).addListener(f -> recordTimes(slot, dequeued, System.nanoTime()));
                }
            }
            wrote = true;
            if (slot.closeAfter) {
                closeAfterWrites(ctx);
                return;
            }
        }
        if (wrote) {
            ctx.flush();
        }
        maybeResumeReading(ctx);
    }

    /**
     * A quota throttle: read nothing more from this connection for {@code ms} (the response goes out at
     * once, carrying the throttle time, and the client waits too); a longer throttle extends it.
     */
    private void throttle(ChannelHandlerContext ctx, int ms) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        if (throttledUntilNanos != 0 && until - throttledUntilNanos <= 0) {
            return;
        }
        throttledUntilNanos = until;
        ctx.channel().config().setAutoRead(false);
        ctx.executor().schedule(() -> maybeResumeReading(ctx), ms, TimeUnit.MILLISECONDS);
    }

    /** Reads again once no throttle holds the connection and fewer than half of maxInFlight are in flight. */
    private void maybeResumeReading(ChannelHandlerContext ctx) {
        if (throttledUntilNanos != 0) {
            if (System.nanoTime() - throttledUntilNanos < 0) {
                return; // its own scheduled check resumes
            }
            throttledUntilNanos = 0;
        }
        if (!ctx.channel().config().isAutoRead() && inFlight.size() < maxInFlight / 2) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void recordTimes(InFlight slot, long dequeuedNanos, long sentNanos) {
        metrics.requests()
                .record(
                        slot.header.apiKey(),
                        slot.requestName,
                        slot.header.apiVersion(),
                        new RequestMetrics.Times(
                                slot.receivedNanos,
                                slot.startNanos,
                                slot.handledNanos,
                                slot.completedNanos,
                                dequeuedNanos,
                                sentNanos));
    }

    /** Flushes what was written and closes the connection once it is out (after a failed authentication). */
    private void closeAfterWrites(ChannelHandlerContext ctx) {
        inFlight.clear();
        ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
                .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    }

    private ApiVersionsResponseData unsupportedApiVersions() {
        ApiVersionsResponseData data = new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        for (ApiHandler<?> h : handlers.all()) {
            data.apiKeys()
                    .add(new ApiVersionsResponseData.ApiVersion()
                            .setApiKey(h.apiKey().id)
                            .setMinVersion(h.oldestVersion())
                            .setMaxVersion(h.latestVersion()));
        }
        return data;
    }

    private void closeBecause(ChannelHandlerContext ctx, String reason) {
        log.warn("Closing connection from {}: {}", ctx.channel().remoteAddress(), reason);
        metrics.protocolError();
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            log.debug("Connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        } else {
            closeBecause(ctx, cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        inFlight.clear();
    }
}
