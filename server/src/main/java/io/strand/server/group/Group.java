package io.strand.server.group;

import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.protocol.Errors;

/**
 * A group of any type, as the parts of a shard that are not about membership see it: listing,
 * deletion and the offset rules ({@link OffsetManager} asks the group whether a commit, an
 * OffsetDelete or retention may touch its offsets). Membership itself is the business of the
 * group type's manager ({@link ClassicGroupManager} for {@link ClassicGroup}).
 *
 * <p>A second group type (KIP-848 {@code ConsumerGroup}, later {@code ShareGroup}) implements this
 * interface, is added to {@code permits} and to {@link GroupType}, and gets its own manager; the
 * compiler then points at every {@code switch} over {@link GroupType} that must learn it.
 *
 * <p>Not thread-safe: implementations are touched only on their shard's executor.
 */
sealed interface Group permits ClassicGroup, ConsumerGroup, ShareGroup {
    String groupId();

    GroupType type();

    /** True once the group has been removed (deleted, expired, or its shard unloaded). */
    boolean isDead();

    /** The group's summary for ListGroups. */
    GroupCoordinator.Listed listing();

    /**
     * NONE if an OffsetCommit by {@code memberId} at {@code generationId} may commit now
     * (generation -1: a standalone commit, without membership), else the error for every partition.
     */
    Errors validateOffsetCommit(String memberId, String groupInstanceId, int generationId);

    /** NONE if OffsetDelete may remove offsets of this group now, subject to {@link #subscribedTopics}. */
    Errors validateOffsetDelete();

    /** NONE if DeleteGroups may delete this group (and its offsets) now. */
    Errors validateDeleteGroup();

    /** The topics the members consume, if the group knows them; empty if it cannot tell. */
    Optional<Set<String>> subscribedTopics();

    /** How retention applies to this group's offsets now (KIP-211); empty if none of them may expire now. */
    Optional<OffsetExpiry> offsetExpiry();

    /**
     * Which offsets of a group retention may remove, and from when their retention counts.
     *
     * @param appliesToTopic true for the topics whose offsets may expire
     * @param baseTimestampMs the time from which an offset's retention counts
     */
    record OffsetExpiry(Predicate<String> appliesToTopic, ToLongFunction<CommittedOffset> baseTimestampMs) {
        /**
         * True if {@code offset} of {@code topic} has expired at {@code nowMs}: its own expiry time
         * when the commit set one (OffsetCommit v2-4), else {@code retentionMs} after its base time.
         */
        boolean isExpired(String topic, CommittedOffset offset, long nowMs, long retentionMs) {
            if (!appliesToTopic.test(topic)) {
                return false;
            }
            if (offset.expireTimestampMs() >= 0) {
                return nowMs >= offset.expireTimestampMs();
            }
            return nowMs - baseTimestampMs.applyAsLong(offset) >= retentionMs;
        }
    }
}
