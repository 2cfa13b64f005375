package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeCluster: the live brokers (at the endpoint of the listener the request came on), the
 * cluster id and the controller, from the metadata cache. Strand brokers are never fenced. Only the
 * broker endpoint type exists: a request for controller endpoints (v1+) is answered
 * UNSUPPORTED_ENDPOINT_TYPE, as a Kafka broker does. No permission is needed; the cluster's
 * authorized operations, when asked and an authorizer is configured, are none without DESCRIBE on it.
 */
public record DescribeClusterHandler(MetadataCache cache, RequestAuthorization auth)
        implements ApiHandler<DescribeClusterRequestData> {
    private static final byte BROKER_ENDPOINT = 1;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLUSTER;
    }

    @Override
    public CompletionStage<DescribeClusterResponseData> handle(RequestContext ctx, DescribeClusterRequestData request) {
        DescribeClusterResponseData response = new DescribeClusterResponseData()
                .setClusterId(cache.clusterId())
                .setControllerId(cache.controllerId() >= 0 ? cache.controllerId() : -1)
                .setClusterAuthorizedOperations(MetadataAnswers.AUTHORIZED_OPERATIONS_OMITTED)
                .setErrorCode(Errors.NONE.code());
        if (ctx.apiVersion() >= 1 && request.endpointType() != BROKER_ENDPOINT) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage(
                            "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type "
                                    + (request.endpointType() == 2
                                            ? "CONTROLLER"
                                            : "UNKNOWN (" + request.endpointType() + ")")));
        }
        if (request.includeClusterAuthorizedOperations() && auth.enabled()) {
            response.setClusterAuthorizedOperations(
                    auth.allowedOnCluster(ctx, AclOperation.DESCRIBE)
                            ? auth.authorizedOperations(ctx, ResourceType.CLUSTER, Resource.CLUSTER_NAME)
                            : 0);
        }
        for (MetadataAnswers.LiveBroker b : MetadataAnswers.liveBrokers(cache, ctx.listenerName())) {
            response.brokers()
                    .add(new DescribeClusterResponseData.DescribeClusterBroker()
                            .setBrokerId(b.id())
                            .setHost(b.host())
                            .setPort(b.port())
                            .setRack(b.rack()));
        }
        return CompletableFuture.completedFuture(response);
    }
}
