package io.strand.coordinator.admin;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.TopicAssignments;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.TopicAssignment;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks for a topic's deletion: creates {@code /admin/delete_topics/<t>} if absent. The controller
 * then removes the topic's znodes (and any pending reassignment of it) and the marker; brokers drop
 * their logs when the topic znode goes. Asking again while the deletion runs is not an error.
 *
 * <p>Thread-safe; blocks on ZooKeeper.
 */
public final class TopicDeleter {
    private static final Logger log = LoggerFactory.getLogger(TopicDeleter.class);

    private final MetadataStore store;

    public TopicDeleter(MetadataStore store) {
        this.store = store;
    }

    /**
     * Marks {@code topic} for deletion.
     *
     * @return the id of the topic being deleted
     * @throws UnknownTopicOrPartitionException if there is no such topic
     */
    public Uuid markForDeletion(String topic) {
        Optional<Versioned<TopicAssignment>> assignment = store.read(Znodes.topic(topic), TopicAssignment.parser());
        if (assignment.isEmpty()) {
            throw new UnknownTopicOrPartitionException("Topic " + topic + " does not exist");
        }
        Uuid id = TopicAssignments.topicId(assignment.get().value());
        if (store.createIfAbsent(
                Znodes.deleteTopicMarker(topic),
                com.google.protobuf.Empty.getDefaultInstance(),
                CreateMode.PERSISTENT)) {
            log.info("Topic {} (id {}) marked for deletion", topic, id);
        }
        return id;
    }
}
