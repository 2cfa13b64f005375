package io.strand.server.group;

import io.strand.server.group.assignor.Assignors;
import io.strand.server.group.assignor.MemberSpec;
import io.strand.server.group.assignor.TopicInfo;
import io.strand.server.group.proto.ConsumerGroupValue;
import io.strand.server.group.proto.ConsumerMemberValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership of the KIP-848 consumer groups of one shard (Kafka's {@code GroupMetadataManager} for
 * the consumer protocol): ConsumerGroupHeartbeat — joining, leaving, static members, the member
 * epoch checks —, the group epoch and the target assignment computed by a server-side assignor, each
 * member's reconciliation towards it ({@link Reconciliation}), session and revocation timeouts, and the
 * group's records in {@code __consumer_offsets} ({@link ConsumerGroupRecords}), so that a new
 * coordinator resumes every group where it was, without a rebalance. ConsumerGroupDescribe is
 * {@link ConsumerGroupDescriber}'s. Members of the classic protocol inside a consumer group are
 * {@link ClassicMembersOfConsumerGroups}'; the online upgrade and downgrade {@link GroupConversions}'.
 *
 * <p>Threading: called only on the shard's executor; futures it returns complete there too. No locks.
 */
final class ConsumerGroupManager implements GroupManager {
    private static final Logger log = LoggerFactory.getLogger(ConsumerGroupManager.class);

    /** A ConsumerGroupHeartbeat as the coordinator needs it; null fields are "unchanged". */
    record HeartbeatRequest(
            String groupId,
            String memberId,
            int memberEpoch,
            String instanceId,
            String rackId,
            int rebalanceTimeoutMs,
            List<String> subscribedTopicNames,
            String subscribedTopicRegex,
            String serverAssignor,
            Map<Uuid, Set<Integer>> ownedPartitions,
            String clientId,
            String clientHost,
            AuthorizableRequestContext requester) {

        /** A full request (joining, or after an error) carries every field; the answer then always has the assignment. */
        boolean isFull() {
            return rebalanceTimeoutMs != -1
                    && (subscribedTopicNames != null || subscribedTopicRegex != null)
                    && ownedPartitions != null;
        }
    }

    private final CoordinatorShard shard;
    private final Groups groups;
    private final ConsumerGroupConfig config;
    final SubscribedTopics subscriptions;
    /** The topics that exist now (subscriptions resolve against them; classic members name topics). */
    final SubscribedTopics.Source topics;
    /** Online migration: a classic group with members upgrading, a mixed group downgrading. */
    final GroupConversions conversions;
    /** JoinGroup, SyncGroup, Heartbeat and LeaveGroup of the classic protocol's members of consumer groups. */
    final ClassicMembersOfConsumerGroups classicMembers;
    /** While the shard loads: the newest record of each group and of each of its members. */
    private final LoadedGroupRecords<ConsumerGroupValue, ConsumerMemberValue> loaded = new LoadedGroupRecords<>();

    ConsumerGroupManager(CoordinatorShard shard, SubscribedTopics subscriptions) {
        this.shard = shard;
        this.groups = shard.groups;
        this.config = shard.config.consumer();
        this.subscriptions = subscriptions;
        this.topics = subscriptions.source();
        this.conversions = new GroupConversions(shard, this);
        this.classicMembers = new ClassicMembersOfConsumerGroups(shard, this);
    }

    // ============================================================================================ load / unload

    /** A loaded group record; null = a tombstone (the group and its members were deleted). */
    void replayGroup(String groupId, ConsumerGroupValue value) {
        loaded.replayGroup(groupId, value);
    }

    /** A loaded member record; null = a tombstone. */
    void replayMember(String groupId, String memberId, ConsumerMemberValue value) {
        loaded.replayMember(groupId, memberId, value);
    }

    /** A classic group record came later in the log than this group's records: the group is classic now. */
    void forgetLoaded(String groupId) {
        loaded.forget(groupId);
    }

    /** Restores the loaded groups with their members and starts every member's session. */
    void completeLoad() {
        long now = shard.now();
        loaded.restoreAll((id, v, members) -> {
            ConsumerGroup g = ConsumerGroupRecords.restoreGroup(id, v);
            members.forEach((memberId, mv) -> {
                ConsumerGroupMember m = ConsumerGroupRecords.restoreMember(memberId, mv);
                if (m.sessionTimeoutMs <= 0) {
                    m.sessionTimeoutMs = config.sessionTimeoutMs();
                }
                g.members.put(memberId, m);
            });
            groups.add(g);
            for (ConsumerGroupMember m : g.members.values()) {
                startSession(g, m, now);
                if (m.assignment.state() == MemberAssignment.State.UNREVOKED_PARTITIONS) {
                    armRevocation(g, m, now);
                }
            }
        });
    }

