package io.strand.server.group;

import io.strand.server.group.GroupCoordinator.DeleteOffsetsResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The committed offsets of one shard's groups, of every group type (Kafka's
 * {@code OffsetMetadataManager}): OffsetCommit, OffsetFetch, OffsetDelete and retention (KIP-211),
 * and the replay of offset records ({@code GroupRecordKey.offset}) while the shard loads. Whether a
 * group allows a commit, a delete or an expiry is the group's rule ({@link Group}); this class keeps
 * the offsets and writes them. An offset is held here only once every in-sync replica has its
 * record, and only for a group the shard holds (deleting a group deletes its offsets).
 *
 * <p>Transactional offset commits (TxnOffsetCommit) land here too, as in Kafka: {@link
 * #commitTransactionalOffsets} writes them in a transactional batch of the producer and keeps them in
 * {@link PendingTransactionalOffsets} (so does {@link #replayTransactional} while loading); {@link
 * #completeTransaction}, called when the transaction's marker is written here (and by the load for a
 * control batch), makes them committed offsets (commit) or drops them (abort); {@link #unstable}
 * names the partitions with a pending offset, which an OffsetFetch requiring stable offsets (KIP-447)
 * answers UNSTABLE_OFFSET_COMMIT; deleting a group drops its pending offsets too.
 *
 * <p>Threading: called only on the shard's executor; futures it returns complete there too. No locks.
 */
final class OffsetManager {
    private static final Logger log = LoggerFactory.getLogger(OffsetManager.class);

    /** An OffsetCommit as the coordinator needs it. */
    record CommitRequest(
            String groupId,
            String memberId,
            String groupInstanceId,
            int generationId,
            long retentionMs,
            Map<TopicPartition, CommittedOffset> offsets,
            short version) {}

    private final CoordinatorShard shard;
    private final Groups groups;
    private final ClassicGroupManager classicGroups;
    private final GroupConfig config;
    /** Group id -> partition -> its committed offset. */
    private final Map<String, Map<TopicPartition, CommittedOffset>> offsets = new HashMap<>();

    private final PendingTransactionalOffsets pending = new PendingTransactionalOffsets();

    /** A TxnOffsetCommit as the coordinator needs it. */
    record TxnCommitRequest(
            String groupId,
            long producerId,
            short producerEpoch,
            String memberId,
            String groupInstanceId,
            int generationId,
            Map<TopicPartition, CommittedOffset> offsets) {}

    OffsetManager(CoordinatorShard shard, ClassicGroupManager classicGroups) {
        this.shard = shard;
        this.groups = shard.groups;
        this.classicGroups = classicGroups;
        this.config = shard.config;
    }

    // ================================================================================================= load

    /** A loaded offset record; null = a tombstone. */
    void replay(String groupId, TopicPartition tp, CommittedOffset value) {
        if (value != null) {
            offsetsOf(groupId).put(tp, value);
        } else {
            Map<TopicPartition, CommittedOffset> m = offsets.get(groupId);
            if (m != null) {
                m.remove(tp);
            }
        }
    }

    /** A loaded group tombstone: the group's offsets loaded so far go with it. */
    void replayGroupTombstone(String groupId) {
        offsets.remove(groupId);
        pending.removeGroup(groupId);
    }

    /** A loaded offset record of a producer's transaction: pending until its marker. */
    void replayTransactional(long producerId, String groupId, TopicPartition tp, CommittedOffset value) {
        pending.replay(producerId, groupId, tp, value);
    }

    /** A loaded transaction marker of {@code producerId}. */
    void replayEndTransaction(long producerId, boolean commit) {
        completeTransaction(producerId, commit);
    }

    /** The groups that have (or, while loading, had) offsets here. */
    Set<String> groupIds() {
        return Set.copyOf(offsets.keySet());
    }

    void clear() {
        offsets.clear();
        pending.clear();
    }

    // =============================================================================================== commit

    /** OffsetCommit: an error per partition, NONE for those every in-sync replica now has. */
    CompletableFuture<Map<TopicPartition, Errors>> commitOffsets(CommitRequest r) {
        Group group = groups.get(r.groupId());
        if (group == null) {
            if (r.generationId() >= 0) {
                return done(allErrors(
                        r.offsets().keySet(),
                        r.version() >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION));
            }
            group = classicGroups.getOrCreate(r.groupId()); // a group for standalone (assign()) commits
        }
        Errors invalid = group.validateOffsetCommit(r.memberId(), r.groupInstanceId(), r.generationId());
        if (invalid != Errors.NONE) {
            return done(allErrors(r.offsets().keySet(), invalid));
        }
        if (group instanceof ClassicGroup classic) {
            classicGroups.onOffsetCommit(classic, r.memberId());
        }
        Map<TopicPartition, Errors> result = new LinkedHashMap<>();
        Map<TopicPartition, CommittedOffset> accepted = new LinkedHashMap<>();
        long now = shard.now();
        List<SimpleRecord> records = new ArrayList<>();
        for (Map.Entry<TopicPartition, CommittedOffset> e : r.offsets().entrySet()) {
            CommittedOffset o = e.getValue();
            if (o.metadata() != null && o.metadata().length() > config.metadataMaxBytes()) {
                result.put(e.getKey(), Errors.OFFSET_METADATA_TOO_LARGE);
                continue;
            }
            CommittedOffset stamped = new CommittedOffset(
                    o.offset(), o.leaderEpoch(), o.metadata(), now, r.retentionMs() > 0 ? now + r.retentionMs() : -1);
            accepted.put(e.getKey(), stamped);
            records.add(GroupRecords.offsetRecord(now, r.groupId(), e.getKey(), stamped));
            result.put(e.getKey(), Errors.NONE);
        }
        if (records.isEmpty()) {
            return done(result);
        }
        Group g = group;
        return shard.append(records).handle((v, e) -> {
            if (e != null) {
                Errors error = CoordinatorShard.appendError(e, true);
                log.info("Group {}: offset commit failed with {}", g.groupId(), error);
                accepted.keySet().forEach(tp -> result.put(tp, error));
            } else if (groups.isCurrent(g) && !g.isDead()) {
                offsetsOf(g.groupId()).putAll(accepted);
            }
            return result;
        });
    }

    /**
     * TxnOffsetCommit: writes the offsets in a transactional batch of the producer; they become the
     * group's committed offsets only when the transaction commits ({@link #completeTransaction}).
     */
    CompletableFuture<Map<TopicPartition, Errors>> commitTransactionalOffsets(TxnCommitRequest r) {
        Group group = groups.get(r.groupId());
        if (group == null) {
            if (r.generationId() >= 0) {
                return done(allErrors(r.offsets().keySet(), Errors.ILLEGAL_GENERATION));
            }
            group = classicGroups.getOrCreate(r.groupId());
        }
        if (r.generationId() >= 0 || !r.memberId().isEmpty()) {
            Errors invalid = group.validateOffsetCommit(r.memberId(), r.groupInstanceId(), r.generationId());
            if (invalid != Errors.NONE) {
                return done(allErrors(r.offsets().keySet(), invalid));
            }
        }
        Map<TopicPartition, Errors> result = new LinkedHashMap<>();
        Map<TopicPartition, CommittedOffset> accepted = new LinkedHashMap<>();
        long now = shard.now();
        List<SimpleRecord> records = new ArrayList<>();
        for (Map.Entry<TopicPartition, CommittedOffset> e : r.offsets().entrySet()) {
            CommittedOffset o = e.getValue();
            if (o.metadata() != null && o.metadata().length() > config.metadataMaxBytes()) {
                result.put(e.getKey(), Errors.OFFSET_METADATA_TOO_LARGE);
                continue;
            }
            CommittedOffset stamped = new CommittedOffset(o.offset(), o.leaderEpoch(), o.metadata(), now, -1);
            accepted.put(e.getKey(), stamped);
            records.add(GroupRecords.offsetRecord(now, r.groupId(), e.getKey(), stamped));
            result.put(e.getKey(), Errors.NONE);
        }
        if (records.isEmpty()) {
            return done(result);
        }
        return shard.append(GroupRecords.transactionalBatch(records, r.producerId(), r.producerEpoch()))
                .handle((v, e) -> {
                    if (e != null) {
                        Errors error = CoordinatorShard.appendError(e, true);
                        log.info("Group {}: transactional offset commit failed with {}", r.groupId(), error);
                        accepted.keySet().forEach(tp -> result.put(tp, error));
                    } else {
                        pending.add(r.producerId(), r.groupId(), accepted);
                    }
                    return result;
                });
    }

    /** The transaction of {@code producerId} ended with a marker here: its pending offsets are committed or dropped. */
    void completeTransaction(long producerId, boolean commit) {
        Map<String, Map<TopicPartition, CommittedOffset>> decided = pending.take(producerId);
        if (!commit) {
            return;
        }
        decided.forEach((groupId, committed) -> {
            Group g = groups.get(groupId);
            if (g == null && shard.loading()) {
                offsetsOf(groupId).putAll(committed); // the group record may follow in the log
            } else if (g != null && !g.isDead()) {
                offsetsOf(groupId).putAll(committed);
            }
        });
    }

    /** The partitions of {@code groupId} with an offset pending in an open transaction (KIP-447). */
    Set<TopicPartition> unstable(String groupId) {
        return pending.pendingPartitions(groupId);
    }

    private static Map<TopicPartition, Errors> allErrors(Collection<TopicPartition> tps, Errors e) {
        Map<TopicPartition, Errors> out = new LinkedHashMap<>();
        tps.forEach(tp -> out.put(tp, e));
        return out;
    }

    // ================================================================================================ fetch

    /**
     * The committed offsets of {@code partitions} (null = every partition with one, by topic and
     * partition). A partition without one maps to null.
     */
    Map<TopicPartition, CommittedOffset> fetchOffsets(String groupId, List<TopicPartition> partitions) {
        Map<TopicPartition, CommittedOffset> committed = offsets.getOrDefault(groupId, Map.of());
        Map<TopicPartition, CommittedOffset> out = new LinkedHashMap<>();
        if (partitions == null) {
            committed.entrySet().stream()
                    .sorted((a, b) -> a.getKey().topic().equals(b.getKey().topic())
                            ? Integer.compare(a.getKey().partition(), b.getKey().partition())
                            : a.getKey().topic().compareTo(b.getKey().topic()))
                    .forEach(e -> out.put(e.getKey(), e.getValue()));
            return out;
        }
        for (TopicPartition p : partitions) {
            out.put(p, committed.get(p));
        }
        return out;
    }

    // =============================================================================================== delete

    /** OffsetDelete: GROUP_SUBSCRIBED_TO_TOPIC for a partition of a topic the group consumes. */
    CompletableFuture<DeleteOffsetsResult> deleteOffsets(String groupId, List<TopicPartition> partitions) {
        Group group = groups.get(groupId);
        if (group == null) {
            return done(new DeleteOffsetsResult(Errors.GROUP_ID_NOT_FOUND, Map.of()));
        }
        Errors invalid = group.validateOffsetDelete();
        if (invalid != Errors.NONE) {
            return done(new DeleteOffsetsResult(invalid, Map.of()));
        }
        Set<String> subscribed = group.subscribedTopics().orElse(Set.of());
        Map<TopicPartition, CommittedOffset> committed = offsets.getOrDefault(groupId, Map.of());
        Map<TopicPartition, Errors> result = new LinkedHashMap<>();
        List<TopicPartition> deleting = new ArrayList<>();
        List<SimpleRecord> records = new ArrayList<>();
        long now = shard.now();
        for (TopicPartition p : partitions) {
            if (subscribed.contains(p.topic())) {
                result.put(p, Errors.GROUP_SUBSCRIBED_TO_TOPIC);
            } else {
                result.put(p, Errors.NONE);
                if (committed.containsKey(p)) {
                    deleting.add(p);
                    records.add(GroupRecords.offsetTombstone(now, groupId, p));
                }
            }
        }
        if (records.isEmpty()) {
            return done(new DeleteOffsetsResult(Errors.NONE, result));
        }
        return shard.append(records).handle((v, e) -> {
            if (e != null) {
                return new DeleteOffsetsResult(CoordinatorShard.appendError(e, false), Map.of());
            }
            Map<TopicPartition, CommittedOffset> current = offsets.get(groupId);
            if (groups.isCurrent(group) && current != null) {
                deleting.forEach(current::remove);
            }
            return new DeleteOffsetsResult(Errors.NONE, result);
        });
    }

    /**
     * Removes every offset of {@code groupId}, adding a tombstone for each to {@code records}; the
     * group itself is being deleted. Returns how many there were.
     */
    int deleteAllOffsets(String groupId, long nowMs, List<SimpleRecord> records) {
        pending.removeGroup(groupId);
        Map<TopicPartition, CommittedOffset> removed = offsets.remove(groupId);
        if (removed == null) {
            return 0;
        }
        removed.keySet().forEach(p -> records.add(GroupRecords.offsetTombstone(nowMs, groupId, p)));
        return removed.size();
    }

    // =============================================================================================== expiry

    /** Removes the offsets of {@code group} past their retention, adding their tombstones; returns how many. */
    int expireOffsets(Group group, long nowMs, List<SimpleRecord> tombstones) {
        Map<TopicPartition, CommittedOffset> committed = offsets.get(group.groupId());
        if (committed == null || committed.isEmpty()) {
            return 0;
        }
        List<TopicPartition> expired = expiredOffsets(group, committed, nowMs, config.offsetsRetentionMs());
        for (TopicPartition p : expired) {
            committed.remove(p);
            tombstones.add(GroupRecords.offsetTombstone(nowMs, group.groupId(), p));
        }
        return expired.size();
    }

    /** The offsets of {@code committed} that retention removes from {@code group} at {@code nowMs}. */
    static List<TopicPartition> expiredOffsets(
            Group group, Map<TopicPartition, CommittedOffset> committed, long nowMs, long retentionMs) {
        Optional<Group.OffsetExpiry> expiry = group.offsetExpiry();
        List<TopicPartition> out = new ArrayList<>();
        if (expiry.isPresent()) {
            committed.forEach((tp, o) -> {
                if (expiry.get().isExpired(tp.topic(), o, nowMs, retentionMs)) {
                    out.add(tp);
                }
            });
        }
        return out;
    }

    boolean hasOffsets(String groupId) {
        Map<TopicPartition, CommittedOffset> committed = offsets.get(groupId);
        return committed != null && !committed.isEmpty();
    }

    private Map<TopicPartition, CommittedOffset> offsetsOf(String groupId) {
        return offsets.computeIfAbsent(groupId, g -> new HashMap<>());
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
