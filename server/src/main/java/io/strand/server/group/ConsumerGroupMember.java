package io.strand.server.group;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;

/**
 * One member of a KIP-848 consumer group: what it subscribes to, how it identifies itself, where it
 * stands in reconciling ({@link #assignment}) and its partitions in the group's target assignment
 * ({@link #target}). The timers' bookkeeping ({@link #sessionDeadlineMs}, {@link #revocationDeadlineMs})
 * lives here too; the timers themselves are the manager's.
 *
 * <p>Not thread-safe: touched only on its shard's executor.
 */
final class ConsumerGroupMember implements SubscribedTopics.Subscriber {
    /** The epoch a static member leaves with (KIP-848): it keeps its assignment until its session ends. */
    static final int LEAVE_EPOCH = -1;

    static final int STATIC_LEAVE_EPOCH = -2;

    final String memberId;
    String instanceId;
    String rackId;
    String clientId;
    String clientHost;
    List<String> subscribedTopicNames = List.of();
    /** Null if none. */
    String subscribedTopicRegex;
    /** Null: the broker's default. */
    String serverAssignor;
    /**
     * Who sent the member's last heartbeat here (its principal decides what its regular expression
     * may match); null until it heartbeats to this coordinator (not stored in the log).
     */
    AuthorizableRequestContext requester;

    int rebalanceTimeoutMs;
    int sessionTimeoutMs;
    MemberAssignment assignment = MemberAssignment.NEW;
    Map<Uuid, Set<Integer>> target = TopicPartitions.EMPTY;
    /** True once a static member left with epoch -2: it holds its partitions for a successor. */
    boolean leftStatic;
    /** Set while the member speaks the classic protocol (JoinGroup/SyncGroup/Heartbeat); null otherwise. */
    Classic classic;
    /** A classic member told to rejoin must JoinGroup before this time; 0 = not told. */
    long classicJoinDeadlineMs;
    /** A classic member answered JoinGroup must SyncGroup before this time; 0 = nothing pending. */
    long classicSyncDeadlineMs;

    long sessionDeadlineMs;
    /** When the member must have revoked {@link MemberAssignment#pendingRevocation}; 0 if nothing is pending. */
    long revocationDeadlineMs;

    ConsumerGroupMember(String memberId) {
        this.memberId = memberId;
    }

    /**
     * What a member of the classic protocol keeps of its JoinGroup: its session timeout and the
     * protocols (assignors) it supports with their metadata, in its order of preference.
     */
    record Classic(int sessionTimeoutMs, List<GroupMember.Protocol> protocols) {
        Classic {
            protocols = List.copyOf(protocols);
        }

        /** The protocol the member prefers, which names the group's protocol in its JoinGroup answer. */
        GroupMember.Protocol preferred() {
            return protocols.get(0);
        }
    }

    boolean usesClassicProtocol() {
        return classic != null;
    }

    int memberEpoch() {
        return leftStatic ? STATIC_LEAVE_EPOCH : assignment.memberEpoch();
    }

    /** True if the member owns, or still has to revoke, partition {@code p} of {@code topic}. */
    boolean owns(Uuid topic, int p) {
        return TopicPartitions.contains(assignment.assigned(), topic, p)
                || TopicPartitions.contains(assignment.pendingRevocation(), topic, p);
    }

    @Override
    public List<String> topicNames() {
        return subscribedTopicNames;
    }

    @Override
    public String topicRegex() {
        return subscribedTopicRegex;
    }

    @Override
    public AuthorizableRequestContext requester() {
        return requester;
    }

    /** The subscription as the target assignment depends on it. */
    record Subscription(List<String> names, String regex, String assignor) {}

    Subscription subscription() {
        return new Subscription(subscribedTopicNames, subscribedTopicRegex, serverAssignor);
    }

    @Override
    public String toString() {
        return memberId + (instanceId != null ? " (" + instanceId + ")" : "") + (classic != null ? " classic" : "")
                + " epoch " + memberEpoch() + " " + assignment.state();
    }
}
