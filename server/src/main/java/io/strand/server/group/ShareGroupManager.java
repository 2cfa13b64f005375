package io.strand.server.group;

import io.strand.server.group.assignor.Assignors;
import io.strand.server.group.assignor.MemberSpec;
import io.strand.server.group.assignor.TopicInfo;
import io.strand.server.group.proto.ShareGroupValue;
import io.strand.server.group.proto.ShareMemberValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership of the KIP-932 share groups of one shard (Kafka's share-group part of
 * {@code GroupMetadataManager}): ShareGroupHeartbeat — joining, leaving, the member epoch checks —,
 * the group epoch and the assignment by the simple share assignor (a partition may go to several
 * members), session timeouts, ShareGroupDescribe, and the groups' records in
 * {@code __consumer_offsets} ({@link ShareGroupRecords}). A member gets its new partitions at its next
 * heartbeat, without a revocation round: the partitions' leaders hand out each record to one member at
 * a time, whoever reads it.
 *
 * <p>Threading: called only on the shard's executor; futures it returns complete there too. No locks.
 */
final class ShareGroupManager implements GroupManager {
    private static final Logger log = LoggerFactory.getLogger(ShareGroupManager.class);
    private static final String ASSIGNOR_NAME = "simple";

    /** A ShareGroupHeartbeat as the coordinator needs it; a null subscription is "unchanged". */
    record HeartbeatRequest(
            String groupId,
            String memberId,
            int memberEpoch,
            String rackId,
            List<String> subscribedTopicNames,
            String clientId,
            String clientHost) {}

    private final CoordinatorShard shard;
    private final Groups groups;
    private final ShareGroupConfig config;
    private final SubscribedTopics subscriptions;
    private final LoadedGroupRecords<ShareGroupValue, ShareMemberValue> loaded = new LoadedGroupRecords<>();
    /** Per group: the target partitions of every member at the group's assignment epoch (recomputed after a load). */
    private final Map<ShareGroup, Map<String, Map<Uuid, Set<Integer>>>> targets = new HashMap<>();

    ShareGroupManager(CoordinatorShard shard, SubscribedTopics subscriptions) {
        this.shard = shard;
        this.groups = shard.groups;
        this.config = shard.config.share();
        this.subscriptions = subscriptions;
    }

    // ============================================================================================ load / unload

    void replayGroup(String groupId, ShareGroupValue value) {
        loaded.replayGroup(groupId, value);
    }

    void replayMember(String groupId, String memberId, ShareMemberValue value) {
        loaded.replayMember(groupId, memberId, value);
    }

    void completeLoad() {
        long now = shard.now();
        loaded.restoreAll((id, v, members) -> {
            ShareGroup g = ShareGroupRecords.restoreGroup(id, v);
            members.forEach((memberId, mv) -> g.members.put(memberId, ShareGroupRecords.restoreMember(memberId, mv)));
            groups.add(g);
            g.members.values().forEach(m -> startSession(g, m, now));
        });
    }

    @Override
    public void unload() {
        groups.allShare().forEach(ShareGroup::markDead);
        targets.clear();
    }

    // ============================================================================================== heartbeat

