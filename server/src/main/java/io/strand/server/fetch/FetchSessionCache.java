package io.strand.server.fetch;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.strand.server.metrics.KafkaMetricNames;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.apache.kafka.common.requests.FetchMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's incremental fetch sessions (Kafka's {@code FetchSessionCache}), at most {@code
 * max.incremental.fetch.session.cache.slots} of them. When it is full, a new session may take the
 * slot of one that has been unused for longer than the eviction time (two minutes, Kafka's {@code
 * MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS}); failing that, of the least valuable session that is
 * older than the eviction time: a consumer's before a follower's, then the one with fewest partitions.
 * A follower's new session may also evict a consumer's session of any age; a consumer's never evicts a
 * follower's. A session that gets no slot is not created and the fetcher goes on with full fetches.
 * Kafka shards its cache in eight to spread lock contention; this is one shard.
 *
 * <p>Kafka's metrics: {@code kafka.server:type=FetchSessionCache,name=NumIncrementalFetchSessions},
 * {@code NumIncrementalFetchPartitionsCached} and the meter {@code
 * IncrementalFetchSessionEvictionsPerSec}.
 *
 * <p>Thread-safe: every method is {@code synchronized}, and {@link FetchSessions} holds this object's
 * monitor to look a session up and update it in one step. A session's own lock may be taken while
 * this one is held, never the other way round.
 */
final class FetchSessionCache {
    private static final Logger log = LoggerFactory.getLogger(FetchSessionCache.class);

    /** How long a session must be unused to be evicted by any other, and how young is protected. */
    static final long EVICTION_MS = 120_000;

    private record LastUsedKey(long lastUsedMs, int id) {}

    private record EvictableKey(boolean privileged, int size, int id) {}

    private static final Comparator<LastUsedKey> BY_LAST_USE =
            Comparator.comparingLong(LastUsedKey::lastUsedMs).thenComparingInt(LastUsedKey::id);
    private static final Comparator<EvictableKey> BY_VALUE = Comparator.comparing(EvictableKey::privileged)
            .thenComparingInt(EvictableKey::size)
            .thenComparingInt(EvictableKey::id);

    private final int maxEntries;
    private final long evictionMs;
    private final Map<Integer, FetchSession> sessions = new HashMap<>();
    private final TreeMap<LastUsedKey, FetchSession> lastUsed = new TreeMap<>(BY_LAST_USE);
    /** Sessions any new session may evict if it is worth more: consumers' and followers' past the eviction time. */
    private final TreeMap<EvictableKey, FetchSession> evictableByAll = new TreeMap<>(BY_VALUE);
    /** Sessions a follower's new session may evict: every consumer's, and followers' past the eviction time. */
    private final TreeMap<EvictableKey, FetchSession> evictableByPrivileged = new TreeMap<>(BY_VALUE);

    private long numPartitions;
    private final Meter evictions;

    /** A cache of {@code maxEntries} slots whose metrics go to {@code registry}. */
    FetchSessionCache(int maxEntries, MetricRegistry registry) {
        this(maxEntries, EVICTION_MS, registry);
    }

    FetchSessionCache(int maxEntries, long evictionMs, MetricRegistry registry) {
        this.maxEntries = maxEntries;
        this.evictionMs = evictionMs;
        registry.register(name("NumIncrementalFetchSessions"), (Gauge<Integer>) this::size);
        registry.register(name("NumIncrementalFetchPartitionsCached"), (Gauge<Long>) this::totalPartitions);
        this.evictions = registry.meter(name("IncrementalFetchSessionEvictionsPerSec"));
    }

    private static String name(String metric) {
        return KafkaMetricNames.name("kafka.server", "FetchSessionCache", metric);
    }

    synchronized FetchSession get(int sessionId) {
        return sessions.get(sessionId);
    }

    /** The number of sessions. */
    synchronized int size() {
        return sessions.size();
    }

