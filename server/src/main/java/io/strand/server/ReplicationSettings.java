package io.strand.server;

import static io.strand.server.ReplicationSettingsDefinition.*;

/**
 * Typed getters of the broker's replication settings ({@link ReplicationSettingsDefinition}). Each
 * getter reads its setting from the validated {@link BrokerConfig} when called, so that the
 * broker's record of the keys it read stays exact. Obtained from {@link BrokerConfig#replication()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ReplicationSettings {
    private final BrokerConfig c;

    ReplicationSettings(BrokerConfig c) {
        this.c = c;
    }

    public int defaultReplicationFactor() {
        return c.getShort(DEFAULT_REPLICATION_FACTOR);
    }

    public int minInsyncReplicas() {
        return c.getInt(MIN_INSYNC_REPLICAS);
    }

    public long replicaLagTimeMaxMs() {
        return c.getLong(REPLICA_LAG_TIME_MAX_MS);
    }

    public int replicaFetchMaxBytes() {
        return c.getInt(REPLICA_FETCH_MAX_BYTES);
    }

    public int replicaFetchResponseMaxBytes() {
        return c.getInt(REPLICA_FETCH_RESPONSE_MAX_BYTES);
    }

    public int replicaFetchWaitMaxMs() {
        return c.getInt(REPLICA_FETCH_WAIT_MAX_MS);
    }

    public boolean replicaFetchAheadEnable() {
        return c.getBoolean(REPLICA_FETCH_AHEAD_ENABLE);
    }

    public int replicaFetchAheadWaitMs() {
        return c.getInt(REPLICA_FETCH_AHEAD_WAIT_MS);
    }

    public int replicaFetchMinBytes() {
        return c.getInt(REPLICA_FETCH_MIN_BYTES);
    }

    public int replicaFetchBackoffMs() {
        return c.getInt(REPLICA_FETCH_BACKOFF_MS);
    }

    public boolean uncleanLeaderElectionEnable() {
        return c.getBoolean(UNCLEAN_LEADER_ELECTION_ENABLE);
    }

    public boolean autoLeaderRebalanceEnable() {
        return c.getBoolean(AUTO_LEADER_REBALANCE_ENABLE);
    }

    public int leaderImbalancePerBrokerPercentage() {
        return c.getInt(LEADER_IMBALANCE_PER_BROKER_PERCENTAGE);
    }

    public long leaderImbalanceCheckIntervalSeconds() {
        return c.getLong(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS);
    }

    /** Bytes/s for replicas catching up in a reassignment, from the properties file (Long.MAX_VALUE = unlimited). */
    public long leaderReplicationThrottledRate() {
        return c.getLong(LEADER_REPLICATION_THROTTLED_RATE);
    }
}
