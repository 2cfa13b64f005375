package io.strand.server.group;

import java.util.Locale;
import java.util.Optional;

/** The states of a classic group, with the names Kafka's DescribeGroups and ListGroups use. */
public enum GroupState {
    /** No members; the group may still hold committed offsets. */
    EMPTY("Empty"),
    /** Waiting for the members to (re)join. */
    PREPARING_REBALANCE("PreparingRebalance"),
    /** Joined; waiting for the leader's assignment in SyncGroup. */
    COMPLETING_REBALANCE("CompletingRebalance"),
    /** Every member has its assignment for the current generation. */
    STABLE("Stable"),
    /** Removed (deleted, expired, or its coordinator moved). */
    DEAD("Dead");

    private final String kafkaName;

    GroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    public String kafkaName() {
        return kafkaName;
    }

    /** The state named {@code name}, case-insensitively (ListGroups' state filter). */
    public static Optional<GroupState> parse(String name) {
        for (GroupState s : values()) {
            if (s.kafkaName.toLowerCase(Locale.ROOT).equals(name.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
