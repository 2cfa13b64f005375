package io.strand.server.group;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * While a shard loads: the newest record of each group of one type and of each of its members, so
 * that the manager builds its groups once the whole partition is read (later records win, tombstones
 * delete; a group tombstone deletes its members too).
 *
 * <p>Not thread-safe: used on the shard's executor during the load.
 *
 * @param <G> the group record's value
 * @param <M> a member record's value
 */
final class LoadedGroupRecords<G, M> {
    /** What the manager does with one loaded group. */
    @FunctionalInterface
    interface Restorer<G, M> {
        void restore(String groupId, G group, Map<String, M> members);
    }

    private final Map<String, G> groups = new LinkedHashMap<>();
    private final Map<String, Map<String, M>> members = new HashMap<>();

    /** A loaded group record; null = a tombstone (the group and its members were deleted). */
    void replayGroup(String groupId, G value) {
        if (value != null) {
            groups.put(groupId, value);
        } else {
            forget(groupId);
        }
    }

    /** A loaded member record; null = a tombstone. */
    void replayMember(String groupId, String memberId, M value) {
        if (value != null) {
            members.computeIfAbsent(groupId, k -> new LinkedHashMap<>()).put(memberId, value);
        } else {
            Map<String, M> m = members.get(groupId);
            if (m != null) {
                m.remove(memberId);
            }
        }
    }

    /** Drops what was loaded of {@code groupId} (a later record gave the id to a group of another type). */
    void forget(String groupId) {
        groups.remove(groupId);
        members.remove(groupId);
    }

    /** Hands every loaded group with its members to {@code restorer}, in load order, then forgets them all. */
    void restoreAll(Restorer<G, M> restorer) {
        groups.forEach((id, g) -> restorer.restore(id, g, members.getOrDefault(id, Map.of())));
        groups.clear();
        members.clear();
    }
}
