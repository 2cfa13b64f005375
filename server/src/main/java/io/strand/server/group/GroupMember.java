package io.strand.server.group;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * One member of a classic group. Not thread-safe: touched only on its shard's executor.
 */
final class GroupMember {
    /** A protocol the member supports (an assignor, for consumers) with its metadata (the subscription). */
    record Protocol(String name, byte[] metadata) {}

    final String memberId;
    final String groupInstanceId;
    final String clientId;
    final String clientHost;
    int rebalanceTimeoutMs;
    int sessionTimeoutMs;
    String protocolType;
    List<Protocol> protocols;
    byte[] assignment = new byte[0];

    /** The JoinGroup waiting for the rebalance to complete, if any. */
    CompletableFuture<JoinGroupResponseData> awaitingJoin;

    short joinVersion;
    /** The SyncGroup waiting for the leader's assignment, if any. */
    CompletableFuture<SyncGroupResponseData> awaitingSync;
    /** Joined during a rebalance and not yet answered: not kept alive by its pending JoinGroup. */
    boolean isNew;

    long heartbeatDeadlineMs;
    /** When the pending session-expiry timer fires; MAX_VALUE = none armed. */
    long expiryTimerAtMs = Long.MAX_VALUE;

    GroupMember(
            String memberId,
            String groupInstanceId,
            String clientId,
            String clientHost,
            int rebalanceTimeoutMs,
            int sessionTimeoutMs,
            String protocolType,
            List<Protocol> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocolType = protocolType;
        this.protocols = List.copyOf(protocols);
    }

    /** This member under a new member id (a static member rejoining replaces its old id). */
    GroupMember withMemberId(String newMemberId) {
        GroupMember m = new GroupMember(
                newMemberId,
                groupInstanceId,
                clientId,
                clientHost,
                rebalanceTimeoutMs,
                sessionTimeoutMs,
                protocolType,
                protocols);
        m.assignment = assignment;
        return m;
    }

    boolean isStatic() {
        return groupInstanceId != null;
    }

    boolean isAwaitingJoin() {
        return awaitingJoin != null;
    }

    boolean isAwaitingSync() {
        return awaitingSync != null;
    }

    /** Answers the member's waiting JoinGroup, if any, with {@code response}. */
    void completeJoin(JoinGroupResponseData response) {
        CompletableFuture<JoinGroupResponseData> f = awaitingJoin;
        if (f != null) {
            awaitingJoin = null;
            f.complete(response);
        }
    }

    /** Answers the member's waiting SyncGroup, if any, with {@code response}. */
    void completeSync(SyncGroupResponseData response) {
        CompletableFuture<SyncGroupResponseData> f = awaitingSync;
        if (f != null) {
            awaitingSync = null;
            f.complete(response);
        }
    }

    /** The member's metadata for {@code protocol}, or an empty array if it does not support it. */
    byte[] metadata(String protocol) {
        for (Protocol p : protocols) {
            if (p.name().equals(protocol)) {
                return p.metadata();
            }
        }
        return new byte[0];
    }

    /** True if {@code others} are exactly this member's protocols (names, order and metadata). */
    boolean matches(List<Protocol> others) {
        if (others.size() != protocols.size()) {
            return false;
        }
        for (int i = 0; i < others.size(); i++) {
            Protocol a = protocols.get(i);
            Protocol b = others.get(i);
            if (!a.name().equals(b.name()) || !Arrays.equals(a.metadata(), b.metadata())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "GroupMember{" + memberId + (groupInstanceId == null ? "" : ", instance=" + groupInstanceId)
                + ", client=" + clientId + "}";
    }
}
