package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.AclValidation;
import io.strand.server.security.RequestAuthorization;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeAclsResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeAcls: the ACL bindings the filter matches (pattern type MATCH finds the literal, wildcard and
 * prefixed patterns that apply to a name), from this broker's ACL cache. As Kafka: the requester needs
 * DESCRIBE on the cluster (else CLUSTER_AUTHORIZATION_FAILED); without an authorizer SECURITY_DISABLED; a
 * filter with an unknown element INVALID_REQUEST.
 */
public record DescribeAclsHandler(RequestAuthorization auth) implements ApiHandler<DescribeAclsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_ACLS;
    }

    @Override
    public CompletionStage<DescribeAclsResponseData> handle(RequestContext ctx, DescribeAclsRequestData request) {
        DescribeAclsResponseData response = new DescribeAclsResponseData();
        if (!auth.allowedOnCluster(ctx, AclOperation.DESCRIBE)) {
            return done(response.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())
                    .setErrorMessage(Errors.CLUSTER_AUTHORIZATION_FAILED.message()));
        }
        if (!auth.enabled()) {
            return done(response.setErrorCode(Errors.SECURITY_DISABLED.code())
                    .setErrorMessage("No Authorizer is configured on the broker"));
        }
        AclBindingFilter filter = filter(request);
        try {
            AclValidation.validateFilter(filter);
        } catch (InvalidRequestException e) {
            return done(response.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(e.getMessage()));
        }
        return done(response.setResources(DescribeAclsResponse.aclsResources(
                auth.authorizer().orElseThrow().acls(filter))));
    }

    static AclBindingFilter filter(DescribeAclsRequestData r) {
        return new AclBindingFilter(
                new ResourcePatternFilter(
                        ResourceType.fromCode(r.resourceTypeFilter()),
                        r.resourceNameFilter(),
                        PatternType.fromCode(r.patternTypeFilter())),
                new AccessControlEntryFilter(
                        r.principalFilter(),
                        r.hostFilter(),
                        AclOperation.fromCode(r.operation()),
                        AclPermissionType.fromCode(r.permissionType())));
    }

    private static CompletionStage<DescribeAclsResponseData> done(DescribeAclsResponseData response) {
        return CompletableFuture.completedFuture(response);
    }
}
