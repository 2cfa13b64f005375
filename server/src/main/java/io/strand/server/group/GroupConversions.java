package io.strand.server.group;

import io.strand.server.group.assignor.TopicInfo;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online migration of a group between the classic and the consumer protocol (KIP-848, Kafka's
 * {@code group.consumer.migration.policy=bidirectional}):
 *
 * <ul>
 *   <li><b>upgrade</b> ({@link #upgrade}): a ConsumerGroupHeartbeat joining a classic group with members
 *       (of the {@code consumer} protocol type) turns it into a consumer group whose members still speak
 *       the classic protocol: each keeps its classic metadata, its assignment becomes its current and its
 *       target assignment, its epoch the group's generation; the group epoch and the assignment epoch
 *       are the generation. The joining member then joins as usual (Kafka's
 *       {@code ConsumerGroup.fromClassicGroup});
 *   <li><b>downgrade</b> ({@link #maybeDowngrade}): when the last member of the consumer protocol leaves
 *       or is removed and classic members remain, they form a classic group again (their protocols, their
 *       target assignments, generation = group epoch), which starts a rebalance at once so that they
 *       rejoin (Kafka's {@code ClassicGroup.fromConsumerGroup}).
 * </ul>
 *
 * <p>Records: an upgrade writes the consumer group's records, and no tombstone of the classic group: a
 * GROUP tombstone would drop the group's offsets at load, and the later consumer record decides the
 * group's type anyway ({@link CoordinatorShard}'s replay). A downgrade writes tombstones of the consumer
 * group and its members, then the classic group's record. Offsets are kept by group id
 * ({@link OffsetManager}) and are not touched by either.
 *
 * <p>Threading: called only on the shard's executor.
 */
final class GroupConversions {
    private static final Logger log = LoggerFactory.getLogger(GroupConversions.class);

    private final CoordinatorShard shard;
    private final ConsumerGroupManager consumers;

    GroupConversions(CoordinatorShard shard, ConsumerGroupManager consumers) {
        this.shard = shard;
        this.consumers = consumers;
    }

    // =============================================================================================== upgrade

    /** Null if {@code classic} may become a consumer group now, else why not (answered GROUP_ID_NOT_FOUND). */
    String cannotUpgrade(ClassicGroup classic) {
        if (!ClassicGroup.CONSUMER_PROTOCOL_TYPE.equals(classic.protocolType)) {
            return "Group " + classic.groupId + " is a classic group of protocol type " + classic.protocolType
                    + ", which cannot be upgraded to a consumer group";
        }
        if (classic.members.size() > shard.config.consumer().maxSize()) {
            return "Group " + classic.groupId + " has more members than group.consumer.max.size allows";
        }
        return unreadable(classic);
    }

    /**
     * Replaces the classic group {@code classic} by a consumer group of the same members, adding its
     * records to {@code records}. The classic members' waiting JoinGroup and SyncGroup are answered
     * REBALANCE_IN_PROGRESS: they rejoin the consumer group. Only after {@link #cannotUpgrade} said yes.
     */
    ConsumerGroup upgrade(ClassicGroup classic, long now, List<SimpleRecord> records) {
        Map<String, TopicInfo> topics = consumers.topics.topics();
        int generation = classic.generationId;
        ConsumerGroup g = new ConsumerGroup(classic.groupId, now);
        g.groupEpoch = generation;
        g.assignmentEpoch = generation;
        for (GroupMember cm : classic.members.values()) {
            byte[] metadata = classic.protocolName != null
                    ? cm.metadata(classic.protocolName)
                    : cm.protocols.get(0).metadata();
            ConsumerPartitionAssignor.Subscription sub =
                    ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata));
            Map<Uuid, Set<Integer>> assigned = cm.assignment == null || cm.assignment.length == 0
                    ? TopicPartitions.EMPTY
                    : toIds(
                            ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(cm.assignment))
                                    .partitions(),
                            topics);
            ConsumerGroupMember m = new ConsumerGroupMember(cm.memberId);
            m.instanceId = cm.groupInstanceId;
            m.rackId = sub.rackId().orElse(null);
            m.clientId = cm.clientId;
            m.clientHost = cm.clientHost;
            m.rebalanceTimeoutMs = cm.rebalanceTimeoutMs;
            m.sessionTimeoutMs = cm.sessionTimeoutMs;
            m.subscribedTopicNames = List.copyOf(sub.topics());
            m.classic = new ConsumerGroupMember.Classic(cm.sessionTimeoutMs, cm.protocols);
            m.assignment = new MemberAssignment(
                    generation, generation, MemberAssignment.State.STABLE, assigned, TopicPartitions.EMPTY);
            m.target = assigned;
            g.members.put(m.memberId, m);
        }
        g.subscribedTopics = Map.copyOf(consumers.subscriptions.resolve(g.members.values()));
        for (GroupMember cm : classic.members.values()) {
            cm.completeJoin(ClassicResponses.joinError(cm.memberId, Errors.REBALANCE_IN_PROGRESS));
            cm.completeSync(ClassicResponses.syncError(Errors.REBALANCE_IN_PROGRESS));
        }
        classic.transitionTo(GroupState.DEAD, now);
        shard.groups.add(g); // replaces the classic group
        records.add(ConsumerGroupRecords.groupRecord(now, g));
        for (ConsumerGroupMember m : g.members.values()) {
            records.add(ConsumerGroupRecords.memberRecord(now, g.groupId, m));
            consumers.startSession(g, m, now);
        }
        log.info(
                "Group {}: classic group with {} members at generation {} upgraded to a consumer group",
                g.groupId,
                g.members.size(),
                generation);
        return g;
    }

    /** Null if every member's metadata and assignment can be read with ConsumerProtocol, else why not. */
    private static String unreadable(ClassicGroup classic) {
        try {
            for (GroupMember cm : classic.members.values()) {
                byte[] metadata = classic.protocolName != null
                        ? cm.metadata(classic.protocolName)
                        : cm.protocols.get(0).metadata();
                ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata));
                if (cm.assignment != null && cm.assignment.length > 0) {
                    ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(cm.assignment));
                }
            }
            return null;
        } catch (RuntimeException e) {
            return "Cannot upgrade the classic group " + classic.groupId
                    + " to a consumer group: its embedded consumer protocol is malformed (" + e.getMessage() + ")";
        }
    }

    // ============================================================================================= downgrade

    /**
     * {@code leaving} leaves {@code g} (or is removed): if every other member speaks the classic
     * protocol, and there are some, {@code g} becomes a classic group of them, its records added to
     * {@code records}, and a rebalance starts. True if it did; the caller then removes nothing itself.
     */
    boolean maybeDowngrade(
            ConsumerGroup g, ConsumerGroupMember leaving, long now, List<SimpleRecord> records, String why) {
        if (g.members.size() <= 1 || !g.allUseClassicProtocolExcept(leaving.memberId)) {
            return false;
        }
        return downgrade(g, leaving, now, records, "member " + leaving.memberId + " " + why);
    }

    /**
     * A classic static member took the place of the last member of the consumer protocol in
     * {@code g} (same instance id): if every member now speaks the classic protocol, {@code g} becomes
     * a classic group of them, which rebalances. True if it did.
     */
    boolean maybeDowngradeAfterReplacement(ConsumerGroup g, long now, List<SimpleRecord> records, String why) {
        if (g.members.isEmpty() || !g.allUseClassicProtocolExcept(null)) {
            return false;
        }
        return downgrade(g, null, now, records, why);
    }

    /** {@code g} without {@code leaving} (null: none) as a classic group; false if that cannot be. */
    private boolean downgrade(
            ConsumerGroup g, ConsumerGroupMember leaving, long now, List<SimpleRecord> records, String why) {
        int size = g.members.size() - (leaving == null ? 0 : 1);
        if (size > shard.config.maxSize()) {
            log.info("Group {}: not downgraded to a classic group: more members than group.max.size", g.groupId);
            return false;
        }
        ClassicGroup c = new ClassicGroup(g.groupId, now);
        c.protocolType = ClassicGroup.CONSUMER_PROTOCOL_TYPE;
        c.generationId = g.groupEpoch;
        Map<String, ConsumerGroupMember> byId = new LinkedHashMap<>();
        for (ConsumerGroupMember m : g.members.values()) {
            if (m != leaving) {
                GroupMember cm = new GroupMember(
                        m.memberId,
                        m.instanceId,
                        m.clientId == null ? "" : m.clientId,
                        m.clientHost == null ? "" : m.clientHost,
                        m.rebalanceTimeoutMs,
                        m.classic.sessionTimeoutMs(),
                        ClassicGroup.CONSUMER_PROTOCOL_TYPE,
                        m.classic.protocols());
                c.add(cm);
                byId.put(m.memberId, m);
            }
        }
        Map<Uuid, String> names = new HashMap<>();
        g.subscribedTopics.values().forEach(t -> names.put(t.id(), t.name()));
        try {
            c.protocolName = c.selectProtocol();
            for (GroupMember cm : c.members.values()) {
                short version = ConsumerProtocol.deserializeVersion(ByteBuffer.wrap(cm.metadata(c.protocolName)));
                cm.assignment = Utils.toArray(ConsumerProtocol.serializeAssignment(
                        new ConsumerPartitionAssignor.Assignment(toNames(byId.get(cm.memberId).target, names)),
                        version));
            }
        } catch (RuntimeException e) {
            log.warn("Group {}: cannot downgrade to a classic group: {}", g.groupId, e.toString());
            return false;
        }
        c.transitionTo(GroupState.STABLE, now);
        for (ConsumerGroupMember m : g.members.values()) {
            records.add(ConsumerGroupRecords.memberTombstone(now, g.groupId, m.memberId));
        }
        records.add(ConsumerGroupRecords.groupTombstone(now, g.groupId));
        records.add(GroupRecords.groupRecord(now, c, Map.of()));
        g.markDead();
        shard.groups.add(c); // replaces the consumer group; its offsets stay (kept by group id)
        log.info(
                "Group {}: {}; the {} members left use the classic protocol: downgraded to a classic"
                        + " group at generation {}",
                g.groupId,
                why,
                c.members.size(),
                c.generationId);
        shard.classicGroups.adoptConverted(c, "downgraded from a consumer group (" + why + ")");
        return true;
    }

    // ================================================================================================ helpers

    /** Partitions by topic name as partitions by topic id; topics that do not exist (any longer) are left out. */
    static Map<Uuid, Set<Integer>> toIds(List<TopicPartition> partitions, Map<String, TopicInfo> topics) {
        Map<Uuid, Set<Integer>> out = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            TopicInfo t = topics.get(tp.topic());
            if (t != null && tp.partition() < t.partitions()) {
                out.computeIfAbsent(t.id(), k -> new HashSet<>()).add(tp.partition());
            }
        }
        return TopicPartitions.copyOf(out);
    }

    /** Partitions by topic id as a list of named partitions; ids without a name are left out. */
    static List<TopicPartition> toNames(Map<Uuid, Set<Integer>> partitions, Map<Uuid, String> names) {
        List<TopicPartition> out = new ArrayList<>();
        partitions.forEach((id, ps) -> {
            String name = names.get(id);
            if (name != null) {
                ps.stream().sorted().forEach(p -> out.add(new TopicPartition(name, p)));
            }
        });
        return out;
    }
}
