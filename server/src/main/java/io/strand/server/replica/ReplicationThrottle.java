package io.strand.server.replica;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.admin.DynamicBrokerConfigs;
import io.strand.coordinator.proto.PartitionReassignment;
import io.strand.coordinator.proto.TopicReassignment;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * The leader-side limit on catch-up traffic of partition reassignments: what this broker, as leader,
 * sends to replicas being added by a reassignment, in bytes per second
 * ({@code leader.replication.throttled.rate}). The rate is the broker's dynamic override
 * ({@code /config/brokers/<id>}), else the cluster-wide dynamic default
 * ({@code /config/brokers/<default>}), else the properties file; unset everywhere = unlimited.
 * Replicas already in sync, and consumers, are never throttled, so a move does not starve producers
 * waiting on acks=all.
 *
 * <p>A token bucket holding at most one second of traffic: a throttled fetch reads at most what the
 * bucket holds (but at least one batch, so that a batch larger than the bucket still moves), nothing
 * while it is empty, and what it read is taken out afterwards; the average stays at the rate.
 * Thread-safe.
 */
public final class ReplicationThrottle {
    private final String brokerEntity;
    private final long staticRate;
    private final MetadataCache cache;
    private double tokens;
    private long lastRefillNanos = System.nanoTime();
    private long throttledBytes;

    public ReplicationThrottle(int brokerId, long staticRate, MetadataCache cache) {
        this.brokerEntity = Integer.toString(brokerId);
        this.staticRate = staticRate;
        this.cache = cache;
    }

    /** No limit, for brokers and tests that have none. */
    public static ReplicationThrottle unlimited() {
        return new ReplicationThrottle(-1, Long.MAX_VALUE, null);
    }

    /** Bytes per second now; Long.MAX_VALUE = unlimited. */
    public long rate() {
        if (cache == null) {
            return staticRate;
        }
        String rate = cache.brokerConfig(brokerEntity).get(DynamicBrokerConfigs.LEADER_REPLICATION_THROTTLED_RATE);
        if (rate == null) {
            rate = cache.brokerConfig(Znodes.DEFAULT_BROKER_ENTITY)
                    .get(DynamicBrokerConfigs.LEADER_REPLICATION_THROTTLED_RATE);
        }
        if (rate == null) {
            return staticRate;
        }
        try {
            return Math.max(1, Long.parseLong(rate.trim()));
        } catch (NumberFormatException e) {
            return staticRate;
        }
    }

    /** Whether any topic is being reassigned: else {@link #applies} is false for every partition. */
    public boolean anyReassignment() {
        return cache != null && cache.hasReassignments();
    }

    /** True if {@code replicaId} fetching {@code tp} is a replica being added by a reassignment. */
    public boolean applies(TopicPartition tp, int replicaId) {
        if (cache == null || replicaId < 0) {
            return false;
        }
        Optional<TopicReassignment> request = cache.reassignment(tp.topic());
        if (request.isEmpty()) {
            return false;
        }
        PartitionReassignment r = request.get().getPartitionsMap().get(tp.partition());
        return r != null
                && !r.getCancelled()
                && r.getTargetReplicasList().contains(replicaId)
                && !r.getOriginalReplicasList().contains(replicaId);
    }

    /** How many bytes of throttled traffic may be sent now: 0 while the bucket is empty, Long.MAX_VALUE if unlimited. */
    public synchronized long allowance() {
        long rate = rate();
        if (rate == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long now = System.nanoTime();
        tokens = Math.min(rate, tokens + (now - lastRefillNanos) * (rate / 1e9));
        lastRefillNanos = now;
        return tokens > 0 ? Math.max(1, (long) tokens) : 0;
    }

    /** Takes {@code bytes} of throttled traffic out of the bucket. */
    public synchronized void record(long bytes) {
        throttledBytes += bytes;
        if (rate() != Long.MAX_VALUE) {
            tokens -= bytes;
        }
    }

    /** Throttled traffic sent so far, in bytes. */
    public synchronized long throttledBytes() {
        return throttledBytes;
    }
}
