package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ListGroups: the groups this broker coordinates, filtered by state (v4+, case-insensitive) and
 * by type (v5+; every group here is of type "classic" so far). COORDINATOR_LOAD_IN_PROGRESS while
 * one of its {@code __consumer_offsets} partitions is loading, with the groups known so far. As Kafka:
 * all groups with DESCRIBE on the cluster, else only those the principal may DESCRIBE (denials of
 * either not logged).
 */
public record ListGroupsHandler(GroupCoordinator groups, RequestAuthorization auth)
        implements ApiHandler<ListGroupsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_GROUPS;
    }

    @Override
    public CompletionStage<ListGroupsResponseData> handle(RequestContext ctx, ListGroupsRequestData request) {
        short version = ctx.apiVersion();
        Set<String> states = version >= 4 ? lower(request.statesFilter()) : Set.of();
        Set<String> types = version >= 5 ? lower(request.typesFilter()) : Set.of();
        boolean all = auth.allowedOnCluster(ctx, AclOperation.DESCRIBE, false);
        return groups.listGroups().thenApply(r -> {
            ListGroupsResponseData response =
                    new ListGroupsResponseData().setErrorCode(r.error().code());
            Predicate<String> describable = all
                    ? name -> true
                    : auth.allowedNames(
                            ctx,
                            AclOperation.DESCRIBE,
                            ResourceType.GROUP,
                            r.groups(),
                            GroupCoordinator.Listed::groupId,
                            false);
            for (GroupCoordinator.Listed g : r.groups()) {
                if (describable.test(g.groupId())
                        && (states.isEmpty() || states.contains(g.state().toLowerCase(Locale.ROOT)))
                        && (types.isEmpty() || types.contains(g.type().kafkaName()))) {
                    response.groups()
                            .add(new ListGroupsResponseData.ListedGroup()
                                    .setGroupId(g.groupId())
                                    .setProtocolType(g.protocolType())
                                    .setGroupState(g.state())
                                    .setGroupType(g.type().kafkaName()));
                }
            }
            return response;
        });
    }

    private static Set<String> lower(java.util.List<String> values) {
        return values == null
                ? Set.of()
                : values.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }
}
