package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.ApiHandlers;
import io.strand.server.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** ApiVersions: advertises exactly the APIs and versions the broker's handlers implement. */
public record ApiVersionsHandler(Supplier<ApiHandlers> handlers) implements ApiHandler<ApiVersionsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.API_VERSIONS;
    }

    @Override
    public CompletionStage<ApiVersionsResponseData> handle(RequestContext ctx, ApiVersionsRequestData request) {
        ApiVersionsResponseData response = new ApiVersionsResponseData();
        handlers.get().all().stream()
                .sorted((a, b) -> Short.compare(a.apiKey().id, b.apiKey().id))
                .forEach(h -> response.apiKeys()
                        .add(new ApiVersionsResponseData.ApiVersion()
                                .setApiKey(h.apiKey().id)
                                .setMinVersion(h.oldestVersion())
                                .setMaxVersion(h.latestVersion())));
        if (ctx.apiVersion() >= 3) {
            advertiseFeatures(response);
        }
        return CompletableFuture.completedFuture(response);
    }

    /**
     * The feature levels the handlers implement, as supported and finalized features: {@code group.version}
     * 1 with ConsumerGroupHeartbeat (KIP-848), {@code share.version} 1 with ShareGroupHeartbeat (KIP-932).
     * {@code transaction.version} is not announced: level 2 (KIP-890 part 2) is not implemented, so
     * clients use the classic transaction protocol.
     */
    private void advertiseFeatures(ApiVersionsResponseData response) {
        boolean any = false;
        if (handlers.get().get(ApiKeys.CONSUMER_GROUP_HEARTBEAT).isPresent()) {
            feature(response, GROUP_VERSION);
            any = true;
        }
        if (handlers.get().get(ApiKeys.SHARE_GROUP_HEARTBEAT).isPresent()) {
            feature(response, SHARE_VERSION);
            any = true;
        }
        if (any) {
            response.setFinalizedFeaturesEpoch(FINALIZED_FEATURES_EPOCH);
        }
    }

    private static void feature(ApiVersionsResponseData response, String name) {
        response.supportedFeatures()
                .add(new ApiVersionsResponseData.SupportedFeatureKey()
                        .setName(name)
                        .setMinVersion((short) 0)
                        .setMaxVersion((short) 1));
        response.finalizedFeatures()
                .add(new ApiVersionsResponseData.FinalizedFeatureKey()
                        .setName(name)
                        .setMinVersionLevel((short) 1)
                        .setMaxVersionLevel((short) 1));
    }

    public static final String GROUP_VERSION = "group.version";
    public static final String SHARE_VERSION = "share.version";
    /** The features never change while a broker runs; one epoch for all. */
    private static final long FINALIZED_FEATURES_EPOCH = 1;
}
