/**
 * The Strand broker process: configuration, lifecycle ({@link io.strand.server.Broker}) and the
 * command-line entry point ({@link io.strand.server.StrandBroker}).
 *
 * <p>Threading: Netty event loops do socket I/O and framing only; each connection's requests run in
 * order on the shared request-handler pool ({@code num.io.threads}); anything that waits (acks=all,
 * long-poll fetch, fsync) is a future completed by the event it waits for, never a blocked thread.
 */
package io.strand.server;
