package io.strand.server.group;

/**
 * The types of group a shard holds, with the names ListGroups uses. Only {@link #CLASSIC} exists
 * today; KIP-848 consumer groups ({@code "consumer"}) and share groups ({@code "share"}) would be
 * added here, each with its own {@link Group} implementation and manager (see {@link CoordinatorShard}).
 */
public enum GroupType {
    /** The JoinGroup / SyncGroup / Heartbeat / LeaveGroup protocol: {@link ClassicGroup}, {@link ClassicGroupManager}. */
    CLASSIC("classic");

    private final String kafkaName;

    GroupType(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    /** The name in ListGroups' {@code GroupType} field and types filter. */
    public String kafkaName() {
        return kafkaName;
    }
}