    @Override
    public void unload() {
        for (ConsumerGroup g : groups.allConsumer()) {
            g.markDead();
        }
    }

    // ============================================================================================== heartbeat

    CompletableFuture<ConsumerGroupHeartbeatResponseData> heartbeat(HeartbeatRequest r) {
        long now = shard.now();
        ConsumerGroup group = groups.consumer(r.groupId());
        List<SimpleRecord> records = new ArrayList<>();
        if (group == null) {
            Group other = groups.get(r.groupId());
            if (other != null && !(other instanceof ClassicGroup)) {
                return done(error(Errors.GROUP_ID_NOT_FOUND, "Group " + r.groupId() + " is not a consumer group."));
            }
            if (r.memberEpoch() != 0) {
                return done(error(Errors.UNKNOWN_MEMBER_ID, "unknown member " + r.memberId()));
            }
            if (other instanceof ClassicGroup classic && !classic.members.isEmpty()) {
                String cannot = conversions.cannotUpgrade(classic);
                if (cannot != null) {
                    return done(error(Errors.GROUP_ID_NOT_FOUND, cannot));
                }
                group = conversions.upgrade(classic, now, records); // its offsets stay (kept by group id)
            } else {
                if (other != null) {
                    log.info("Group {}: empty classic group converted to a consumer group", r.groupId());
                }
                group = new ConsumerGroup(r.groupId(), now);
                groups.add(group); // replaces an empty classic group; its offsets stay (kept by group id)
            }
        }
        if (r.memberEpoch() == ConsumerGroupMember.LEAVE_EPOCH
                || r.memberEpoch() == ConsumerGroupMember.STATIC_LEAVE_EPOCH) {
            return leave(group, r, now, records);
        }
        boolean bump = false;
        ConsumerGroupMember m;
        ConsumerGroupMember replaced = null;
        if (r.instanceId() != null) {
            ConsumerGroupMember holder = group.staticMember(r.instanceId());
            if (r.memberEpoch() == 0) {
                if (holder != null && !holder.memberId.equals(r.memberId()) && !holder.leftStatic) {
                    return done(error(
                            Errors.UNRELEASED_INSTANCE_ID,
                            "static member " + r.instanceId() + " is still held by member " + holder.memberId));
                }
                replaced = holder != null && !holder.memberId.equals(r.memberId()) ? holder : null;
            } else if (holder == null) {
                return done(error(Errors.UNKNOWN_MEMBER_ID, "unknown static member " + r.instanceId()));
            } else if (!holder.memberId.equals(r.memberId())) {
                return done(error(
                        Errors.FENCED_INSTANCE_ID,
                        "static member " + r.instanceId() + " is now member " + holder.memberId));
            }
        }
        m = group.members.get(r.memberId());
        if (m == null) {
            if (r.memberEpoch() != 0) {
                return done(error(Errors.UNKNOWN_MEMBER_ID, "unknown member " + r.memberId()));
            }
            if (replaced == null && group.members.size() >= config.maxSize()) {
                return done(error(
                        Errors.GROUP_MAX_SIZE_REACHED,
                        "group " + r.groupId() + " has reached group.consumer.max.size (" + config.maxSize() + ")"));
            }
            m = new ConsumerGroupMember(r.memberId());
            m.sessionTimeoutMs = config.sessionTimeoutMs();
            if (replaced != null) { // the new instance takes over its predecessor's partitions and epoch
                m.assignment = replaced.assignment;
                m.target = replaced.target;
                m.subscribedTopicNames = replaced.subscribedTopicNames;
                m.subscribedTopicRegex = replaced.subscribedTopicRegex;
                m.serverAssignor = replaced.serverAssignor;
                group.members.remove(replaced.memberId);
                records.add(ConsumerGroupRecords.memberTombstone(now, group.groupId, replaced.memberId));
                log.info(
                        "Group {}: static member {} replaced member {} by {}",
                        group.groupId,
                        r.instanceId(),
                        replaced.memberId,
                        m.memberId);
            } else {
                bump = true;
            }
            group.members.put(m.memberId, m);
        } else if (r.memberEpoch() == 0) {
            // a known member joining again has given up its partitions: it starts over from its target
            m.assignment = MemberAssignment.NEW;
            m.leftStatic = false;
        } else {
            Errors fenced = checkEpoch(m, r);
            if (fenced != Errors.NONE) {
                return done(error(
                        fenced,
                        "member " + m.memberId + " sent epoch " + r.memberEpoch() + ", its epoch is "
                                + m.memberEpoch()));
            }
        }
        bump |= update(m, r);
        bump = updateGroup(group, bump, now, records);
        Map<Uuid, Set<Integer>> assignedBefore = m.assignment.assigned();
        boolean memberChanged = reconcile(group, m, r.ownedPartitions(), now) || bump || replaced != null;
        if (memberChanged || r.memberEpoch() == 0) {
            records.add(ConsumerGroupRecords.memberRecord(now, group.groupId, m));
        }
        startSession(group, m, now);
        ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData()
                .setMemberId(m.memberId)
                .setMemberEpoch(m.memberEpoch())
                .setHeartbeatIntervalMs(config.heartbeatIntervalMs());
        if (r.memberEpoch() == 0 || r.isFull() || !assignedBefore.equals(m.assignment.assigned())) {
            response.setAssignment(ConsumerGroupDescriber.assignment(m.assignment.assigned()));
        }
        return write(records, response);
    }

