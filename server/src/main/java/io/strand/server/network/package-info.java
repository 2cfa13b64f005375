/**
 * The Kafka protocol over Netty. {@link io.strand.server.network.KafkaFrameDecoder} does framing
 * only; {@link io.strand.server.network.RequestChannel} decodes each frame into kafka-clients'
 * generated request classes, runs the connection's requests in arrival order on the shared
 * request-handler pool, and writes responses back in request order (Kafka clients rely on it).
 *
 * <p>Threading: one Netty event loop per connection for I/O; per connection, handlers run one at
 * a time (so appends from one connection keep their order) but their responses may complete later
 * on any thread; the response queue is only touched on the connection's event loop.
 */
package io.strand.server.network;
