package io.strand.server.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every group of one shard by id, whatever its type: one id names at most one group, of one type.
 * The managers look their groups up here ({@link #classic} for {@link ClassicGroupManager}); a
 * {@code ConsumerGroupManager} would add a {@code consumer(id)} lookup, and a request of one
 * protocol for a group of another type would be refused here (Kafka answers a JoinGroup for a
 * consumer group's id with INCONSISTENT_GROUP_PROTOCOL, or converts the group).
 *
 * <p>Not thread-safe: touched only on its shard's executor.
 */
final class Groups {
    private final Map<String, Group> byId = new HashMap<>();

    Group get(String groupId) {
        return byId.get(groupId);
    }

    /** The classic group {@code groupId}, or null if there is none. */
    ClassicGroup classic(String groupId) {
        return byId.get(groupId) instanceof ClassicGroup g ? g : null;
    }

    /** The KIP-848 consumer group {@code groupId}, or null if there is none. */
    ConsumerGroup consumer(String groupId) {
        return byId.get(groupId) instanceof ConsumerGroup g ? g : null;
    }

    /** The share group {@code groupId}, or null if there is none. */
    ShareGroup share(String groupId) {
        return byId.get(groupId) instanceof ShareGroup g ? g : null;
    }

    /** The share groups, as a copy. */
    List<ShareGroup> allShare() {
        List<ShareGroup> out = new ArrayList<>();
        byId.values().forEach(g -> {
            if (g instanceof ShareGroup s) {
                out.add(s);
            }
        });
        return out;
    }

    /** The consumer groups, as a copy. */
    List<ConsumerGroup> allConsumer() {
        List<ConsumerGroup> out = new ArrayList<>();
        byId.values().forEach(g -> {
            if (g instanceof ConsumerGroup c) {
                out.add(c);
            }
        });
        return out;
    }

    void add(Group g) {
        byId.put(g.groupId(), g);
    }

    void remove(String groupId) {
        byId.remove(groupId);
    }

    /** True while {@code g} is the group this shard holds under its id (a timer or write may outlive it). */
    boolean isCurrent(Group g) {
        return byId.get(g.groupId()) == g;
    }

    /** A copy, safe to iterate while groups are removed. */
    List<Group> all() {
        return new ArrayList<>(byId.values());
    }

    /** The classic groups, as a copy. */
    List<ClassicGroup> allClassic() {
        List<ClassicGroup> out = new ArrayList<>();
        byId.values().forEach(g -> {
            if (g instanceof ClassicGroup c) {
                out.add(c);
            }
        });
        return out;
    }

    int size() {
        return byId.size();
    }

    void clear() {
        byId.clear();
    }
}
