package io.strand.server.replica;

import io.strand.coordinator.MetadataCache;
import io.strand.server.BrokerConfig;
import io.strand.server.network.BrokerConnector;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link ReplicaFetcher} per leader broker this broker follows partitions of; a partition is
 * fetched by exactly one fetcher, the one of its current leader at its current epoch.
 *
 * <p>Thread-safe (synchronized); called from the replica-state thread.
 */
final class ReplicaFetcherManager {
    private static final Logger log = LoggerFactory.getLogger(ReplicaFetcherManager.class);

    private final BrokerConfig config;
    private final MetadataCache metadata;
    private final BrokerConnector brokers;
    private final ReplicaMetrics metrics;
    private final Map<Integer, ReplicaFetcher> byLeader = new HashMap<>();
    private final Map<TopicPartition, Integer> leaderOf = new HashMap<>();
    /** Set by {@link #shutdown}: a role change that arrives later starts no fetcher. */
    private boolean closed;

    ReplicaFetcherManager(
            BrokerConfig config, MetadataCache metadata, BrokerConnector brokers, ReplicaMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.metadata = metadata;
        this.brokers = brokers;
    }

    /** Fetch {@code p} from {@code leaderId} at {@code leaderEpoch} (replacing any earlier fetch of it). */
    synchronized void follow(Partition p, int leaderId, int leaderEpoch) {
        TopicPartition tp = p.topicPartition();
        stop(tp);
        if (closed) {
            return;
        }
        Optional<InetSocketAddress> address = metadata.broker(leaderId).flatMap(brokers::endpoint);
        if (address.isEmpty()) {
            log.info("{}: leader {} is not registered; not fetching until it is", tp, leaderId);
            return;
        }
        ReplicaFetcher fetcher = byLeader.get(leaderId);
        if (fetcher != null && !fetcher.leaderAddress().equals(address.get())) {
            // the leader restarted on another address: move everything it served to a new fetcher
            fetcher.shutdown();
            byLeader.remove(leaderId);
            fetcher = null;
        }
        if (fetcher == null) {
            fetcher = new ReplicaFetcher(config.brokerId(), leaderId, address.get(), config, brokers, metrics);
            byLeader.put(leaderId, fetcher);
            fetcher.start();
        }
        fetcher.add(p, leaderEpoch);
        leaderOf.put(tp, leaderId);
    }

    /** Stop fetching {@code tp} (this broker leads it, or no longer hosts it). */
    synchronized void stop(TopicPartition tp) {
        Integer leader = leaderOf.remove(tp);
        if (leader != null) {
            ReplicaFetcher f = byLeader.get(leader);
            if (f != null) {
                f.remove(tp);
                if (f.isEmpty()) {
                    f.shutdown();
                    byLeader.remove(leader);
                }
            }
        }
    }

    /** The largest lag, in records, of a partition fetched (Kafka's MaxLag); 0 when following nothing. */
    synchronized long maxLag() {
        long max = 0;
        for (ReplicaFetcher f : byLeader.values()) {
            max = Math.max(max, f.maxLag());
        }
        return max;
    }

    synchronized void shutdown() {
        closed = true;
        byLeader.values().forEach(ReplicaFetcher::shutdown);
        byLeader.clear();
        leaderOf.clear();
    }
}
