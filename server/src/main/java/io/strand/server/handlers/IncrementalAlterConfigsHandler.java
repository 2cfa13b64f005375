package io.strand.server.handlers;

import io.strand.coordinator.admin.ConfigChange;
import io.strand.server.admin.AdminErrors;
import io.strand.server.admin.AdminService;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT on topic overrides
 * ({@code /config/topics/<t>}) and on the dynamic broker configs ({@code /config/brokers/<id>} or
 * {@code <default>} for the empty name), each resource one compare-and-set. Read-only broker
 * configs are refused with INVALID_REQUEST, invalid topic values with INVALID_CONFIG, as Kafka does.
 * Each resource needs ALTER_CONFIGS, as Kafka checks: on the cluster for a broker
 * (CLUSTER_AUTHORIZATION_FAILED), on the topic (TOPIC_AUTHORIZATION_FAILED) or group
 * (GROUP_AUTHORIZATION_FAILED).
 */
public record IncrementalAlterConfigsHandler(AdminService admin, RequestAuthorization auth)
        implements ApiHandler<IncrementalAlterConfigsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INCREMENTAL_ALTER_CONFIGS;
    }

    @Override
    public CompletionStage<IncrementalAlterConfigsResponseData> handle(
            RequestContext ctx, IncrementalAlterConfigsRequestData request) {
        Set<String> duplicated = Batches.repeated(request.resources(), r -> r.resourceType() + "/" + r.resourceName());
        List<CompletableFuture<AlterConfigsResourceResponse>> results = new ArrayList<>();
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource r : request.resources()) {
            CompletableFuture<AdminErrors> outcome;
            if (duplicated.contains(r.resourceType() + "/" + r.resourceName())) {
                outcome = CompletableFuture.completedFuture(
                        AdminErrors.of(Errors.INVALID_REQUEST, "Duplicate resource in request: " + r.resourceName()));
            } else {
                List<ConfigChange> changes = new ArrayList<>();
                AdminErrors bad = null;
                for (IncrementalAlterConfigsRequestData.AlterableConfig c : r.configs()) {
                    if (c.configOperation() < 0 || c.configOperation() >= ConfigChange.Op.values().length) {
                        bad = AdminErrors.of(
                                Errors.INVALID_REQUEST,
                                "Unknown config operation " + c.configOperation() + " for config " + c.name());
                        break;
                    }
                    changes.add(new ConfigChange(c.name(), ConfigChange.Op.values()[c.configOperation()], c.value()));
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
                                admin, r.resourceType(), r.resourceName(), changes, null, request.validateOnly());
            }
            results.add(outcome.thenApply(e -> new AlterConfigsResourceResponse()
                    .setResourceType(r.resourceType())
                    .setResourceName(r.resourceName())
                    .setErrorCode(e.code())
                    .setErrorMessage(e.message())));
        }
        return Batches.collect(
                results, IncrementalAlterConfigsResponseData::new, IncrementalAlterConfigsResponseData::responses);
    }
}