    /**
     * Resolves the group's subscriptions; the group epoch moves if {@code bump} or they changed, and
     * then a new target assignment is computed. True if the epoch moved.
     */
    boolean updateGroup(ConsumerGroup group, boolean bump, long now, List<SimpleRecord> records) {
        Map<String, TopicInfo> subscribed = subscriptions.resolve(group.members.values());
        if (!subscribed.equals(group.subscribedTopics)) {
            group.subscribedTopics = Map.copyOf(subscribed);
            bump = true;
        }
        if (bump) {
            group.groupEpoch++;
            records.add(ConsumerGroupRecords.groupRecord(now, group));
            log.info("Group {}: epoch {} ({} members)", group.groupId, group.groupEpoch, group.members.size());
        }
        if (group.assignmentEpoch < group.groupEpoch) {
            computeTargetAssignment(group, now, records);
        }
        return bump;
    }

    /** NONE if {@code r}'s epoch is {@code m}'s, or its previous one with no partition {@code m} no longer owns. */
    private static Errors checkEpoch(ConsumerGroupMember m, HeartbeatRequest r) {
        int epoch = m.assignment.memberEpoch();
        if (r.memberEpoch() == epoch) {
            return Errors.NONE;
        }
        if (r.memberEpoch() < epoch
                && r.memberEpoch() == m.assignment.previousMemberEpoch()
                && r.ownedPartitions() != null
                && TopicPartitions.isSubset(r.ownedPartitions(), m.assignment.assigned())) {
            return Errors.NONE; // the answer that moved it to its epoch was lost
        }
        return Errors.FENCED_MEMBER_EPOCH;
    }

    /** Takes the request's fields into {@code m}; true if its subscription changed (the group epoch must move). */
    private static boolean update(ConsumerGroupMember m, HeartbeatRequest r) {
        ConsumerGroupMember.Subscription before = m.subscription();
        if (r.instanceId() != null) {
            m.instanceId = r.instanceId();
        }
        if (r.rackId() != null) {
            m.rackId = r.rackId();
        }
        m.clientId = r.clientId();
        m.clientHost = r.clientHost();
        if (r.requester() != null) {
            m.requester = r.requester();
        }
        if (r.rebalanceTimeoutMs() != -1) {
            m.rebalanceTimeoutMs = r.rebalanceTimeoutMs();
        }
        if (r.subscribedTopicNames() != null) {
            m.subscribedTopicNames = List.copyOf(r.subscribedTopicNames());
        }
        if (r.subscribedTopicRegex() != null) {
            m.subscribedTopicRegex = r.subscribedTopicRegex().isEmpty() ? null : r.subscribedTopicRegex();
        }
        if (r.serverAssignor() != null) {
            m.serverAssignor = r.serverAssignor();
        }
        return !before.equals(m.subscription());
    }

    /** Moves {@code m} a step towards its target; true if its assignment changed. */
    boolean reconcile(ConsumerGroup g, ConsumerGroupMember m, Map<Uuid, Set<Integer>> owned, long now) {
        MemberAssignment before = m.assignment;
        m.assignment =
                Reconciliation.next(before, g.assignmentEpoch, m.target, (t, p) -> g.ownedByAnother(m, t, p), owned);
        if (m.assignment.state() == MemberAssignment.State.UNREVOKED_PARTITIONS) {
            if (before.state() != MemberAssignment.State.UNREVOKED_PARTITIONS
                    || !before.pendingRevocation().equals(m.assignment.pendingRevocation())) {
                armRevocation(g, m, now);
            }
        } else {
            m.revocationDeadlineMs = 0;
        }
        return !before.equals(m.assignment);
    }

