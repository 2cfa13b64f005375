package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * LeaveGroup: one member by id before v3; from v3 a batch of members, each by member id or by
 * {@code group.instance.id}, with an error per member.
 * Needs READ on the group (else GROUP_AUTHORIZATION_FAILED), as Kafka checks.
 */
public record LeaveGroupHandler(GroupCoordinator groups, RequestAuthorization auth)
        implements ApiHandler<LeaveGroupRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LEAVE_GROUP;
    }

    @Override
    public CompletionStage<LeaveGroupResponseData> handle(RequestContext ctx, LeaveGroupRequestData request) {
        auth.require(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId());
        short version = ctx.apiVersion();
        List<GroupCoordinator.Leaving> leaving = new ArrayList<>();
        if (version >= 3) {
            request.members()
                    .forEach(m -> leaving.add(new GroupCoordinator.Leaving(
                            m.memberId(), m.groupInstanceId(), version >= 5 ? m.reason() : null)));
        } else {
            leaving.add(new GroupCoordinator.Leaving(request.memberId(), null, null));
        }
        return groups.leaveGroup(request.groupId(), leaving).thenApply(r -> {
            LeaveGroupResponseData response = new LeaveGroupResponseData();
            if (version >= 3) {
                return response.setErrorCode(r.error().code()).setMembers(new ArrayList<>(r.members()));
            }
            Errors error = r.error();
            if (error == Errors.NONE && !r.members().isEmpty()) {
                error = Errors.forCode(r.members().get(0).errorCode());
            }
            return response.setErrorCode(error.code());
        });
    }
}
