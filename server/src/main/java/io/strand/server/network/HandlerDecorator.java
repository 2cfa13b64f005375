package io.strand.server.network;

import java.util.Collection;
import java.util.List;

/**
 * Wraps each of a broker's API handlers when the broker starts (see {@link ApiHandlers#decorate}):
 * the place for cross-cutting behaviour around handlers. The identity by default; tests install
 * fault injection through it, so nothing of it sits in the production request pipeline.
 */
@FunctionalInterface
public interface HandlerDecorator {
    HandlerDecorator NONE = handler -> handler;

    /** The handler to serve in place of {@code handler}; it must keep its API key and versions. */
    ApiHandler<?> decorate(ApiHandler<?> handler);

    /**
     * Handlers for APIs the broker does not serve itself, served (and advertised) only while it does
     * not: a test stands in for a part of the broker that is not there yet (the WriteTxnMarkers of
     * partition leaders, for the transaction coordinator's tests). None by default.
     */
    default Collection<ApiHandler<?>> standIns() {
        return List.of();
    }
}
