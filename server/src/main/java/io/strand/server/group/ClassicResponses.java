package io.strand.server.group;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/** The JoinGroup and SyncGroup answers of a classic group. Stateless. */
final class ClassicResponses {
    private ClassicResponses() {}

    /** A successful JoinGroup answer for {@code m}; the leader ({@code withMembers}) also gets every member's metadata. */
    static JoinGroupResponseData joinResponse(ClassicGroup g, GroupMember m, boolean withMembers) {
        JoinGroupResponseData r = new JoinGroupResponseData()
                .setErrorCode(Errors.NONE.code())
                .setGenerationId(g.generationId)
                .setProtocolType(g.protocolType)
                .setProtocolName(g.protocolName)
                .setLeader(g.leaderId == null ? "" : g.leaderId)
                .setMemberId(m.memberId);
        if (withMembers) {
            for (GroupMember x : g.members.values()) {
                r.members()
                        .add(new JoinGroupResponseData.JoinGroupResponseMember()
                                .setMemberId(x.memberId)
                                .setGroupInstanceId(x.groupInstanceId)
                                .setMetadata(x.metadata(g.protocolName)));
            }
        }
        return r;
    }

    static JoinGroupResponseData joinError(String memberId, Errors e) {
        return new JoinGroupResponseData()
                .setErrorCode(e.code())
                .setMemberId(memberId == null ? "" : memberId)
                .setGenerationId(-1)
                .setProtocolName(null)
                .setLeader("");
    }

    static SyncGroupResponseData syncResponse(ClassicGroup g, byte[] assignment, Errors e) {
        return new SyncGroupResponseData()
                .setErrorCode(e.code())
                .setAssignment(assignment)
                .setProtocolType(g.protocolType)
                .setProtocolName(g.protocolName);
    }

    static SyncGroupResponseData syncError(Errors e) {
        return new SyncGroupResponseData().setErrorCode(e.code()).setAssignment(new byte[0]);
    }
}
