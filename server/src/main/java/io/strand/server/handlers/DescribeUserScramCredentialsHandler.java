package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.security.ScramCredentialAdmin;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

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
        auth.requireOnCluster(ctx, AclOperation.DESCRIBE); // Kafka: else CLUSTER_AUTHORIZATION_FAILED
        return admin.describe(request);
    }
}
