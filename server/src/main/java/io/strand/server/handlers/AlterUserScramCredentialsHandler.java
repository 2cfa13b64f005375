package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.security.ScramCredentialAdmin;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * AlterUserScramCredentials (Admin.alterUserScramCredentials, kafka-configs --entity-type users
 * --add-config 'SCRAM-SHA-256=[password=...]'): upserts and deletes users' SCRAM credentials in
 * ZooKeeper, one write per user, with Kafka's per-user errors ({@link ScramCredentialAdmin}); every
 * broker's credential cache follows within a second. Stateless.
 */
public record AlterUserScramCredentialsHandler(ScramCredentialAdmin admin, RequestAuthorization auth)
        implements ApiHandler<AlterUserScramCredentialsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_USER_SCRAM_CREDENTIALS;
    }

    @Override
    public CompletionStage<AlterUserScramCredentialsResponseData> handle(
            RequestContext ctx, AlterUserScramCredentialsRequestData request) {
        auth.requireOnCluster(ctx, AclOperation.ALTER); // Kafka: else CLUSTER_AUTHORIZATION_FAILED
        return admin.alter(request);
    }
}
