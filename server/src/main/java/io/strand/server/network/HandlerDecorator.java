package io.strand.server.network;

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
}
