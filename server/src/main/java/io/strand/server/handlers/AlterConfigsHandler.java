package io.strand.server.handlers;

import io.strand.server.admin.AdminErrors;
import io.strand.server.admin.AdminService;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * AlterConfigs (the legacy, non-incremental API): the overrides of each resource become exactly the
 * configs given, by compare-and-set, for topics and for the dynamic broker configs. Each resource needs
 * ALTER_CONFIGS, as Kafka checks: on the cluster for a broker (CLUSTER_AUTHORIZATION_FAILED), on the
 * topic (TOPIC_AUTHORIZATION_FAILED) or group (GROUP_AUTHORIZATION_FAILED).
 */
public record AlterConfigsHandler(AdminService admin, RequestAuthorization auth)
        implements ApiHandler<AlterConfigsRequestData> {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_CONFIGS;
    }

    @Override
    public CompletionStage<AlterConfigsResponseData> handle(RequestContext ctx, AlterConfigsRequestData request) {
        Set<String> duplicated = Batches.repeated(request.resources(), r -> r.resourceType() + "/" + r.resourceName());
        List<CompletableFuture<AlterConfigsResourceResponse>> results = new ArrayList<>();
        for (AlterConfigsRequestData.AlterConfigsResource r : request.resources()) {
            CompletableFuture<AdminErrors> outcome;
            Map<String, String> configs = new LinkedHashMap<>();
            AdminErrors bad = null;
            for (AlterConfigsRequestData.AlterableConfig c : r.configs()) {
                if (configs.put(c.name(), c.value()) != null) {
                    bad = AdminErrors.of(Errors.INVALID_REQUEST, "Error due to duplicate config keys: " + c.name());
                }
            }
            if (duplicated.contains(r.resourceType() + "/" + r.resourceName())) {
                bad = AdminErrors.of(Errors.INVALID_REQUEST, "Duplicate resource in request: " + r.resourceName());
            }
            Errors refused = bad != null
                    ? Errors.NONE
                    : ConfigResources.refusal(
                            auth, ctx, AclOperation.ALTER_CONFIGS, r.resourceType(), r.resourceName());
            if (refused != Errors.NONE) {
                bad = AdminErrors.of(refused, null);
            }
            outcome = bad != null
                    ? CompletableFuture.completedFuture(bad)
                    : ConfigAlterations.alter(
                            admin, r.resourceType(), r.resourceName(), null, configs, request.validateOnly());
            results.add(outcome.thenApply(e -> new AlterConfigsResourceResponse()
                    .setResourceType(r.resourceType())
                    .setResourceName(r.resourceName())
                    .setErrorCode(e.code())
                    .setErrorMessage(e.message())));
        }
        return Batches.collect(results, AlterConfigsResponseData::new, AlterConfigsResponseData::responses);
    }
}
