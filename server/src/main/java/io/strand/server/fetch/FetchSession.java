package io.strand.server.fetch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.requests.FetchMetadata;

/**
 * An incremental fetch session (Kafka's {@code FetchSession}): its id, whether a follower opened it
 * (privileged: harder to evict), whether it names topics by id (Fetch v13+), the epoch its next
 * request must carry, and its partitions in the order they are read — one that sent records moves to
 * the end, so that a response's size limit does not always favour the same partitions.
 *
 * <p>Thread-safe: its mutable state is guarded by its own lock ({@code synchronized (session)}); the
 * {@link FetchSessionCache} owns {@code lastUsedMs} and {@code cachedSize} under the cache's lock.
 */
final class FetchSession {
    final int id;
    final boolean privileged;
    final boolean usesTopicIds;
    final long creationMs;
    private final LinkedHashMap<CachedPartition.Key, CachedPartition> partitions;
    private int epoch = FetchMetadata.nextEpoch(FetchMetadata.INITIAL_EPOCH);
    /** When the cache last saw it used; set by {@link FetchSessionCache#touch}. */
    long lastUsedMs;
    /** Its size when the cache last indexed it; -1 while it is not in the cache. */
    int cachedSize = -1;

    FetchSession(
            int id,
            boolean privileged,
            boolean usesTopicIds,
            long creationMs,
            LinkedHashMap<CachedPartition.Key, CachedPartition> partitions) {
        this.id = id;
        this.privileged = privileged;
        this.usesTopicIds = usesTopicIds;
        this.creationMs = creationMs;
        this.lastUsedMs = creationMs;
        this.partitions = partitions;
    }

    synchronized int size() {
        return partitions.size();
    }

    synchronized int epoch() {
        return epoch;
    }

    /** The session moves on to its next epoch (the one the next request must carry). */
    synchronized void advanceEpoch() {
        epoch = FetchMetadata.nextEpoch(epoch);
    }

    /** The partitions in reading order (a snapshot). */
    synchronized List<CachedPartition> partitions() {
        return new ArrayList<>(partitions.values());
    }

    synchronized CachedPartition get(CachedPartition.Key key) {
        return partitions.get(key);
    }

    /** After it sent records, {@code p} is read last next time. */
    synchronized void moveToEnd(CachedPartition p) {
        if (partitions.remove(p.key()) != null) {
            partitions.put(p.key(), p);
        }
    }

    /** What an incremental request changed: partitions added, updated and removed. */
    record Changes(int added, int updated, int removed) {}

    /**
     * Applies an incremental request: the partitions it names are added or get its new request data;
     * then the forgotten ones are removed (Kafka's order).
     */
    synchronized Changes update(Map<CachedPartition.Key, FetchPartition> named, List<CachedPartition.Key> forgotten) {
        int added = 0;
        int updated = 0;
        int removed = 0;
        for (Map.Entry<CachedPartition.Key, FetchPartition> e : named.entrySet()) {
            CachedPartition p = partitions.get(e.getKey());
            if (p == null) {
                partitions.put(e.getKey(), new CachedPartition(e.getKey(), e.getValue()));
                added++;
            } else {
                p.updateRequest(e.getValue());
                updated++;
            }
        }
        for (CachedPartition.Key k : forgotten) {
            if (partitions.remove(k) != null) {
                removed++;
            }
        }
        return new Changes(added, updated, removed);
    }

    @Override
    public synchronized String toString() {
        return "FetchSession(id=" + id + ", privileged=" + privileged + ", partitions=" + partitions.size()
                + ", usesTopicIds=" + usesTopicIds + ", epoch=" + epoch + ")";
    }
}
