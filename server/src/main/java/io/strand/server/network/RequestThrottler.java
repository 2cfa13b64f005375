package io.strand.server.network;

import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Client quotas as the request pipeline sees them: before a request's handler runs it may adjust
 * the request (a consumer's fetch size capped to what its quota allows), and once the response is
 * known it records what the request used and says how long the connection is throttled, with the
 * response to send (carrying {@code throttle_time_ms}, or emptied: a throttled fetch sends no data).
 * The connection answers at once and reads nothing more from the client until the throttle time has
 * passed, as Kafka does (KIP-219).
 *
 * <p>Implementations are thread-safe: called on request-handler threads and on whatever thread
 * completes a response.
 */
public interface RequestThrottler {
    /** No quotas: nothing is measured, nothing throttled. */
    RequestThrottler NONE = new RequestThrottler() {
        @Override
        public void beforeHandling(RequestContext ctx, ApiMessage request) {}

        @Override
        public Throttled afterHandling(
                RequestContext ctx, ApiMessage request, int requestBytes, long handlerNanos, ApiMessage response) {
            return new Throttled(response, 0);
        }
    };

    /** The response to send ({@code null}: none, acks=0) and how long to stop reading from the connection. */
    record Throttled(ApiMessage response, int throttleTimeMs) {}

    /** Called on the request-handler thread just before the handler. */
    void beforeHandling(RequestContext ctx, ApiMessage request);

    /**
     * Records the request's use of the quotas and decides its throttle.
     *
     * @param requestBytes the size of the request as received
     * @param handlerNanos the request-handler thread time the request took (parsing and handling)
     * @param response the handler's response or error response; {@code null} when none is sent
     */
    Throttled afterHandling(
            RequestContext ctx, ApiMessage request, int requestBytes, long handlerNanos, ApiMessage response);
}
