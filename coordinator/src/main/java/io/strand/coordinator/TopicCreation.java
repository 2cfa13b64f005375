package io.strand.coordinator;

import io.strand.coordinator.proto.TopicAssignment;

/** The outcome of {@link TopicCreator#create}. */
public sealed interface TopicCreation {
    /** This call wrote the topic. */
    record Created(String name, TopicAssignment assignment) implements TopicCreation {}

    /** validate-only: the topic would be created like this; nothing was written. */
    record Validated(String name, TopicAssignment assignment) implements TopicCreation {}

    /** The topic already existed (possibly created a moment ago by a racing caller); this is the assignment that won. */
    record AlreadyExists(String name, TopicAssignment winner) implements TopicCreation {}

    /** The request itself is wrong; nothing was written. */
    record Rejected(String name, Reason reason, String message) implements TopicCreation {}

    enum Reason {
        INVALID_TOPIC_NAME,
        INVALID_PARTITIONS,
        INVALID_REPLICATION_FACTOR,
        INVALID_REPLICA_ASSIGNMENT,
        INVALID_CONFIG,
        TOPIC_BEING_DELETED,
        /** More partitions than one ZooKeeper transaction holds (Kafka's KRaft refuses large ones alike). */
        TOO_LARGE
    }
}