    /** The number of partitions over all sessions, as of each session's last use. */
    synchronized long totalPartitions() {
        return numPartitions;
    }

    /**
     * Creates a session if there is a slot for it, or one can be freed; its partitions come from
     * {@code partitions}, called only then.
     *
     * @return the new session's id, or {@link FetchMetadata#INVALID_SESSION_ID} (0) if none was created
     */
    synchronized int maybeCreate(
            long now,
            boolean privileged,
            int size,
            boolean usesTopicIds,
            Supplier<LinkedHashMap<CachedPartition.Key, CachedPartition>> partitions) {
        if (sessions.size() >= maxEntries && !tryEvict(privileged, new EvictableKey(privileged, size, 0), now)) {
            log.debug("No fetch session created for privileged={}, size={}: the cache is full", privileged, size);
            return FetchMetadata.INVALID_SESSION_ID;
        }
        FetchSession session = new FetchSession(newSessionId(), privileged, usesTopicIds, now, partitions.get());
        sessions.put(session.id, session);
        touch(session, now);
        log.debug("Created {}", session);
        return session.id;
    }

    private int newSessionId() {
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        return id;
    }

    /**
     * Frees a slot for a new session worth {@code key} (Kafka's {@code tryEvict}): the least recently
     * used session if it has been unused for longer than the eviction time, else the least valuable
     * evictable session if the new one is worth more (a follower's against a consumer's, or more
     * partitions).
     */
    private boolean tryEvict(boolean privileged, EvictableKey key, long now) {
        Map.Entry<LastUsedKey, FetchSession> oldest = lastUsed.firstEntry();
        if (oldest == null) {
            return false;
        }
        if (now - oldest.getKey().lastUsedMs() > evictionMs) {
            log.debug("Evicting stale {}", oldest.getValue());
            remove(oldest.getValue());
            evictions.mark();
            return true;
        }
        Map.Entry<EvictableKey, FetchSession> least =
                (privileged ? evictableByPrivileged : evictableByAll).firstEntry();
        if (least == null || BY_VALUE.compare(key, least.getKey()) < 0) {
            return false;
        }
        log.debug(
                "Evicting {} for a new session of {} partitions (privileged={})",
                least.getValue(),
                key.size(),
                key.privileged());
        remove(least.getValue());
        evictions.mark();
        return true;
    }

    /** Removes session {@code sessionId}; whether there was one. */
    synchronized boolean remove(int sessionId) {
        FetchSession session = sessions.get(sessionId);
        return session != null && remove(session);
    }

    synchronized boolean remove(FetchSession session) {
        lastUsed.remove(new LastUsedKey(session.lastUsedMs, session.id));
        EvictableKey key = evictableKey(session);
        evictableByAll.remove(key);
        evictableByPrivileged.remove(key);
        if (sessions.remove(session.id) == null) {
            return false;
        }
        numPartitions -= session.cachedSize;
        session.cachedSize = -1;
        return true;
    }

    /** Records that {@code session} was used at {@code now}, with the size it has now. */
    synchronized void touch(FetchSession session, long now) {
        lastUsed.remove(new LastUsedKey(session.lastUsedMs, session.id));
        session.lastUsedMs = now;
        lastUsed.put(new LastUsedKey(now, session.id), session);
        if (session.cachedSize != -1) {
            EvictableKey old = evictableKey(session);
            evictableByAll.remove(old);
            evictableByPrivileged.remove(old);
            numPartitions -= session.cachedSize;
        }
        session.cachedSize = session.size();
        EvictableKey key = evictableKey(session);
        boolean pastProtection = now - session.creationMs > evictionMs;
        if (!session.privileged || pastProtection) {
            evictableByPrivileged.put(key, session);
        }
        if (pastProtection) {
            evictableByAll.put(key, session);
        }
        numPartitions += session.cachedSize;
    }

    private static EvictableKey evictableKey(FetchSession session) {
        return new EvictableKey(session.privileged, session.cachedSize, session.id);
    }
}
