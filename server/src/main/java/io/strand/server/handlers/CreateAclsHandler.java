package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsRequestData.AclCreation;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreateAclsResponseData.AclCreationResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.server.authorizer.AclCreateResult;

/**
 * CreateAcls: stores the requested ACL bindings through the authorizer, one result per creation in
 * request order. As Kafka: the requester needs ALTER on the cluster (else every creation answers
 * CLUSTER_AUTHORIZATION_FAILED); without an authorizer every creation answers SECURITY_DISABLED; a binding
 * that is not a storable ACL (ANY or unknown types, an empty name, a cluster not named kafka-cluster, a
 * principal without a colon, ...) answers INVALID_REQUEST while the others are created.
 */
public record CreateAclsHandler(RequestAuthorization auth) implements ApiHandler<CreateAclsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_ACLS;
    }

    @Override
    public CompletionStage<CreateAclsResponseData> handle(RequestContext ctx, CreateAclsRequestData request) {
        if (!auth.allowedOnCluster(ctx, AclOperation.ALTER)) {
            return allFailed(request, new ApiError(Errors.CLUSTER_AUTHORIZATION_FAILED));
        }
        if (!auth.enabled()) {
            return allFailed(request, new ApiError(Errors.SECURITY_DISABLED, "No Authorizer is configured."));
        }
        List<CompletableFuture<ApiError>> results = new ArrayList<>();
        List<AclBinding> valid = new ArrayList<>();
        List<CompletableFuture<ApiError>> validResults = new ArrayList<>();
        for (AclCreation creation : request.creations()) {
            CompletableFuture<ApiError> result = new CompletableFuture<>();
            results.add(result);
            try {
                valid.add(CreateAclsRequest.aclBinding(creation));
                validResults.add(result);
            } catch (IllegalArgumentException e) {
                result.complete(ApiError.fromThrowable(new InvalidRequestException(e.getMessage())));
            }
        }
        List<? extends CompletionStage<AclCreateResult>> created =
                valid.isEmpty() ? List.of() : auth.authorizer().orElseThrow().createAcls(ctx, valid);
        for (int i = 0; i < created.size(); i++) {
            CompletableFuture<ApiError> result = validResults.get(i);
            created.get(i)
                    .whenComplete((r, e) -> result.complete(
                            e != null
                                    ? ApiError.fromThrowable(e)
                                    : r.exception().map(ApiError::fromThrowable).orElse(ApiError.NONE)));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    CreateAclsResponseData response = new CreateAclsResponseData();
                    for (CompletableFuture<ApiError> r : results) {
                        response.results().add(result(r.join()));
                    }
                    return response;
                });
    }

    private static CompletionStage<CreateAclsResponseData> allFailed(CreateAclsRequestData request, ApiError error) {
        CreateAclsResponseData response = new CreateAclsResponseData();
        request.creations().forEach(c -> response.results().add(result(error)));
        return CompletableFuture.completedFuture(response);
    }

    private static AclCreationResult result(ApiError error) {
        return new AclCreationResult()
                .setErrorCode(error.error().code())
                .setErrorMessage(error.isSuccess() ? null : error.message());
    }
}