    /** The new target assignment of every member, at the group's epoch. */
    private void computeTargetAssignment(ConsumerGroup g, long now, List<SimpleRecord> records) {
        String assignorName = chooseAssignor(g);
        Map<String, TopicInfo> all = null;
        Map<Uuid, TopicInfo> topics = new HashMap<>();
        g.subscribedTopics.values().forEach(t -> topics.put(t.id(), t));
        Map<String, MemberSpec> specs = new LinkedHashMap<>();
        for (ConsumerGroupMember m : g.members.values()) {
            if (all == null) {
                all = new HashMap<>(g.subscribedTopics);
            }
            Set<Uuid> ids = new java.util.HashSet<>();
            subscriptions.of(m, all).values().forEach(t -> ids.add(t.id()));
            specs.put(m.memberId, new MemberSpec(m.memberId, m.instanceId, m.rackId, ids, m.target));
        }
        Map<String, Map<Uuid, Set<Integer>>> target =
                Assignors.byName(assignorName).assign(specs, topics);
        for (ConsumerGroupMember m : g.members.values()) {
            Map<Uuid, Set<Integer>> t = TopicPartitions.copyOf(target.getOrDefault(m.memberId, Map.of()));
            if (!t.equals(m.target)) {
                m.target = t;
                records.add(ConsumerGroupRecords.memberRecord(now, g.groupId, m));
            }
        }
        g.assignorName = assignorName;
        g.assignmentEpoch = g.groupEpoch;
        records.add(ConsumerGroupRecords.groupRecord(now, g));
    }

