package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.quota.ClientQuotaAdmin;
import io.strand.server.security.RequestAuthorization;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * DescribeClientQuotas: the client quotas of the users, client ids and users' client ids a filter
 * matches ({@link ClientQuotaAdmin#describe}); needs DESCRIBE_CONFIGS on the cluster (else
 * CLUSTER_AUTHORIZATION_FAILED), as in Kafka. kafka-configs asks it for {@code --describe
 * --entity-type users|clients}. Stateless.
 */
public record DescribeClientQuotasHandler(ClientQuotaAdmin quotas, RequestAuthorization auth)
        implements ApiHandler<DescribeClientQuotasRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLIENT_QUOTAS;
    }

    @Override
    public CompletionStage<DescribeClientQuotasResponseData> handle(
            RequestContext ctx, DescribeClientQuotasRequestData request) {
        auth.requireOnCluster(ctx, AclOperation.DESCRIBE_CONFIGS);
        return quotas.describe(request);
    }
}
