package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.security.ScramCredentialAdmin;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeUserScramCredentials: each user's SCRAM mechanisms and iterations from ZooKeeper (never a
 * key or salt), all users when none are named, with Kafka's per-user errors ({@link
 * ScramCredentialAdmin}). Stateless.
 */
public record DescribeUserScramCredentialsHandler(ScramCredentialAdmin admin, RequestAuthorization auth)
        implements ApiHandler<DescribeUserScramCredentialsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS;
    }

    @Override
    public CompletionStage<DescribeUserScramCredentialsResponseData> handle(
            RequestContext ctx, DescribeUserScramCredentialsRequestData request) {
        if (!auth.allowedOnCluster(ctx, AclOperation.DESCRIBE)) { // as Kafka: the whole request refused
            // built here: the request's own error response walks its users, which null (all users) breaks
            String message = "Request DescribeUserScramCredentials needs DESCRIBE permission.";
            DescribeUserScramCredentialsResponseData denied = new DescribeUserScramCredentialsResponseData()
                    .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())
                    .setErrorMessage(message);
            if (request.users() != null) {
                request.users()
                        .forEach(u -> denied.results()
                                .add(new DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult()
                                        .setUser(u.name())
                                        .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())
                                        .setErrorMessage(message)));
            }
            return CompletableFuture.completedFuture(denied);
        }
        return admin.describe(request);
    }
}
