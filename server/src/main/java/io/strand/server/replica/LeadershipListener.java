package io.strand.server.replica;

import org.apache.kafka.common.TopicPartition;

/**
 * Told when this broker starts or stops leading a partition (e.g. the group coordinator loading
 * {@code __consumer_offsets} partitions). Called on the replica-state thread after the role change
 * took effect: return quickly and do any loading on your own thread.
 */
public interface LeadershipListener {
    void onBecomeLeader(Partition partition, int leaderEpoch);

    /** This broker no longer leads {@code tp} (it follows, or no longer hosts it). */
    void onLeadershipLost(TopicPartition tp);
}
