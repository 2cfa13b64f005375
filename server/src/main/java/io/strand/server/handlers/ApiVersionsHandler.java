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
        return CompletableFuture.completedFuture(response);
    }
}
