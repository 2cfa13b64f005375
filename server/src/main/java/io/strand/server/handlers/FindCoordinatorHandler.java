package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.proto.Endpoint;
import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.share.ShareCoordinator;
import io.strand.server.topics.InternalTopic;
import io.strand.server.txn.TransactionCoordinator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * FindCoordinator for groups (key type 0), transactions (key type 1) and share-partition state (key
 * type 2, key {@code groupId:topicId:partition}): the leader of the group's {@code __consumer_offsets}
 * partition, of the transactional id's {@code __transaction_state} partition, or of the key's
 * {@code __share_group_state} partition, at the endpoint of the listener the request came on; each
 * topic is created on first use. One key before v4, a batch of keys from v4; key type 2 from v6 (as
 * Kafka: older versions cannot ask for it).
 *
 * <p>Authorization as Kafka's: a group key needs DESCRIBE on the group (GROUP_AUTHORIZATION_FAILED), a
 * transactional id DESCRIBE on it (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), per key; share keys are
 * asked by brokers and need CLUSTER_ACTION on the cluster (else the whole request is
 * CLUSTER_AUTHORIZATION_FAILED).
 */
public record FindCoordinatorHandler(
        GroupCoordinator groups,
        TransactionCoordinator transactions,
        ShareCoordinator shares,
        MetadataCache cache,
        RequestAuthorization auth)
        implements ApiHandler<FindCoordinatorRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FIND_COORDINATOR;
    }

    private record Found(String key, Errors error, String message, int nodeId, String host, int port) {}

    @Override
    public CompletionStage<FindCoordinatorResponseData> handle(RequestContext ctx, FindCoordinatorRequestData request) {
        short version = ctx.apiVersion();
        List<String> keys = version >= 4 ? request.coordinatorKeys() : List.of(request.key());
        byte keyType = version >= 1 ? request.keyType() : FindCoordinatorRequest.CoordinatorType.GROUP.id();
        if (keyType == FindCoordinatorRequest.CoordinatorType.SHARE.id() && version >= 6) {
            auth.requireOnCluster(ctx, AclOperation.CLUSTER_ACTION);
        }
        List<CompletableFuture<Found>> lookups = new ArrayList<>();
        for (String key : keys) {
            CompletableFuture<InternalTopic.Leader> coordinator;
            Errors refused = refusal(ctx, keyType, key);
            if (refused != Errors.NONE) {
                lookups.add(CompletableFuture.completedFuture(new Found(key, refused, refused.message(), -1, "", -1)));
                continue;
            }
            if (keyType == FindCoordinatorRequest.CoordinatorType.GROUP.id()) {
                coordinator = groups.findCoordinator(key);
            } else if (keyType == FindCoordinatorRequest.CoordinatorType.TRANSACTION.id()) {
                coordinator = transactions.findCoordinator(key);
            } else if (keyType == FindCoordinatorRequest.CoordinatorType.SHARE.id() && version >= 6) {
                coordinator = shares.findCoordinator(key);
            } else {
                lookups.add(CompletableFuture.completedFuture(new Found(
                        key,
                        Errors.INVALID_REQUEST,
                        "only group (0), transaction (1) and share (2) coordinators exist, not key type " + keyType,
                        -1,
                        "",
                        -1)));
                continue;
            }
            lookups.add(coordinator.thenApply(c -> {
                if (c.error() != Errors.NONE) {
                    return new Found(key, c.error(), c.message(), -1, "", -1);
                }
                Optional<Endpoint> ep =
                        cache.broker(c.brokerId()).flatMap(b -> MetadataAnswers.endpointFor(b, ctx.listenerName()));
                if (ep.isEmpty()) {
                    return new Found(
                            key,
                            Errors.COORDINATOR_NOT_AVAILABLE,
                            "broker " + c.brokerId() + " is not live",
                            -1,
                            "",
                            -1);
                }
                return new Found(
                        key,
                        Errors.NONE,
                        null,
                        c.brokerId(),
                        ep.get().getHost(),
                        ep.get().getPort());
            }));
        }
        return Batches.allInOrder(lookups).thenApply(founds -> {
            FindCoordinatorResponseData response = new FindCoordinatorResponseData();
            if (version >= 4) {
                for (Found found : founds) {
                    response.coordinators()
                            .add(new FindCoordinatorResponseData.Coordinator()
                                    .setKey(found.key())
                                    .setErrorCode(found.error().code())
                                    .setErrorMessage(found.message())
                                    .setNodeId(found.nodeId())
                                    .setHost(found.host())
                                    .setPort(found.port()));
                }
            } else {
                Found found = founds.get(0);
                response.setErrorCode(found.error().code())
                        .setErrorMessage(found.message())
                        .setNodeId(found.nodeId())
                        .setHost(found.host())
                        .setPort(found.port());
            }
            return response;
        });
    }

    /** Why the principal may not find the coordinator of {@code key}: DESCRIBE on its group or transactional id. */
    private Errors refusal(RequestContext ctx, byte keyType, String key) {
        if (keyType == FindCoordinatorRequest.CoordinatorType.GROUP.id()) {
            return auth.allowed(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, key)
                    ? Errors.NONE
                    : Errors.GROUP_AUTHORIZATION_FAILED;
        }
        if (keyType == FindCoordinatorRequest.CoordinatorType.TRANSACTION.id()) {
            return auth.allowed(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)
                    ? Errors.NONE
                    : Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
        }
        return Errors.NONE;
    }
}