    CompletableFuture<ShareGroupHeartbeatResponseData> heartbeat(HeartbeatRequest r) {
        long now = shard.now();
        List<SimpleRecord> records = new ArrayList<>();
        ShareGroup group = groups.share(r.groupId());
        if (group == null) {
            if (groups.get(r.groupId()) != null) {
                return done(error(Errors.GROUP_ID_NOT_FOUND, "Group " + r.groupId() + " is not a share group."));
            }
            if (r.memberEpoch() != 0) {
                return done(error(Errors.UNKNOWN_MEMBER_ID, "unknown member " + r.memberId()));
            }
            group = new ShareGroup(r.groupId(), now);
            groups.add(group);
        }
        ShareGroupMember m = group.members.get(r.memberId());
        if (r.memberEpoch() == ConsumerGroupMember.LEAVE_EPOCH) {
            if (m == null) {
                return done(error(Errors.UNKNOWN_MEMBER_ID, "member " + r.memberId() + " is not in " + r.groupId()));
            }
            remove(group, m, now, records, "left the group");
            return write(
                    records,
                    new ShareGroupHeartbeatResponseData()
                            .setMemberId(m.memberId)
                            .setMemberEpoch(r.memberEpoch()));
        }
        boolean bump = false;
        if (m == null) {
            if (r.memberEpoch() != 0) {
                return done(error(Errors.UNKNOWN_MEMBER_ID, "unknown member " + r.memberId()));
            }
            if (group.members.size() >= config.maxSize()) {
                return done(error(
                        Errors.GROUP_MAX_SIZE_REACHED,
                        "group " + r.groupId() + " has reached group.share.max.size (" + config.maxSize() + ")"));
            }
            m = new ShareGroupMember(r.memberId());
            group.members.put(m.memberId, m);
            bump = true;
        } else if (r.memberEpoch() == 0) {
            m.memberEpoch = 0; // joining again: it gets its partitions anew
        } else if (r.memberEpoch() != m.memberEpoch
                && (r.memberEpoch() > m.memberEpoch || r.memberEpoch() != m.previousMemberEpoch)) {
            return done(error(
                    Errors.FENCED_MEMBER_EPOCH,
                    "member " + m.memberId + " sent epoch " + r.memberEpoch() + ", its epoch is " + m.memberEpoch));
        }
        if (r.rackId() != null) {
            m.rackId = r.rackId();
        }
        m.clientId = r.clientId();
        m.clientHost = r.clientHost();
        if (r.subscribedTopicNames() != null && !r.subscribedTopicNames().equals(m.subscribedTopicNames)) {
            m.subscribedTopicNames = List.copyOf(r.subscribedTopicNames());
            bump = true;
        }
        Map<String, TopicInfo> subscribed = subscriptions.resolve(group.members.values());
        if (!subscribed.equals(group.subscribedTopics)) {
            group.subscribedTopics = Map.copyOf(subscribed);
            group.readTopics.addAll(subscribed.keySet());
            bump = true;
        }
        if (bump) {
            group.groupEpoch++;
            records.add(ShareGroupRecords.groupRecord(now, group));
            log.info("Share group {}: epoch {} ({} members)", group.groupId, group.groupEpoch, group.members.size());
        }
        Map<String, Map<Uuid, Set<Integer>>> target = targets.get(group);
        if (group.assignmentEpoch < group.groupEpoch || target == null) {
            target = computeAssignment(group);
            if (group.assignmentEpoch < group.groupEpoch) {
                group.assignmentEpoch = group.groupEpoch;
                records.add(ShareGroupRecords.groupRecord(now, group));
            }
        }
        Map<Uuid, Set<Integer>> before = m.assigned;
        boolean moved = m.memberEpoch != group.assignmentEpoch;
        if (moved) {
            m.previousMemberEpoch = m.memberEpoch;
            m.memberEpoch = group.assignmentEpoch;
            m.assigned = target.getOrDefault(m.memberId, TopicPartitions.EMPTY);
            records.add(ShareGroupRecords.memberRecord(now, group.groupId, m));
        }
        startSession(group, m, now);
        ShareGroupHeartbeatResponseData response = new ShareGroupHeartbeatResponseData()
                .setMemberId(m.memberId)
                .setMemberEpoch(m.memberEpoch)
                .setHeartbeatIntervalMs(config.heartbeatIntervalMs());
        if (r.memberEpoch() == 0 || r.subscribedTopicNames() != null || !before.equals(m.assigned)) {
            List<ShareGroupHeartbeatResponseData.TopicPartitions> tps = new ArrayList<>();
            m.assigned.forEach((id, ps) -> tps.add(new ShareGroupHeartbeatResponseData.TopicPartitions()
                    .setTopicId(id)
                    .setPartitions(new ArrayList<>(ps))));
            response.setAssignment(new ShareGroupHeartbeatResponseData.Assignment().setTopicPartitions(tps));
        }
        return write(records, response);
    }

    /** Every member's partitions at the group's epoch, by the simple share assignor, sticky on what they read. */
    private Map<String, Map<Uuid, Set<Integer>>> computeAssignment(ShareGroup g) {
        Map<Uuid, TopicInfo> topics = new HashMap<>();
        g.subscribedTopics.values().forEach(t -> topics.put(t.id(), t));
        Map<String, MemberSpec> specs = new LinkedHashMap<>();
        for (ShareGroupMember m : g.members.values()) {
            Set<Uuid> ids = new HashSet<>();
            subscriptions.of(m, g.subscribedTopics).values().forEach(t -> ids.add(t.id()));
            specs.put(m.memberId, new MemberSpec(m.memberId, null, m.rackId, ids, m.assigned));
        }
        Map<String, Map<Uuid, Set<Integer>>> out = new HashMap<>();
        Assignors.share().assign(specs, topics).forEach((id, a) -> out.put(id, TopicPartitions.copyOf(a)));
        targets.put(g, out);
        return out;
    }

    private void remove(ShareGroup g, ShareGroupMember m, long now, List<SimpleRecord> records, String why) {
        g.members.remove(m.memberId);
        g.groupEpoch++;
        g.subscribedTopics = Map.copyOf(subscriptions.resolve(g.members.values()));
        records.add(ShareGroupRecords.memberTombstone(now, g.groupId, m.memberId));
        records.add(ShareGroupRecords.groupRecord(now, g));
        log.info(
                "Share group {}: member {} {}; epoch {}, {} members",
                g.groupId,
                m,
                why,
                g.groupEpoch,
                g.members.size());
    }

