package io.strand.server.network;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.protocol.ApiKeys;

/** The handlers a broker serves, one per API; what ApiVersions advertises. Immutable after construction. */
public final class ApiHandlers {
    private final Map<ApiKeys, ApiHandler<?>> byKey = new EnumMap<>(ApiKeys.class);

    public ApiHandlers(Collection<ApiHandler<?>> handlers) {
        for (ApiHandler<?> h : handlers) {
            if (byKey.put(h.apiKey(), h) != null) {
                throw new IllegalArgumentException("two handlers for " + h.apiKey());
            }
        }
    }

    public Optional<ApiHandler<?>> get(ApiKeys key) {
        return Optional.ofNullable(byKey.get(key));
    }

    public Collection<ApiHandler<?>> all() {
        return byKey.values();
    }
}
