package io.strand.server.group;

/**
 * The types of group a shard holds, with the names ListGroups uses; each has its own {@link Group}
 * implementation and manager (see {@link CoordinatorShard}).
 */
public enum GroupType {
    /** The JoinGroup / SyncGroup / Heartbeat / LeaveGroup protocol: {@link ClassicGroup}, {@link ClassicGroupManager}. */
    CLASSIC("classic"),
    /** KIP-848: ConsumerGroupHeartbeat with server-side assignment: {@link ConsumerGroup}, {@link ConsumerGroupManager}. */
    CONSUMER("consumer"),
    /** KIP-932: ShareGroupHeartbeat; the records' delivery is the partitions' ({@link ShareGroup}, {@link ShareGroupManager}). */
    SHARE("share");

    private final String kafkaName;

    GroupType(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    /** The name in ListGroups' {@code GroupType} field and types filter. */
    public String kafkaName() {
        return kafkaName;
    }
}
