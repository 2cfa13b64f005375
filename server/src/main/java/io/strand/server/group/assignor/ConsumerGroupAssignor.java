package io.strand.server.group.assignor;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * A server-side assignor for KIP-848 consumer groups: computes a group's new target assignment, in
 * which no partition is given to two members. Stateless and thread-safe.
 */
public interface ConsumerGroupAssignor {
    /**
     * The name clients give in {@code group.remote.assignor} and brokers list in
     * {@code group.consumer.assignors}: {@code "uniform"} or {@code "range"}.
     */
    String name();

    /**
     * The new target assignment: an entry for every member of {@code members} (an empty map if it
     * gets nothing), keyed by member id, with only non-empty partition sets, each sorted. The result
     * is immutable and deterministic for the same input.
     *
     * @param members the group's members, keyed by member id
     * @param topics the topics that exist, keyed by id
     */
    Map<String, Map<Uuid, Set<Integer>>> assign(Map<String, MemberSpec> members, Map<Uuid, TopicInfo> topics);
}
