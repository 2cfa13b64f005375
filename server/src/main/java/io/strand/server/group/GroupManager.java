package io.strand.server.group;

import java.util.List;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * What {@link CoordinatorShard} asks of the manager of one group type whatever the type: today
 * {@link ClassicGroupManager}; a KIP-848 {@code ConsumerGroupManager} would implement it too (and
 * {@link CoordinatorShard#managerOf} would map {@link GroupType} {@code CONSUMER} to it).
 *
 * <p>Called only on the shard's executor.
 */
interface GroupManager {
    /**
     * Deletes {@code group} (DeleteGroups; {@link Group#validateDeleteGroup} has passed, its offsets'
     * tombstones are in {@code records} already): adds its own tombstones to {@code records}, marks it
     * dead and removes it from the shard.
     */
    void deleteGroup(Group group, long nowMs, List<SimpleRecord> records);

    /**
     * Retention: deletes {@code group}, which has no committed offsets left, if its type considers it
     * unused (a classic group: Empty, no member id handed out); true if it did.
     */
    boolean maybeDeleteUnusedGroup(Group group, long nowMs, List<SimpleRecord> records);

    /** The shard is unloading: answers every waiting request NOT_COORDINATOR and marks the groups dead. */
    void unload();
}