    private void startSession(ShareGroup g, ShareGroupMember m, long now) {
        boolean armed = m.sessionDeadlineMs > now;
        m.sessionDeadlineMs = now + config.sessionTimeoutMs();
        if (!armed) {
            shard.schedule(config.sessionTimeoutMs(), () -> onSessionTimer(g, m));
        }
    }

    private void onSessionTimer(ShareGroup g, ShareGroupMember m) {
        if (!groups.isCurrent(g) || g.members.get(m.memberId) != m) {
            return;
        }
        long now = shard.now();
        if (now < m.sessionDeadlineMs) {
            shard.schedule(m.sessionDeadlineMs - now, () -> onSessionTimer(g, m));
            return;
        }
        m.sessionDeadlineMs = 0;
        List<SimpleRecord> records = new ArrayList<>();
        remove(g, m, now, records, "missed its session timeout (" + config.sessionTimeoutMs() + " ms)");
        write(records, null);
    }

    // ============================================================================================== describe

    ShareGroupDescribeResponseData.DescribedGroup describe(String groupId, Function<Uuid, String> topicNames) {
        ShareGroup g = groups.share(groupId);
        if (g == null) {
            return new ShareGroupDescribeResponseData.DescribedGroup()
                    .setGroupId(groupId)
                    .setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                    .setErrorMessage(
                            groups.get(groupId) == null
                                    ? "Group " + groupId + " not found."
                                    : "Group " + groupId + " is not a share group.");
        }
        ShareGroupDescribeResponseData.DescribedGroup d = new ShareGroupDescribeResponseData.DescribedGroup()
                .setGroupId(groupId)
                .setGroupState(g.stateName())
                .setGroupEpoch(g.groupEpoch)
                .setAssignmentEpoch(g.assignmentEpoch)
                .setAssignorName(ASSIGNOR_NAME);
        Map<Uuid, String> names = new HashMap<>();
        g.subscribedTopics.values().forEach(t -> names.put(t.id(), t.name()));
        for (ShareGroupMember m : g.members.values()) {
            List<ShareGroupDescribeResponseData.TopicPartitions> tps = new ArrayList<>();
            m.assigned.forEach((id, ps) -> {
                String name = names.containsKey(id) ? names.get(id) : topicNames.apply(id);
                tps.add(new ShareGroupDescribeResponseData.TopicPartitions()
                        .setTopicId(id)
                        .setTopicName(name == null ? "" : name)
                        .setPartitions(new ArrayList<>(ps)));
            });
            d.members()
                    .add(new ShareGroupDescribeResponseData.Member()
                            .setMemberId(m.memberId)
                            .setRackId(m.rackId)
                            .setMemberEpoch(m.memberEpoch)
                            .setClientId(m.clientId == null ? "" : m.clientId)
                            .setClientHost(m.clientHost == null ? "" : m.clientHost)
                            .setSubscribedTopicNames(new ArrayList<>(m.subscribedTopicNames))
                            .setAssignment(new ShareGroupDescribeResponseData.Assignment().setTopicPartitions(tps)));
        }
        return d;
    }

    /** NONE if {@code groupId} is a share group without members (AlterShareGroupOffsets may reset it). */
    Errors checkEmpty(String groupId) {
        ShareGroup g = groups.share(groupId);
        if (g == null) {
            return groups.get(groupId) == null ? Errors.NONE : Errors.GROUP_ID_NOT_FOUND;
        }
        return g.members.isEmpty() ? Errors.NONE : Errors.NON_EMPTY_GROUP;
    }

    // ================================================================================ what the shard asks

    @Override
    public void deleteGroup(Group group, long nowMs, List<SimpleRecord> records) {
        ShareGroup g = (ShareGroup) group;
        for (ShareGroupMember m : g.members.values()) {
            records.add(ShareGroupRecords.memberTombstone(nowMs, g.groupId, m.memberId));
        }
        records.add(ShareGroupRecords.groupTombstone(nowMs, g.groupId));
        g.markDead();
        targets.remove(g);
        groups.remove(g.groupId);
    }

    @Override
    public boolean maybeDeleteUnusedGroup(Group group, long nowMs, List<SimpleRecord> records) {
        return false; // a share group's start offsets live on in __share_group_state; only DeleteGroups removes it
    }

    private CompletableFuture<ShareGroupHeartbeatResponseData> write(
            List<SimpleRecord> records, ShareGroupHeartbeatResponseData response) {
        if (records.isEmpty()) {
            return done(response);
        }
        return shard.append(records).handle((v, e) -> {
            if (e == null) {
                return response;
            }
            Errors err = CoordinatorShard.appendError(e, false);
            if (response == null) {
                log.warn("Share group: could not write a member's removal: {}", err);
                return null;
            }
            return error(err, "could not write the group's state: " + err.message());
        });
    }

    static ShareGroupHeartbeatResponseData error(Errors e, String message) {
        return new ShareGroupHeartbeatResponseData().setErrorCode(e.code()).setErrorMessage(message);
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
