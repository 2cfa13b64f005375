/**
 * The status page: a read-only view of the cluster served by every broker on its HTTP listener
 * ({@code metrics.http.listener}) at {@code /} and {@code /api/...}. {@link io.strand.server.http.status.StatusPage}
 * registers the routes; one class per view answers its JSON; the HTML pages are one shell with inline CSS and
 * JavaScript that fetches that JSON every two seconds.
 *
 * <p>Where the data comes from: everything about the cluster (brokers, topics, partitions, leaders, ISRs) from
 * this broker's {@link io.strand.coordinator.MetadataCache}; what only one broker knows (its log directories'
 * disk use, its replicas' offsets and sizes, the groups it coordinates, its request latencies, its records)
 * in-process when it is this broker, and otherwise from that broker's own {@code /api/local/...} JSON, fetched
 * server-side from the HTTP endpoint in its registration ({@link io.strand.server.http.status.Peers}).
 *
 * <p>Threading: the JDK HTTP server's two threads run the handlers; anything that waits (another broker, the
 * group coordinator's shards) is a future, and the response is written by whichever thread completes it, so
 * the HTTP threads never wait on a peer.
 */
package io.strand.server.http.status;
