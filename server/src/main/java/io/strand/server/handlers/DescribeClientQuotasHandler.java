package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaEntity;

/**
 * DescribeClientQuotas: Strand enforces no client quotas and stores none (there is no
 * AlterClientQuotas), so every valid filter matches no entity; a filter naming an unknown entity type
 * is INVALID_REQUEST, as in Kafka. kafka-configs asks this before it shows a user's SCRAM
 * credentials ({@code --describe --entity-type users}). Stateless.
 */
public record DescribeClientQuotasHandler(RequestAuthorization auth)
        implements ApiHandler<DescribeClientQuotasRequestData> {
    private static final Set<String> ENTITY_TYPES =
            Set.of(ClientQuotaEntity.USER, ClientQuotaEntity.CLIENT_ID, ClientQuotaEntity.IP);

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLIENT_QUOTAS;
    }

    @Override
    public CompletionStage<DescribeClientQuotasResponseData> handle(
            RequestContext ctx, DescribeClientQuotasRequestData request) {
        auth.requireOnCluster(ctx, AclOperation.DESCRIBE_CONFIGS); // Kafka: else CLUSTER_AUTHORIZATION_FAILED
        DescribeClientQuotasResponseData response = new DescribeClientQuotasResponseData();
        for (DescribeClientQuotasRequestData.ComponentData c : request.components()) {
            if (!ENTITY_TYPES.contains(c.entityType())) {
                return CompletableFuture.completedFuture(response.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Custom entity type '" + c.entityType() + "' not supported")
                        .setEntries(null));
            }
        }
        return CompletableFuture.completedFuture(response.setErrorCode(Errors.NONE.code()));
    }
}
