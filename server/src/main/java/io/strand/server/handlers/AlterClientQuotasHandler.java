package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.quota.ClientQuotaAdmin;
import io.strand.server.security.RequestAuthorization;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * AlterClientQuotas: sets and removes the client quotas of users, client ids and users' client ids
 * ({@link ClientQuotaAdmin#alter}, one ZooKeeper write per entity), with {@code validate_only}; needs
 * ALTER_CONFIGS on the cluster (else CLUSTER_AUTHORIZATION_FAILED), as in Kafka. kafka-configs sends it
 * for {@code --alter --entity-type users|clients --add-config producer_byte_rate=...}. Stateless.
 */
public record AlterClientQuotasHandler(ClientQuotaAdmin quotas, RequestAuthorization auth)
        implements ApiHandler<AlterClientQuotasRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_CLIENT_QUOTAS;
    }

    @Override
    public CompletionStage<AlterClientQuotasResponseData> handle(
            RequestContext ctx, AlterClientQuotasRequestData request) {
        auth.requireOnCluster(ctx, AclOperation.ALTER_CONFIGS);
        return quotas.alter(request);
    }
}
