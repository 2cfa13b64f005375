package io.strand.server.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.codahale.metrics.MetricRegistry;
import java.util.LinkedHashMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.junit.jupiter.api.Test;

/** Kafka's eviction rules for the fetch session cache, on a clock the test moves. */
class FetchSessionCacheTest {
    private static final long EVICTION_MS = 100;

    private final MetricRegistry registry = new MetricRegistry();
    private final FetchSessionCache cache = new FetchSessionCache(2, EVICTION_MS, registry);

    /** A session of {@code size} partitions, opened at {@code now} by a follower or a consumer; its id or 0. */
    private int open(long now, boolean follower, int size) {
        return cache.maybeCreate(now, follower, size, true, () -> {
            LinkedHashMap<CachedPartition.Key, CachedPartition> partitions = new LinkedHashMap<>();
            for (int p = 0; p < size; p++) {
                CachedPartition.Key key = CachedPartition.Key.of(true, Uuid.ONE_UUID, null, p);
                partitions.put(key, new CachedPartition(key, new FetchRequestData.FetchPartition().setPartition(p)));
            }
            return partitions;
        });
    }

    private long evictions() {
        return registry.meter("kafka.server:type=FetchSessionCache,name=IncrementalFetchSessionEvictionsPerSec")
                .getCount();
    }

    @Test
    void shouldGiveAFollowerTheSlotOfAConsumerButNeverTheOtherWayRound() {
        int consumerA = open(0, false, 5);
        int consumerB = open(0, false, 5);
        assertEquals(2, cache.size());
        assertEquals(10, cache.totalPartitions());

        // a consumer's bigger session may not evict sessions younger than the eviction time
        assertEquals(0, open(10, false, 50));
        // a follower's evicts the least valuable consumer session: fewest partitions, then lowest id
        int follower = open(10, true, 1);
        assertNotEquals(0, follower);
        assertEquals(1, evictions());
        assertEquals(1, (cache.get(consumerA) == null ? 1 : 0) + (cache.get(consumerB) == null ? 1 : 0));
        int consumerLeft = cache.get(consumerA) != null ? consumerA : consumerB;

        // both used since, past the eviction time: a consumer's session never evicts a follower's,
        // and evicts another consumer's only with more partitions
        cache.touch(cache.get(follower), 150);
        cache.touch(cache.get(consumerLeft), 150);
        assertEquals(0, open(160, false, 5));
        int bigger = open(160, false, 6);
        assertNotEquals(0, bigger);
        assertNull(cache.get(consumerLeft));
        assertNotNull(cache.get(follower));
        assertEquals(2, evictions());
        assertEquals(7, cache.totalPartitions());
    }

    @Test
    void shouldEvictTheLeastRecentlyUsedSessionOnceStale() {
        int follower = open(0, true, 100);
        int consumer = open(0, false, 100);
        cache.touch(cache.get(consumer), 90);
        // the follower's session has not been used for longer than the eviction time: any new session takes it
        int small = open(101, false, 1);
        assertNotEquals(0, small);
        assertNull(cache.get(follower));
        assertNotNull(cache.get(consumer));
        assertEquals(101, cache.totalPartitions());
    }

    @Test
    void shouldOpenNoSessionWithoutSlots() {
        FetchSessionCache none = new FetchSessionCache(0, EVICTION_MS, new MetricRegistry());
        assertEquals(0, none.maybeCreate(0, true, 1, true, LinkedHashMap::new));
        assertEquals(0, none.size());
    }
}
