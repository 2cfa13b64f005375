package io.strand.server.group.assignor;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * A server-side assignor for KIP-932 share groups. Unlike a consumer group's, a share group's
 * assignment may give a partition to several members at once. Stateless and thread-safe.
 */
public interface ShareGroupAssignor {
    /**
     * The new target assignment: an entry for every member of {@code members} (an empty map if it
     * gets nothing), keyed by member id, with only non-empty partition sets, each sorted. Every
     * partition of a subscribed topic goes to at least one subscriber. The result is immutable and
     * deterministic for the same input.
     *
     * @param members the group's members, keyed by member id
     * @param topics the topics that exist, keyed by id
     */
    Map<String, Map<Uuid, Set<Integer>>> assign(Map<String, MemberSpec> members, Map<Uuid, TopicInfo> topics);
}
