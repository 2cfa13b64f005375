package io.strand.coordinator;

import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.TopicReassignment;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * Changes the {@link MetadataCache} has applied. Called in order on the cache's single event
 * thread, after the cache reflects the change: implementations must return quickly and hand any
 * blocking work (disk, ZooKeeper) to their own executor.
 */
public interface MetadataListener {
    /** A partition's state or replica list changed (also fired once per partition at start-up). */
    default void onPartitionChanged(PartitionInfo partition) {}

    /** The topic znode is gone; the topic's partitions are no longer in the cache. */
    default void onTopicDeleted(String topic, Uuid topicId) {}

    default void onTopicConfigChanged(String topic, Map<String, String> configs) {}

    default void onBrokerRegistered(BrokerRegistration broker) {}

    default void onBrokerUnregistered(int brokerId) {}

    default void onControllerChanged(int controllerId) {}

    /** {@code /admin/delete_topics/<topic>} appeared (or was there at start). */
    default void onTopicDeletionRequested(String topic) {}

    /**
     * {@code /admin/reassignments/<topic>} appeared, changed (or was there at start), or, with an
     * empty {@code request}, was deleted.
     */
    default void onReassignmentChanged(String topic, Optional<TopicReassignment> request) {}

    /** {@code /config/brokers/<entity>} changed; {@code entity} is a broker id or {@code <default>}. */
    default void onBrokerConfigChanged(String entity, Map<String, String> overrides) {}

    /** The cache holds everything ZooKeeper held when it started; fired once, after the start-up events. */
    default void onCacheLoaded() {}
}
