package io.strand.server.group;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Offsets committed inside transactions that are not decided yet (TxnOffsetCommit), by producer id,
 * group and partition, as Kafka keeps them: the transaction's COMMIT marker on this
 * {@code __consumer_offsets} partition makes them the groups' committed offsets, its ABORT marker drops
 * them. Meanwhile an OffsetFetch that requires stable offsets (KIP-447) is answered
 * UNSTABLE_OFFSET_COMMIT for those partitions.
 *
 * <p>Not thread-safe: used on its shard's executor only.
 */
final class PendingTransactionalOffsets {
    private final Map<Long, Map<String, Map<TopicPartition, CommittedOffset>>> byProducer = new HashMap<>();

    void add(long producerId, String groupId, Map<TopicPartition, CommittedOffset> offsets) {
        byProducer
                .computeIfAbsent(producerId, p -> new HashMap<>())
                .computeIfAbsent(groupId, g -> new HashMap<>())
                .putAll(offsets);
    }

    /** A loaded (or tombstoned: {@code value} null) transactional offset record. */
    void replay(long producerId, String groupId, TopicPartition tp, CommittedOffset value) {
        if (value != null) {
            add(producerId, groupId, Map.of(tp, value));
        } else {
            Map<String, Map<TopicPartition, CommittedOffset>> groups = byProducer.get(producerId);
            if (groups != null && groups.containsKey(groupId)) {
                groups.get(groupId).remove(tp);
            }
        }
    }

    /** Removes and returns the producer's pending offsets by group (its transaction ended). */
    Map<String, Map<TopicPartition, CommittedOffset>> take(long producerId) {
        Map<String, Map<TopicPartition, CommittedOffset>> out = byProducer.remove(producerId);
        return out == null ? Map.of() : out;
    }

    /** The partitions of {@code groupId} with an offset pending in some open transaction. */
    Set<TopicPartition> pendingPartitions(String groupId) {
        java.util.Set<TopicPartition> out = new java.util.HashSet<>();
        byProducer.values().forEach(groups -> {
            Map<TopicPartition, CommittedOffset> m = groups.get(groupId);
            if (m != null) {
                out.addAll(m.keySet());
            }
        });
        return out;
    }

    /** The group is deleted: its pending offsets go with it. */
    void removeGroup(String groupId) {
        byProducer.values().forEach(groups -> groups.remove(groupId));
    }

    void clear() {
        byProducer.clear();
    }
}
