package io.strand.server.fetch;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the {@link FetchContext} of each Fetch request from its session id and epoch (Kafka's {@code
 * FetchManager.newContext}, KIP-227):
 *
 * <ul>
 *   <li>Fetch before v7 and epoch -1 (final): sessionless; a session named is closed first.
 *   <li>Epoch 0: a full fetch, which closes the session it names and opens a new one if there is a slot.
 *   <li>Any other epoch: an incremental fetch in session {@code session_id}, which must exist
 *       (FETCH_SESSION_ID_NOT_FOUND), be at that epoch (INVALID_FETCH_SESSION_EPOCH) and name topics
 *       the same way as the request's version (by id from v13; FETCH_SESSION_TOPIC_ID_ERROR). The
 *       partitions it names are added to the session or update it, its forgotten ones leave it; a
 *       session left empty is closed and the fetch answered without a session.
 * </ul>
 *
 * <p>Strand's own meters {@code fetch-sessions.full-fetches} (epoch 0) and {@code
 * fetch-sessions.incremental-fetches} (served in a session) tell how many fetches a session saved from
 * naming every partition; Kafka's metrics are the {@link FetchSessionCache}'s.
 *
 * <p>Thread-safe.
 */
public final class FetchSessions {
    private static final Logger log = LoggerFactory.getLogger(FetchSessions.class);

    private final FetchSessionCache cache;
    private final LongSupplier clock;
    private final Meter fullFetches;
    private final Meter incrementalFetches;

    /** Sessions in a cache of {@code maxSessions} slots ({@code max.incremental.fetch.session.cache.slots}). */
    public FetchSessions(int maxSessions, MetricRegistry registry) {
        this(new FetchSessionCache(maxSessions, registry), registry, System::currentTimeMillis);
    }

    FetchSessions(FetchSessionCache cache, MetricRegistry registry, LongSupplier clock) {
        this.cache = cache;
        this.clock = clock;
        this.fullFetches = registry.meter("fetch-sessions.full-fetches");
        this.incrementalFetches = registry.meter("fetch-sessions.incremental-fetches");
    }

    /** The context of {@code request}, of Fetch {@code version}, from a follower or a consumer. */
    public FetchContext newContext(short version, FetchRequestData request, boolean follower) {
        FetchMetadata metadata =
                version >= 7 ? new FetchMetadata(request.sessionId(), request.sessionEpoch()) : FetchMetadata.LEGACY;
        boolean usesTopicIds = version >= 13;
        if (metadata.isFull()) {
            if (metadata.sessionId() != FetchMetadata.INVALID_SESSION_ID && cache.remove(metadata.sessionId())) {
                log.debug("Full fetch closed fetch session {}", metadata.sessionId());
            }
            if (metadata.epoch() == FetchMetadata.FINAL_EPOCH) {
                return new FetchContext.Sessionless(request.topics());
            }
            fullFetches.mark();
            return new FullFetchContext(cache, clock, request.topics(), usesTopicIds, follower);
        }
        synchronized (cache) {
            FetchSession session = cache.get(metadata.sessionId());
            if (session == null) {
                // normal after this broker restarted or evicted the session: the fetcher starts a new one
                log.debug("Fetch session {} not found", metadata.sessionId());
                return new FetchContext.SessionError(Errors.FETCH_SESSION_ID_NOT_FOUND);
            }
            synchronized (session) {
                if (session.epoch() != metadata.epoch()) {
                    log.info(
                            "Fetch session {}: expected epoch {}, got {} (a duplicate or lost request);"
                                    + " answered INVALID_FETCH_SESSION_EPOCH",
                            session.id,
                            session.epoch(),
                            metadata.epoch());
                    return new FetchContext.SessionError(Errors.INVALID_FETCH_SESSION_EPOCH);
                }
                if (session.usesTopicIds != usesTopicIds) {
                    log.info(
                            "Fetch session {} (topic ids: {}) continued by Fetch v{} (topic ids from v13);"
                                    + " answered FETCH_SESSION_TOPIC_ID_ERROR",
                            session.id,
                            session.usesTopicIds,
                            version);
                    return new FetchContext.SessionError(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
                }
                FetchSession.Changes changes =
                        session.update(named(request, usesTopicIds), forgotten(request, usesTopicIds));
                if (session.size() == 0) {
                    log.debug("Fetch session {} closed: {} left it and none is left", session.id, changes);
                    cache.remove(session);
                    return new FetchContext.Sessionless(request.topics());
                }
                cache.touch(session, clock.getAsLong());
                session.advanceEpoch();
                incrementalFetches.mark();
                if (log.isTraceEnabled()) {
                    log.trace("Incremental fetch in session {} at epoch {}: {}", session.id, metadata.epoch(), changes);
                }
                return new IncrementalFetchContext(session, metadata.epoch());
            }
        }
    }

    private static Map<CachedPartition.Key, FetchRequestData.FetchPartition> named(
            FetchRequestData request, boolean usesTopicIds) {
        Map<CachedPartition.Key, FetchRequestData.FetchPartition> named = new LinkedHashMap<>();
        for (FetchRequestData.FetchTopic t : request.topics()) {
            for (FetchRequestData.FetchPartition p : t.partitions()) {
                named.put(CachedPartition.Key.of(usesTopicIds, t.topicId(), t.topic(), p.partition()), p);
            }
        }
        return named;
    }

    private static List<CachedPartition.Key> forgotten(FetchRequestData request, boolean usesTopicIds) {
        return request.forgottenTopicsData().stream()
                .flatMap(t -> t.partitions().stream()
                        .map(p -> CachedPartition.Key.of(usesTopicIds, t.topicId(), t.topic(), p)))
                .toList();
    }
}
