/**
 * Incremental fetch sessions (KIP-227), as Kafka's broker keeps them ({@code FetchSession.scala}): a
 * {@link io.strand.server.fetch.FetchSessionCache} of sessions, each the partitions one fetcher (a
 * follower or a consumer) reads from this broker with what it last asked and was last told about
 * each; and the {@link io.strand.server.fetch.FetchContext} that {@link
 * io.strand.server.fetch.FetchSessions} makes of each Fetch request: sessionless, full (which may open
 * a session), incremental (the request names only what changed, the response carries only what
 * changed), or a session error.
 *
 * <p>Threading: the cache and each session have their own lock ({@code synchronized}); the cache's is
 * never taken while a session's is held. A context is used by one request on the request-handler
 * thread and then on whichever thread completes its long poll.
 */
package io.strand.server.fetch;
