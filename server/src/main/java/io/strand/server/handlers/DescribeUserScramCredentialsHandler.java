package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.ScramCredentialAdmin;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * DescribeUserScramCredentials: each user's SCRAM mechanisms and iterations from ZooKeeper (never a
 * key or salt), all users when none are named, with Kafka's per-user errors ({@link
 * ScramCredentialAdmin}). Stateless.
 */
public record DescribeUserScramCredentialsHandler(ScramCredentialAdmin admin)
        implements ApiHandler<DescribeUserScramCredentialsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS;
    }

    @Override
    public CompletionStage<DescribeUserScramCredentialsResponseData> handle(
            RequestContext ctx, DescribeUserScramCredentialsRequestData request) {
        // Authorization: Kafka requires DESCRIBE on the CLUSTER resource (else CLUSTER_AUTHORIZATION_FAILED for the
        // whole request); the ACL work of issue 16 checks it here, before anything is read.
        return admin.describe(request);
    }
}
