package io.strand.coordinator;

import io.strand.coordinator.proto.BrokerRegistration;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * Changes the {@link MetadataCache} has applied. Called in order on the cache's single event
 * thread, after the cache reflects the change: implementations must return quickly and hand any
 * blocking work (disk, ZooKeeper) to their own executor.
 */
public interface MetadataListener {
    /** A partition's state or replica list changed (also fired once per partition at start-up). */
    default void onPartitionChanged(PartitionInfo partition) {
    }

    /** The topic znode is gone; the topic's partitions are no longer in the cache. */
    default void onTopicDeleted(String topic, Uuid topicId) {
    }

    default void onTopicConfigChanged(String topic, Map<String, String> configs) {
    }

    default void onBrokerRegistered(BrokerRegistration broker) {
    }

    default void onBrokerUnregistered(int brokerId) {
    }

    default void onControllerChanged(int controllerId) {
    }

    /** {@code /admin/delete_topics/<topic>} appeared (or was there at start). */
    default void onTopicDeletionRequested(String topic) {
    }
}
