package io.strand.server.handlers;

import io.strand.coordinator.TopicView;
import io.strand.server.admin.AdminErrors;
import io.strand.server.admin.AdminService;
import io.strand.server.admin.ConfigDescriber;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * DescribeConfigs for topics (every topic config: override, broker setting or default) and for this
 * broker (every setting; read-only except the dynamic ones) or the cluster-wide broker default
 * (empty name: the dynamic defaults), from the metadata cache. Synonyms when asked; config type and
 * documentation from v3. Each resource needs DESCRIBE_CONFIGS, as Kafka checks: on the cluster for a
 * broker (CLUSTER_AUTHORIZATION_FAILED), on the topic (TOPIC_AUTHORIZATION_FAILED, whether it exists or
 * not) or group (GROUP_AUTHORIZATION_FAILED).
 */
public record DescribeConfigsHandler(AdminService admin, RequestAuthorization auth)
        implements ApiHandler<DescribeConfigsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CONFIGS;
    }

    @Override
    public CompletionStage<DescribeConfigsResponseData> handle(RequestContext ctx, DescribeConfigsRequestData request) {
        short version = ctx.apiVersion();
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsRequestData.DescribeConfigsResource r : request.resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult()
                    .setResourceType(r.resourceType())
                    .setResourceName(r.resourceName());
            Errors refused = ConfigResources.refusal(
                    auth, ctx, AclOperation.DESCRIBE_CONFIGS, r.resourceType(), r.resourceName());
            if (refused != Errors.NONE) {
                response.results().add(result.setErrorCode(refused.code()).setErrorMessage(refused.message()));
                continue;
            }
            try {
                List<ConfigDescriber.Entry> entries = describe(r);
                result.setErrorCode(Errors.NONE.code());
                for (ConfigDescriber.Entry e : entries) {
                    result.configs().add(entry(e, request, version));
                }
            } catch (ApiException e) {
                AdminErrors err = AdminErrors.of(e);
                result.setErrorCode(err.code()).setErrorMessage(err.message());
            }
            response.results().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    private List<ConfigDescriber.Entry> describe(DescribeConfigsRequestData.DescribeConfigsResource r) {
        ConfigResources.unsupported(r.resourceType()).ifPresent(e -> {
            throw e;
        });
        List<String> keys = r.configurationKeys();
        if (ConfigResource.Type.forId(r.resourceType()) == ConfigResource.Type.TOPIC) {
            Optional<TopicView> topic = admin.cache().topic(r.resourceName());
            if (topic.isEmpty()) {
                throw new org.apache.kafka.common.errors.UnknownTopicOrPartitionException(
                        "Topic " + r.resourceName() + " does not exist");
            }
            return admin.describer().topic(topic.get().configs(), keys);
        }
        String entity = ConfigResources.brokerEntity(r.resourceName());
        if (entity.equals(io.strand.coordinator.Znodes.DEFAULT_BROKER_ENTITY)) {
            return admin.describer().brokerDefaults(keys);
        }
        if (!entity.equals(Integer.toString(admin.config().brokerId()))) {
            throw new InvalidRequestException("Unexpected broker id, expected "
                    + admin.config().brokerId() + " or empty string, but received " + r.resourceName());
        }
        return admin.describer().broker(keys);
    }

    private static DescribeConfigsResourceResult entry(
            ConfigDescriber.Entry e, DescribeConfigsRequestData request, short version) {
        boolean sensitive = e.type() == ConfigType.PASSWORD; // as Kafka: never a password's value
        DescribeConfigsResourceResult out = new DescribeConfigsResourceResult()
                .setName(e.name())
                .setValue(sensitive ? null : e.value())
                .setReadOnly(e.readOnly())
                .setConfigSource(e.source().id())
                .setIsSensitive(sensitive);
        if (request.includeSynonyms()) {
            for (ConfigDescriber.Synonym s : e.synonyms()) {
                out.synonyms()
                        .add(new DescribeConfigsSynonym()
                                .setName(s.name())
                                .setValue(sensitive ? null : s.value())
                                .setSource(s.source().id()));
            }
        }
        if (version >= 3) {
            out.setConfigType(e.type().id());
            if (request.includeDocumentation()) {
                out.setDocumentation(e.documentation());
            }
        }
        return out;
    }
}
