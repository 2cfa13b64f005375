package io.strand.server.testing;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.CloseConnectionException;
import io.strand.server.network.HandlerDecorator;
import io.strand.server.network.RequestContext;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Fault injection installed by tests around a broker's handlers ({@link HandlerDecorator}): when
 * {@link #dropResponseAndCloseWhen} matches a request, its response is not sent and the connection
 * is closed, after the request took effect (a produce was appended). The client then sees a lost
 * response and retries. Off (null) unless a test sets it. WriteTxnMarkers also goes through
 * {@link TxnMarkerFaults}, which records markers and can make the leaders refuse them. {@link
 * #observeRequests} shows a test each request's context (who sent it, over which listener) before
 * it is handled. Thread-safe.
 */
public final class ResponseFaults implements HandlerDecorator {
    private volatile Predicate<RequestHeader> dropResponseAndClose;
    private volatile java.util.function.Consumer<RequestContext> requestObserver;
    private volatile java.util.function.BiConsumer<RequestContext, ApiMessage> requestRewriter;
    private final TxnMarkerFaults markers = new TxnMarkerFaults();

    /** The WriteTxnMarkers faults of every broker of the cluster. */
    public TxnMarkerFaults txnMarkers() {
        return markers;
    }

    public void dropResponseAndCloseWhen(Predicate<RequestHeader> condition) {
        this.dropResponseAndClose = condition;
    }

    /** Calls {@code observer} with the context of every request before its handler runs (null: off). */
    public void observeRequests(java.util.function.Consumer<RequestContext> observer) {
        this.requestObserver = observer;
    }

    /** Calls {@code rewriter} with every request, which it may change, before its handler runs (null: off). */
    public void rewriteRequests(java.util.function.BiConsumer<RequestContext, ApiMessage> rewriter) {
        this.requestRewriter = rewriter;
    }

    @Override
    @SuppressWarnings("unchecked")
    public ApiHandler<?> decorate(ApiHandler<?> handler) {
        if (handler.apiKey() == ApiKeys.WRITE_TXN_MARKERS) {
            return new Faulty<>(
                    markers.wrap((ApiHandler<org.apache.kafka.common.message.WriteTxnMarkersRequestData>) handler));
        }
        return new Faulty<>(handler);
    }

    private final class Faulty<Q extends ApiMessage> implements ApiHandler<Q> {
        private final ApiHandler<Q> delegate;

        Faulty(ApiHandler<Q> delegate) {
            this.delegate = delegate;
        }

        @Override
        public ApiKeys apiKey() {
            return delegate.apiKey();
        }

        @Override
        public short oldestVersion() {
            return delegate.oldestVersion();
        }

        @Override
        public short latestVersion() {
            return delegate.latestVersion();
        }

        @Override
        public short oldestParsableVersion() {
            return delegate.oldestParsableVersion();
        }

        @Override
        public CompletionStage<? extends ApiMessage> handle(RequestContext ctx, Q request) {
            java.util.function.Consumer<RequestContext> observer = requestObserver;
            if (observer != null) {
                observer.accept(ctx);
            }
            java.util.function.BiConsumer<RequestContext, ApiMessage> rewriter = requestRewriter;
            if (rewriter != null) {
                rewriter.accept(ctx, request);
            }
            return delegate.handle(ctx, request).thenApply(response -> {
                Predicate<RequestHeader> p = dropResponseAndClose;
                if (response != null && p != null && p.test(ctx.header())) {
                    throw new CloseConnectionException("test fault: dropping the " + ctx.apiKey() + " response");
                }
                return response;
            });
        }
    }
}
