package io.strand.server.group;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * One member of a KIP-932 share group: its subscription, its epoch and the partitions it reads. A
 * share-group member gets its partitions at once, with no revocation round: several members may read
 * one partition, and the partition's leader hands each record to one of them at a time.
 *
 * <p>Not thread-safe: touched only on its shard's executor.
 */
final class ShareGroupMember implements SubscribedTopics.Subscriber {
    final String memberId;
    String rackId;
    String clientId;
    String clientHost;
    List<String> subscribedTopicNames = List.of();
    int memberEpoch;
    int previousMemberEpoch;
    Map<Uuid, Set<Integer>> assigned = TopicPartitions.EMPTY;
    long sessionDeadlineMs;

    ShareGroupMember(String memberId) {
        this.memberId = memberId;
    }

    @Override
    public List<String> topicNames() {
        return subscribedTopicNames;
    }

    @Override
    public String topicRegex() {
        return null;
    }

    @Override
    public String toString() {
        return memberId + " epoch " + memberEpoch;
    }
}