    /** The assignor most members ask for (group.remote.assignor), else the broker's default. */
    private String chooseAssignor(ConsumerGroup g) {
        Map<String, Integer> votes = new HashMap<>();
        for (ConsumerGroupMember m : g.members.values()) {
            if (m.serverAssignor != null) {
                votes.merge(m.serverAssignor, 1, Integer::sum);
            }
        }
        return votes.entrySet().stream()
                .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey)
                .orElse(config.defaultAssignor());
    }

    // ================================================================================================== leave

    private CompletableFuture<ConsumerGroupHeartbeatResponseData> leave(
            ConsumerGroup g, HeartbeatRequest r, long now, List<SimpleRecord> records) {
        ConsumerGroupMember m = r.instanceId() != null ? g.staticMember(r.instanceId()) : g.members.get(r.memberId());
        if (m == null || !m.memberId.equals(r.memberId())) {
            return done(error(
                    r.instanceId() != null && m != null ? Errors.FENCED_INSTANCE_ID : Errors.UNKNOWN_MEMBER_ID,
                    "member " + r.memberId() + " is not in group " + g.groupId));
        }
        ConsumerGroupHeartbeatResponseData response =
                new ConsumerGroupHeartbeatResponseData().setMemberId(m.memberId).setMemberEpoch(r.memberEpoch());
        if (r.memberEpoch() == ConsumerGroupMember.STATIC_LEAVE_EPOCH && m.instanceId != null) {
            // a static member keeps its partitions for its next instance until its session ends
            m.leftStatic = true;
            records.add(ConsumerGroupRecords.memberRecord(now, g.groupId, m));
            startSession(g, m, now);
            log.info(
                    "Group {}: static member {} ({}) left, holding its partitions",
                    g.groupId,
                    m.instanceId,
                    m.memberId);
        } else {
            remove(g, m, now, records, "left the group");
        }
        return write(records, response);
    }

    /** Removes {@code m}: its partitions are free, and the group epoch moves so the others get them. */
    void remove(ConsumerGroup g, ConsumerGroupMember m, long now, List<SimpleRecord> records, String why) {
        if (conversions.maybeDowngrade(g, m, now, records, why)) {
            return; // the last member of the consumer protocol left: the classic members form a classic group
        }
        g.members.remove(m.memberId);
        g.groupEpoch++;
        g.subscribedTopics = Map.copyOf(subscriptions.resolve(g.members.values()));
        records.add(ConsumerGroupRecords.memberTombstone(now, g.groupId, m.memberId));
        records.add(ConsumerGroupRecords.groupRecord(now, g));
        log.info(
                "Group {}: member {} {}; epoch {}, {} members left", g.groupId, m, why, g.groupEpoch, g.members.size());
    }

    // ================================================================================================ timers

    void startSession(ConsumerGroup g, ConsumerGroupMember m, long now) {
        boolean armed = m.sessionDeadlineMs > now;
        m.sessionDeadlineMs = now + m.sessionTimeoutMs;
        if (!armed) {
            shard.schedule(m.sessionTimeoutMs, () -> onSessionTimer(g, m));
        }
    }

    private void onSessionTimer(ConsumerGroup g, ConsumerGroupMember m) {
        if (!groups.isCurrent(g) || g.members.get(m.memberId) != m) {
            return;
        }
        long now = shard.now();
        if (now < m.sessionDeadlineMs) {
            shard.schedule(m.sessionDeadlineMs - now, () -> onSessionTimer(g, m));
            return;
        }
        m.sessionDeadlineMs = 0;
        expire(g, m, now, "missed its session timeout (" + m.sessionTimeoutMs + " ms)");
    }

    private void armRevocation(ConsumerGroup g, ConsumerGroupMember m, long now) {
        int timeout = m.rebalanceTimeoutMs > 0 ? m.rebalanceTimeoutMs : config.sessionTimeoutMs();
        m.revocationDeadlineMs = now + timeout;
        MemberAssignment waitingFor = m.assignment;
        shard.schedule(timeout, () -> {
            if (groups.isCurrent(g) && g.members.get(m.memberId) == m && m.assignment == waitingFor) {
                expire(
                        g,
                        m,
                        shard.now(),
                        "did not revoke " + waitingFor.pendingRevocation() + " within its rebalance timeout (" + timeout
                                + " ms)");
            }
        });
    }

    void expire(ConsumerGroup g, ConsumerGroupMember m, long now, String why) {
        List<SimpleRecord> records = new ArrayList<>();
        remove(g, m, now, records, why);
        write(records, null).thenAccept(r -> {
            if (r != null && r.errorCode() != Errors.NONE.code()) {
                log.warn(
                        "Group {}: could not write the removal of member {}: {}",
                        g.groupId,
                        m.memberId,
                        r.errorMessage());
            }
        });
    }

    // ================================================================================ what the shard asks

    @Override
    public void deleteGroup(Group group, long nowMs, List<SimpleRecord> records) {
        ConsumerGroup g = (ConsumerGroup) group;
        for (ConsumerGroupMember m : g.members.values()) {
            records.add(ConsumerGroupRecords.memberTombstone(nowMs, g.groupId, m.memberId));
        }
        // a classic record left from before an online upgrade must not bring the group back at load
        records.add(GroupRecords.groupTombstone(nowMs, g.groupId));
        records.add(ConsumerGroupRecords.groupTombstone(nowMs, g.groupId));
        g.markDead();
        groups.remove(g.groupId);
    }

    @Override
    public boolean maybeDeleteUnusedGroup(Group group, long nowMs, List<SimpleRecord> records) {
        if (!((ConsumerGroup) group).members.isEmpty()) {
            return false;
        }
        deleteGroup(group, nowMs, records);
        return true;
    }

    /**
     * A classic JoinGroup for {@code g}'s id: an empty consumer group becomes a classic one (its
     * records deleted; its offsets stay); true if it did.
     */
    boolean convertToClassicIfEmpty(ConsumerGroup g) {
        if (!g.members.isEmpty()) {
            return false;
        }
        g.markDead();
        groups.remove(g.groupId);
        log.info("Group {}: empty consumer group converted to a classic group", g.groupId);
        write(List.of(ConsumerGroupRecords.groupTombstone(shard.now(), g.groupId)), null)
                .thenAccept(r -> {
                    if (r != null && r.errorCode() != Errors.NONE.code()) {
                        log.warn("Group {}: could not write the conversion: {}", g.groupId, r.errorMessage());
                    }
                });
        return true;
    }

    // ================================================================================================ helpers

    private CompletableFuture<ConsumerGroupHeartbeatResponseData> write(
            List<SimpleRecord> records, ConsumerGroupHeartbeatResponseData response) {
        if (records.isEmpty()) {
            return done(response);
        }
        return shard.append(records).handle((v, e) -> {
            if (e == null) {
                return response;
            }
            Errors err = CoordinatorShard.appendError(e, false);
            return error(err, "could not write the group's state: " + err.message());
        });
    }

    static ConsumerGroupHeartbeatResponseData error(Errors e, String message) {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(e.code()).setErrorMessage(message);
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
