package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsRequestData.DeleteAclsFilter;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsResponseData.DeleteAclsFilterResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DeleteAclsResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.server.authorizer.AclDeleteResult;

/**
 * DeleteAcls: deletes, through the authorizer, every ACL binding each filter matches and reports them per
 * filter in request order. As Kafka: the requester needs ALTER on the cluster (else every filter answers
 * CLUSTER_AUTHORIZATION_FAILED); without an authorizer every filter answers SECURITY_DISABLED; a filter
 * with an unknown element answers INVALID_REQUEST.
 */
public record DeleteAclsHandler(RequestAuthorization auth) implements ApiHandler<DeleteAclsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_ACLS;
    }

    @Override
    public CompletionStage<DeleteAclsResponseData> handle(RequestContext ctx, DeleteAclsRequestData request) {
        if (!auth.allowedOnCluster(ctx, AclOperation.ALTER)) {
            return allFailed(request, new ApiError(Errors.CLUSTER_AUTHORIZATION_FAILED));
        }
        if (!auth.enabled()) {
            return allFailed(request, new ApiError(Errors.SECURITY_DISABLED, "No Authorizer is configured."));
        }
        List<AclBindingFilter> filters = new ArrayList<>();
        for (DeleteAclsFilter f : request.filters()) {
            filters.add(filter(f));
        }
        List<CompletableFuture<AclDeleteResult>> results = new ArrayList<>();
        auth.authorizer().orElseThrow().deleteAcls(ctx, filters).forEach(r -> results.add(r.toCompletableFuture()));
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    DeleteAclsResponseData response = new DeleteAclsResponseData();
                    for (CompletableFuture<AclDeleteResult> r : results) {
                        response.filterResults().add(DeleteAclsResponse.filterResult(r.join()));
                    }
                    return response;
                });
    }

    static AclBindingFilter filter(DeleteAclsFilter f) {
        return new AclBindingFilter(
                new ResourcePatternFilter(
                        ResourceType.fromCode(f.resourceTypeFilter()),
                        f.resourceNameFilter(),
                        PatternType.fromCode(f.patternTypeFilter())),
                new AccessControlEntryFilter(
                        f.principalFilter(),
                        f.hostFilter(),
                        AclOperation.fromCode(f.operation()),
                        AclPermissionType.fromCode(f.permissionType())));
    }

    private static CompletionStage<DeleteAclsResponseData> allFailed(DeleteAclsRequestData request, ApiError error) {
        DeleteAclsResponseData response = new DeleteAclsResponseData();
        for (int i = 0; i < request.filters().size(); i++) {
            response.filterResults()
                    .add(new DeleteAclsFilterResult()
                            .setErrorCode(error.error().code())
                            .setErrorMessage(error.message()));
        }
        return CompletableFuture.completedFuture(response);
    }
}
